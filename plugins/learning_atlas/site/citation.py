"""How to cite a case study: a Harvard reference, BibTeX, RIS and CSL-JSON, each from one :class:`CaseCitation`.

The reference follows *Cite Them Right*'s Harvard style, the one NHS libraries teach, as the
``harvard-cite-them-right`` CSL style lays it out: the organisations as corporate authors (the
first and "et al." from four on), the year published, the title and the atlas in italics, the
case's permanent address and the date the reader accessed it. The three files are what reference
managers import (Zotero, EndNote, Mendeley, JabRef); the build writes them beside the case page
(:func:`citation_path`), and the page shows them to copy.

Case text is an attacker's: no title or organisation can change a format's structure. Every value
is one line (runs of whitespace, line and paragraph separators included, become one space), so no
newline can start a RIS tag; BibTeX's special characters become LaTeX commands whose braces
balance, so a brace in a title cannot close its field; JSON is written by the json module.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable

from markupsafe import Markup, escape

from learning_atlas.contract.case import Case
from learning_atlas.site.rendering import format_date

ET_AL_FROM = 4
"""From this many organisations on, the reference names the first and "et al." (the CSL style's et-al-min)."""

CITATION_FORMATS = {"bibtex": ".bib", "ris": ".ris", "csl": ".csl.json"}
"""Each downloadable format and the ending of its file, ``cases/<slug><ending>``."""


def citation_path(slug: str, kind: str) -> str:
    """Where the build writes a case's citation file: ``cases/<slug>.bib`` (and ``.ris``, ``.csl.json``).

    Beside the case's folder, not in it: a case's folder holds whatever its authors put there (folders
    named ``cite.bib`` included), while no slug holds a dot, so these names can never clash with it.
    """
    return f"cases/{slug}{CITATION_FORMATS[kind]}"


def one_line(text: object) -> str:
    """``text`` on one line: every run of whitespace (newlines, U+2028 and U+2029 too) one space."""
    return " ".join(str(text).split())


_BIBTEX_SPECIAL = str.maketrans({
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
})


_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|,(?=,)|<(?=<)|>(?=>)|[!?](?=`))")
"""Pairs LaTeX's fonts join into one sign (``--`` an en dash, ``''`` a closing quote, ``!``` an inverted
exclamation mark): an empty group between them keeps the characters the case wrote."""


def bibtex_text(text: object) -> str:
    """``text`` as the inside of a braced BibTeX field: one line, LaTeX's special characters as commands.

    A brace becomes ``\\textbraceleft{}`` rather than ``\\{``: BibTeX counts every brace, escaped or not,
    so a lone ``\\{`` from a title would run the field on into the next.
    """
    return _LIGATURE.sub(r"\1{}", one_line(text).translate(_BIBTEX_SPECIAL))


def bibtex_url(url: str) -> str:
    """A URL for BibTeX's ``url`` field (read verbatim by LaTeX's url package): braces, backslashes and spaces
    percent-encoded, so the field still ends where it should."""
    return urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%~-._|^`\"<>")


def _once(method: Callable[[Any], str]) -> Callable[[Any], str]:
    """A citation's text worked out once: the build writes it to a file and the page shows it."""
    key = "_once_" + method.__name__

    @functools.wraps(method)
    def once(self) -> str:
        found = self.__dict__.get(key)
        if found is None:
            found = self.__dict__[key] = method(self)  # not a field: a frozen dataclass allows it
        return found

    return once


@dataclass(frozen=True)
class CaseCitation:
    """What a citation of a case says, each value as the case has it (one line in the formats)."""

    slug: str
    title: str
    organisations: tuple[str, ...]
    published: dt.date
    updated: dt.date | None
    summary: str
    keywords: tuple[str, ...]
    """The case's themes, by their labels."""
    url: str
    """The case's permanent address (``<site_url>cases/<slug>/``); empty for a site without a site_url."""
    site_name: str
    language: str = "en"

    @classmethod
    def of(cls, case: Case, *, site_url: str, site_name: str, theme_label: Callable[[str], str],
           language: str = "en") -> "CaseCitation":
        """The citation of ``case`` on a site at ``site_url`` (its themes named by ``theme_label``)."""
        return cls(
            slug=case.slug, title=case.title, organisations=tuple(case.organisations), published=case.published,
            updated=case.updated if case.updated and case.updated != case.published else None,
            summary=case.summary, keywords=tuple(theme_label(t) for t in case.themes),
            url=f"{site_url}cases/{case.slug}/" if site_url else "", site_name=site_name, language=language,
        )

    # --- the Harvard reference ------------------------------------------------------------------

    def _authors(self) -> tuple[str, bool]:
        """The organisations as the reference names them, and whether "et al." follows."""
        names = [one_line(o) for o in self.organisations]
        if len(names) >= ET_AL_FROM:
            return names[0], True
        return (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]), False

    def reference(self, accessed: dt.date | str) -> str:
        """The Harvard (Cite Them Right) reference as plain text, accessed on ``accessed`` (a date or words)."""
        when = format_date(accessed) if isinstance(accessed, dt.date) else accessed
        names, et_al = self._authors()
        text = f"{names}{' et al.' if et_al else ''} ({self.published.year}) {one_line(self.title)}, {one_line(self.site_name)}."
        if self.url:
            text += f" Available at: {self.url} (Accessed: {when})."
        return text

    def reference_html(self, accessed: Markup) -> Markup:
        """The reference as HTML: the title and the atlas in italics, every value escaped; ``accessed`` is
        markup the page fills with the reader's date (its script)."""
        names, et_al = self._authors()
        authors = Markup("{} <i>et al.</i>").format(names) if et_al else escape(names)
        html = Markup("{} ({}) <i>{}</i>, <i>{}</i>.").format(
            authors, self.published.year, one_line(self.title), one_line(self.site_name),
        )
        if self.url:
            html += Markup(" Available at: {} (Accessed: {}).").format(self.url, accessed)
        return html

    # --- files for reference managers -----------------------------------------------------------

    @_once
    def bibtex(self) -> str:
        """A BibTeX ``@misc`` entry (BibTeX and biblatex): organisations braced whole, so that an "and" in a
        name never splits it; the title double-braced, so that no style changes its capitals."""
        authors = " and ".join("{" + bibtex_text(o) + "}" for o in self.organisations)
        fields = [
            ("author", authors),
            ("title", "{" + bibtex_text(self.title) + "}"),
            ("howpublished", bibtex_text(self.site_name)),
            ("year", str(self.published.year)),
            ("date", self.published.isoformat()),
        ]
        if self.url:
            fields.append(("url", bibtex_url(self.url)))
        if self.updated:
            fields.append(("note", f"Updated {format_date(self.updated)}"))
        fields.append(("abstract", bibtex_text(self.summary)))
        if self.keywords:
            fields.append(("keywords", bibtex_text(", ".join(self.keywords))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{self.slug},\n{body}\n}}\n"

    @_once
    def ris(self) -> str:
        """A RIS record (``TY  - ELEC``, a web page), one tag a line, lines ended CR LF as the format says."""
        lines = [("TY", "ELEC"), ("TI", self.title)]
        lines += [("AU", o) for o in self.organisations]
        lines += [("PY", str(self.published.year)), ("DA", self.published.strftime("%Y/%m/%d/")),
                  ("T2", self.site_name), ("PB", self.site_name)]
        if self.url:
            lines.append(("UR", self.url))
        lines.append(("AB", self.summary))
        lines += [("KW", k) for k in self.keywords]
        lines += [("LA", self.language), ("ID", self.slug)]
        return "".join(f"{tag}  - {one_line(value)}\r\n" for tag, value in lines) + "ER  - \r\n"

    def csl(self) -> dict:
        """The case as a CSL-JSON item (a ``webpage``), as citation processors and Zotero read it."""
        item: dict = {
            "id": self.slug,
            "type": "webpage",
            "title": one_line(self.title),
            "author": [{"literal": one_line(o)} for o in self.organisations],
            "issued": {"date-parts": [[self.published.year, self.published.month, self.published.day]]},
            "container-title": one_line(self.site_name),
        }
        if self.url:
            item["URL"] = self.url
        item["abstract"] = one_line(self.summary)
        if self.keywords:
            item["keyword"] = one_line(", ".join(self.keywords))
        item["language"] = self.language
        return item

    @_once
    def csl_json(self) -> str:
        """The CSL-JSON file: a list of the one item (what Zotero, Pandoc and citeproc read), a field a line."""
        fields = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in self.csl().items())
        return f"[\n  {{\n{fields}\n  }}\n]\n"

    def files(self) -> dict[str, str]:
        """``{path in the site: text}`` for each downloadable format (:func:`citation_path`)."""
        texts = {"bibtex": self.bibtex(), "ris": self.ris(), "csl": self.csl_json()}
        return {citation_path(self.slug, kind): text for kind, text in texts.items()}
