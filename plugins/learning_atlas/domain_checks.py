"""The contract's checks beyond the schema: dates, identifiers, contact details, unsafe HTML and links.

Each check takes a case's front matter (whatever the schema said of it: these
checks read defensively) and yields problems at the line of what is wrong.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

from .front_matter import FrontMatter
from .problems import Problem, Severity, format_key_path

PROSE_KEYS = ("leading_change", "where_to_look", "what_to_change", "how_to_change", "challenges")
"""Front-matter keys whose values are Markdown, besides the parts of ``adding_value``."""


@dataclass(frozen=True)
class TextSpan:
    """A piece of text from a case and where it lives: a front-matter path, or the body."""

    parts: tuple[str | int, ...]
    text: str
    is_markdown: bool

    @property
    def in_body(self) -> bool:
        return self.parts == ("(body)",)


def domain_problems(fm: FrontMatter, path: Path, slug: str, *, today: dt.date) -> list[Problem]:
    """Every domain problem of one case, in file order."""
    spans = list(text_spans(fm))
    problems = [
        *date_problems(fm, path, today=today),
        *nhs_number_problems(fm, path, spans),
        *contact_detail_problems(fm, path, spans),
        *unsafe_html_problems(fm, path, spans),
        *relative_link_problems(fm, path, slug, spans),
    ]
    problems.sort(key=lambda p: (p.line, p.column))
    return problems


def text_spans(fm: FrontMatter) -> Iterator[TextSpan]:
    """Every string and number in the front matter, then the body."""
    markdown_keys = set(PROSE_KEYS)

    def walk(value: Any, parts: tuple) -> Iterator[TextSpan]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, parts + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, parts + (index,))
        elif isinstance(value, str):
            is_markdown = parts[0] in markdown_keys or (parts[0] == "adding_value" and len(parts) == 2)
            yield TextSpan(parts, value, is_markdown)
        elif isinstance(value, int) and not isinstance(value, bool):
            yield TextSpan(parts, str(value), False)

    if isinstance(fm.data, dict):
        yield from walk(fm.data, ())
    if fm.body.strip():
        yield TextSpan(("(body)",), fm.body, True)


def _line(fm: FrontMatter, span: TextSpan, offset: int) -> int:
    if span.in_body:
        return fm.body_line + span.text.count("\n", 0, offset)
    return fm.text_line(span.parts, offset)


def _at(fm: FrontMatter, path: Path, span: TextSpan, offset: int, severity: Severity, message: str, rule: str) -> Problem:
    line = _line(fm, span, offset)
    column = 1 if span.in_body else fm.position(span.parts)[1]
    key = "(body)" if span.in_body else format_key_path(span.parts)
    return Problem(path, line, column, severity, key, message, rule)


# --- dates -------------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def date_problems(fm: FrontMatter, path: Path, *, today: dt.date) -> Iterator[Problem]:
    """``published`` not in the future; ``updated`` on or after it; ``review_by`` after it, and not past."""
    data = fm.data if isinstance(fm.data, dict) else {}
    published, updated, review_by = (_date(data.get(k)) for k in ("published", "updated", "review_by"))

    def problem(key: str, severity: Severity, message: str, rule: str) -> Problem:
        line, column = fm.position([key])
        return Problem(path, line, column, severity, key, message, rule)

    if published and published > today:
        yield problem(
            "published", Severity.ERROR,
            f"{published.isoformat()} is in the future; give the date the case was first published",
            "date.published-future",
        )
    if published and updated and updated < published:
        yield problem(
            "updated", Severity.ERROR,
            f"{updated.isoformat()} is before the published date ({published.isoformat()}); "
            "the latest version cannot come before the first",
            "date.updated-before-published",
        )
    if published and review_by and review_by <= published:
        yield problem(
            "review_by", Severity.ERROR,
            f"{review_by.isoformat()} is not after the published date ({published.isoformat()})",
            "date.review-before-published",
        )
    elif review_by and review_by < today:
        yield problem(
            "review_by", Severity.WARNING,
            f"{review_by.isoformat()} has passed; review the case, then set a new date",
            "date.review-overdue",
        )


# --- NHS numbers -------------------------------------------------------------------------------

_NHS_NUMBER = re.compile(r"(?<![\d])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d])")


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits pass the NHS number's modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_number_problems(fm: FrontMatter, path: Path, spans: list[TextSpan]) -> Iterator[Problem]:
    """A valid NHS number anywhere is patient-identifiable information: an error."""
    for span in spans:
        for match in _NHS_NUMBER.finditer(span.text):
            if is_valid_nhs_number(match.group(1) + match.group(3) + match.group(4)):
                yield _at(
                    fm, path, span, match.start(), Severity.ERROR,
                    f"contains what looks like an NHS number ({match.group(0)}); remove it: "
                    "a case study must not identify a patient",
                    "privacy.nhs-number",
                )


# --- contact details outside `contact` ---------------------------------------------------------

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)+")
_UK_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}"
    r"|\(0\d{2,4}\)\s?\d{3,4}[\s-]?\d{3,4}"
    r")(?![\w])"
)


def contact_detail_problems(fm: FrontMatter, path: Path, spans: list[TextSpan]) -> Iterator[Problem]:
    """Email addresses and UK phone numbers belong in ``contact`` only: a warning elsewhere."""
    for span in spans:
        if span.parts and span.parts[0] in ("contact", "links"):
            continue
        for match in _EMAIL.finditer(span.text):
            yield _at(
                fm, path, span, match.start(), Severity.WARNING,
                f"contains an email address ({match.group(0)}); put contact details in 'contact' only",
                "privacy.email",
            )
        for match in _UK_PHONE.finditer(span.text):
            digits = re.sub(r"\D", "", match.group(0))
            if len(digits) == 10 and is_valid_nhs_number(digits):
                continue  # already reported as an NHS number
            yield _at(
                fm, path, span, match.start(), Severity.WARNING,
                f"contains a phone number ({match.group(0)}); put contact details in 'contact' only",
                "privacy.phone",
            )


# --- HTML that would run script ----------------------------------------------------------------

_CODE = re.compile(
    r"(?ms)^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)"  # fenced block
    r"|(?<!`)(`++)(?!`)[^`\n]{1,2000}+(?<!`)\2(?!`)"  # inline code span on one line
)
_DANGEROUS_TAG = re.compile(
    r"<\s*(script|iframe|object|embed|form|style|base|meta|link|frame|frameset|applet|noscript|template)\b",
    re.IGNORECASE,
)
_EVENT_HANDLER = re.compile(r"[\s/\"'](on[a-z]+)\s*=", re.IGNORECASE)
_HTML_URL_ATTRIBUTE = re.compile(
    r"\b(?:href|src|srcset|action|formaction|xlink:href|data|poster|background|cite|lowsrc|dynsrc)\s*=\s*"
    r"(\"[^\"]*\"?|'[^']*'?|[^\s>]+)",
    re.IGNORECASE,
)
_MARKDOWN_URL = re.compile(
    r"\]\(\s*(<[^>\n]{0,2000}>|[^)\s]+)"  # inline link or image: [text](url) ![alt](url)
    r"|^[ \t]{0,3}\[[^\]\n]{1,999}\]:[ \t]*(<[^>\n]{0,2000}>|\S+)"  # reference definition: [id]: url
    r"|<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>",  # autolink: <scheme:...>
    re.MULTILINE,
)
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff]+")


def _tags(text: str) -> Iterator[tuple[int, int]]:
    """The spans of HTML start tags, from ``<`` to the next ``>`` (or the end), as a browser reads them."""
    start = text.find("<")
    while start != -1:
        end = text.find(">", start)
        end = len(text) if end == -1 else end
        if start + 1 < len(text) and (text[start + 1].isalpha() or text[start + 1] in "!?"):
            yield start, end
        start = text.find("<", end)


def _blank_code(text: str) -> str:
    """Code spans and fenced blocks show HTML as text, so blank them out (keeping offsets)."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _urls(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, url)`` for every link target in Markdown or HTML."""
    for match in _MARKDOWN_URL.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        yield match.start(group), match.group(group).strip("<>")
    for match in _HTML_URL_ATTRIBUTE.finditer(text):
        yield match.start(1), match.group(1).strip("\"'")


