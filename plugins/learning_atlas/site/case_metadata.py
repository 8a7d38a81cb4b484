"""What a case page tells machines in its ``<head>``: schema.org JSON-LD, Dublin Core and Highwire Press tags.

Search engines read the JSON-LD (an ``Article``); reference managers (Zotero's page translators,
Mendeley) and Google Scholar read the ``citation_*`` tags and Dublin Core's ``DC.*``. Every value is
the case's own text, handed to the template as data: the template escapes the meta tags' content,
and :func:`script_json` writes JSON that no text can end a ``<script>`` element with.

:class:`CaseCitations` makes each case's :class:`~learning_atlas.site.citation.CaseCitation` once a
build, for the page, its metadata and its citation files.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from markupsafe import Markup

from learning_atlas.contract.case import Case
from learning_atlas.site.citation import CITATION_FORMATS, CaseCitation, citation_path
from learning_atlas.site.model import Atlas

DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
DC_TERMS = "http://purl.org/dc/terms/"

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: Any) -> Markup:
    """``data`` as JSON to put inside ``<script type="application/ld+json">`` as it is.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes (so ``</script>`` and ``<!--`` in a title
    cannot end or change the element), and U+2028 and U+2029 too (old JavaScript parsers end a line
    there). The JSON means the same: a parser reads the same strings back.
    """
    return Markup(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))


def _date(value) -> str:
    return value.isoformat()


def json_ld(case: Case, citation: CaseCitation, *, site_url: str, identifier: str) -> dict:
    """The case as a schema.org ``Article``: headline, abstract, dates, the organisations as authors,
    the atlas as publisher and the site it is part of, its themes as ``about``."""
    themes = []
    for key, label in zip(case.themes, citation.keywords):
        term: dict[str, Any] = {"@type": "DefinedTerm", "name": label, "termCode": key}
        if site_url:
            term["url"] = f"{site_url}themes/{key}/"
            term["inDefinedTermSet"] = f"{site_url}themes/"
        themes.append(term)
    publisher: dict[str, Any] = {"@type": "Organization", "name": citation.site_name}
    site: dict[str, Any] = {"@type": "WebSite", "name": citation.site_name}
    if site_url:
        publisher["url"] = site["url"] = site_url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": case.title,
        "name": case.title,
        "abstract": case.summary,
        "datePublished": _date(case.published),
        "dateModified": _date(case.latest),
        "author": [{"@type": "Organization", "name": name} for name in case.organisations],
        "publisher": publisher,
        "about": themes,
        "inLanguage": citation.language,
        "isPartOf": site,
    }
    if citation.url:
        data["url"] = data["mainEntityOfPage"] = citation.url
    if identifier:
        data["identifier"] = identifier
    if case.is_archived:
        data["creativeWorkStatus"] = "Archived"
    return data


def meta_tags(case: Case, citation: CaseCitation) -> list[tuple[str, str]]:
    """``(name, content)`` of each ``<meta>``: Highwire Press's ``citation_*`` (Google Scholar, Zotero),
    then Dublin Core's ``DC.*`` and ``DCTERMS.*``; one tag for each organisation and theme."""
    published = case.published.strftime("%Y/%m/%d")
    tags = [("citation_title", case.title)]
    tags += [("citation_author", name) for name in case.organisations]
    tags += [
        ("citation_publication_date", published),
        ("citation_online_date", published),
        ("citation_publisher", citation.site_name),
        ("citation_language", citation.language),
    ]
    if citation.keywords:
        tags.append(("citation_keywords", "; ".join(citation.keywords)))
    if citation.url:
        tags += [("citation_public_url", citation.url), ("citation_abstract_html_url", citation.url)]
    tags.append(("DC.title", case.title))
    tags += [("DC.creator", name) for name in case.organisations]
    tags += [("DC.date", _date(case.published)), ("DCTERMS.issued", _date(case.published))]
    if case.updated:
        tags.append(("DCTERMS.modified", _date(case.updated)))
    tags += [("DC.description", case.summary), ("DC.publisher", citation.site_name)]
    tags += [("DC.subject", label) for label in citation.keywords]
    tags += [("DC.type", "Text"), ("DC.format", "text/html"), ("DC.language", citation.language)]
    if citation.url:
        tags.append(("DC.identifier", citation.url))
    return tags


class CaseCitations:
    """Each case's citation, metadata and citation files, made once a build (the page asks for each twice)."""

    def __init__(self, atlas: Atlas, *, site_url: str, site_name: str, language: str = "en",
                 identifier: Callable[[Case, str], str] | None = None) -> None:
        """``identifier(case, url)`` gives a case's lasting id (the feeds' ``tag:`` URI); by default its URL."""
        self.atlas = atlas
        self.site_url = site_url
        self.site_name = site_name
        self.language = language
        self.identifier = identifier or (lambda case, url: url)
        self._citations: dict[str, CaseCitation] = {}

    def _theme_label(self, key: str) -> str:
        term = self.atlas.term("themes", key)
        return term.label if term is not None else key

    def of(self, case: Case) -> CaseCitation:
        """The case's :class:`CaseCitation`."""
        found = self._citations.get(case.slug)
        if found is None:
            found = self._citations[case.slug] = CaseCitation.of(
                case, site_url=self.site_url, site_name=self.site_name, theme_label=self._theme_label,
                language=self.language,
            )
        return found

    def forget(self, slug: str) -> None:
        """Make the citation of the case ``slug`` again when next asked (its case was saved since)."""
        self._citations.pop(slug, None)

    def json_ld(self, case: Case) -> Markup:
        """The case's JSON-LD, ready for its ``<script type="application/ld+json">``."""
        citation = self.of(case)
        identifier = self.identifier(case, citation.url) if citation.url else ""
        return script_json(json_ld(case, citation, site_url=self.site_url, identifier=identifier))

    def meta_tags(self, case: Case) -> list[tuple[str, str]]:
        """The case's ``<meta name content>`` pairs, as text: the template escapes them."""
        return meta_tags(case, self.of(case))

    def files(self, case: Case) -> dict[str, str]:
        """``{path in the site: text}`` of the case's BibTeX, RIS and CSL-JSON files."""
        return self.of(case).files()

    def paths(self) -> list[str]:
        """Where :meth:`files` puts every case's files (without making them)."""
        return [citation_path(case.slug, kind) for case in self.atlas.cases for kind in CITATION_FORMATS]