def script_scheme(url: str) -> str | None:
    """The script-running scheme a URL uses (``javascript:``…), seen as a browser would, or None."""
    cleaned = _INVISIBLE.sub("", html.unescape(html.unescape(url))).lower()
    for scheme in _SCRIPT_SCHEMES:
        if cleaned.startswith(scheme):
            return scheme
    return None


def unsafe_html_problems(fm: FrontMatter, path: Path, spans: list[TextSpan]) -> Iterator[Problem]:
    """Raw HTML that could run script in a reader's browser: an error wherever it is."""
    for span in spans:
        text = _blank_code(span.text) if span.is_markdown else span.text
        if "<" not in text and ":" not in text:
            continue
        for match in _DANGEROUS_TAG.finditer(text):
            tag = match.group(1).lower()
            yield _at(
                fm, path, span, match.start(), Severity.ERROR,
                f"contains the tag <{tag}>, which the atlas does not allow because it could run "
                "script or change the page; remove it and write the content in Markdown",
                "html.unsafe-tag",
            )
        for start, end in _tags(text):
            match = _EVENT_HANDLER.search(text, start, end)
            if match:
                yield _at(
                    fm, path, span, match.start(1), Severity.ERROR,
                    f"contains an event-handler attribute ({match.group(1).lower()}=), which would run "
                    "script; remove it",
                    "html.event-handler",
                )
        for offset, url in _urls(text):
            scheme = script_scheme(url)
            if scheme:
                yield _at(
                    fm, path, span, offset, Severity.ERROR,
                    f"links to a {scheme} address, which could run script; link to an https:// page instead",
                    "html.script-url",
                )


# --- relative links and images -----------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def relative_link_problems(fm: FrontMatter, path: Path, slug: str, spans: list[TextSpan]) -> Iterator[Problem]:
    """A relative link or image must point at a file that exists in ``cases/<slug>/``."""
    folder = f"{slug}/"
    for span in spans:
        if not span.is_markdown:
            continue
        for offset, url in _urls(_blank_code(span.text)):
            url = url.strip()
            if not url or url.startswith(("#", "/", "?")) or _SCHEME.match(url) or script_scheme(url):
                continue
            target = unquote(urlsplit(url).path)
            if not target:
                continue
            normal = posixpath.normpath(target)
            if not normal.startswith(folder) or normal == folder.rstrip("/"):
                yield _at(
                    fm, path, span, offset, Severity.ERROR,
                    f"links to {url!r}, outside the case's own folder; put the file in "
                    f"cases/{slug}/ and link to it as '{slug}/…'",
                    "link.outside-folder",
                )
            elif not (path.parent / normal).is_file():
                yield _at(
                    fm, path, span, offset, Severity.ERROR,
                    f"links to {url!r}, which does not exist; add the file to cases/{slug}/ or fix the link",
                    "link.missing-file",
                )
