"""The contract's checks beyond the schema: dates, identifiers, contact details, unsafe HTML and links.

Each check takes a case's front matter (whatever the schema said of it: these
checks read defensively) and yields problems at the line of what is wrong.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

from learning_atlas.contract.front_matter import FrontMatter
from learning_atlas.contract.html_scan import (
    DANGEROUS_TAGS,
    URL_ATTRIBUTES,
    HtmlElement,
    html_elements,
    may_hold_html,
)
from learning_atlas.contract.placeholders import placeholder_problems
from learning_atlas.contract.problems import Problem, Severity, format_key_path, in_order
from learning_atlas.contract.reader_text import reader_text, source_offset
from learning_atlas.contract.series_checks import iso_date, series_problems
from learning_atlas.contract.source import FORBIDDEN_CHARACTERS, forbidden_character_kind

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


_SEPARATOR = "\n\x00\n"  # NUL never occurs in a case (the loader refuses it), so no match spans two texts


class CaseText:
    """Every text of a case joined into one string, so each pattern runs once per case.

    ``find(offset)`` maps an offset in the joined text back to its span.
    """

    def __init__(self, spans: list[TextSpan]) -> None:
        self.spans = spans
        self.starts: list[int] = []
        position = 0
        for span in spans:
            self.starts.append(position)
            position += len(span.text) + len(_SEPARATOR)
        self.joined = _SEPARATOR.join(span.text for span in spans)
        if "`" in self.joined or "~~~" in self.joined:
            self.without_code = _blank_code(self.joined)
        else:
            self.without_code = self.joined

    @functools.cached_property
    def reader_views(self) -> list[tuple[int, TextSpan, str, bool, bool]]:
        """The spans that could hold a number or an address, as a reader sees them (see :func:`reader_views`)."""
        return reader_views(self)

    @functools.cached_property
    def elements(self) -> list[tuple[int, HtmlElement]]:
        """``(start, element)``: the elements a browser would make of each text, code left out.

        Each text is read on its own, as each is rendered on its own; ``start`` is where the
        text begins in the joined string, so ``start + element.offset`` is the element's offset.
        """
        found: list[tuple[int, HtmlElement]] = []
        if not may_hold_html(self.without_code):
            return found
        for span, start in zip(self.spans, self.starts):
            piece = self.without_code[start:start + len(span.text)]
            found.extend((start, element) for element in html_elements(piece))
        return found

    def find(self, offset: int) -> tuple[TextSpan, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.spans[index], offset - self.starts[index]


def domain_problems(fm: FrontMatter, path: Path, slug: str, *, today: dt.date) -> list[Problem]:
    """Every domain problem of one case, in file order."""
    spans = text_spans(fm)
    controls = list(control_character_problems(fm, path, spans))
    if controls:  # a NUL written as a YAML escape must not pass for the joined text's separator
        spans = [TextSpan(s.parts, _CONTROL.sub("\ufffd", s.text), s.is_markdown) for s in spans]
    text = CaseText(spans)
    urls = _urls(text)
    problems = [
        *date_problems(fm, path, today=today),
        *nhs_number_problems(fm, path, text),
        *contact_detail_problems(fm, path, text),
        *unsafe_html_problems(fm, path, text, urls),
        *relative_link_problems(fm, path, slug, text, urls),
        *placeholder_problems(fm, path),
        *series_problems(fm, path),
        *controls,
    ]
    return in_order(problems)


def _may_link(text: str) -> bool:
    return "](" in text or "]:" in text or "<" in text or "=" in text


def text_spans(fm: FrontMatter) -> list[TextSpan]:
    """Every string and whole number in the front matter (as the reader met them), then the body."""
    spans = []
    for parts, text in fm.strings:
        key = parts[0] if parts else ""
        is_markdown = key in _MARKDOWN_KEYS or (key == "adding_value" and len(parts) == 2)
        spans.append(TextSpan(parts, text, is_markdown))
    if fm.body.strip():
        spans.append(TextSpan(("(body)",), fm.body, True))
    return spans


_MARKDOWN_KEYS = frozenset(PROSE_KEYS)

MESSAGES: dict[str, str] = {
    "date.published-future": "{published} is in the future; give the date the case was first published",
    "date.updated-before-published": (
        "{updated} is before the published date ({published}); the latest version cannot come before the first"
    ),
    "date.review-before-published": "{review_by} is not after the published date ({published})",
    "date.review-overdue": "{review_by} has passed; review the case, then set a new date",
    "privacy.nhs-number": (
        "contains what looks like an NHS number ({number}); remove it: a case study must not identify a patient"
    ),
    "privacy.email": "contains an email address ({email}); put contact details in 'contact' only",
    "privacy.phone": "contains a phone number ({phone}); put contact details in 'contact' only",
    "html.unsafe-tag": (
        "contains the tag <{tag}>, which the atlas does not allow because it could run "
        "script or change the page; remove it and write the content in Markdown"
    ),
    "html.event-handler": "contains an event-handler attribute ({attribute}=), which would run script; remove it",
    "html.script-url": "links to a {scheme} address, which could run script; link to an https:// page instead",
    "link.outside-folder": (
        "links to {url!r}, outside the case's own folder; put the file in cases/{slug}/ and link to it as '{slug}/…'"
    ),
    "link.missing-file": "links to {url!r}, which does not exist; add the file to cases/{slug}/ or fix the link",
    "text.control-character": (
        "contains the {kind} {code}, which cannot be shown on a page or put in a feed; remove it"
    ),
}
"""The wording of each domain check, by rule, as ``str.format`` templates: one source for ``atlas check``
and the submission form, which ships them to the browser (``{name!r}`` is Python's ``repr``)."""


def _line(fm: FrontMatter, span: TextSpan, offset: int) -> int:
    if span.in_body:
        return fm.body_line + span.text.count("\n", 0, offset)
    return fm.text_line(span.parts, offset)


def _at(fm: FrontMatter, path: Path, text: CaseText, offset: int, severity: Severity, message: str, rule: str) -> Problem:
    span, offset = text.find(offset)
    line = _line(fm, span, offset)
    column = 1 if span.in_body else fm.position(span.parts)[1]
    key = "(body)" if span.in_body else format_key_path(span.parts)
    return Problem(path, line, column, severity, key, message, rule)


# --- characters ----------------------------------------------------------------------------------

_CONTROL = FORBIDDEN_CHARACTERS
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # the same, for ASCII text: a faster search


def control_character_problems(fm: FrontMatter, path: Path, spans: list[TextSpan]) -> Iterator[Problem]:
    """A text holding a character no page or feed may hold (YAML's escapes can write them; the file had none)."""
    for span in spans:
        match = (_ASCII_CONTROL if span.text.isascii() else _CONTROL).search(span.text)
        if match is None:
            continue
        line = _line(fm, span, match.start())
        column = 1 if span.in_body else fm.position(span.parts)[1]
        key = "(body)" if span.in_body else format_key_path(span.parts)
        char = match.group()
        message = MESSAGES["text.control-character"].format(kind=forbidden_character_kind(char), code=f"U+{ord(char):04X}")
        yield Problem(path, line, column, Severity.ERROR, key, message, "text.control-character")


# --- dates -------------------------------------------------------------------------------------


def date_problems(fm: FrontMatter, path: Path, *, today: dt.date) -> Iterator[Problem]:
    """``published`` not in the future; ``updated`` on or after it; ``review_by`` after it, and not past."""
    data = fm.data if isinstance(fm.data, dict) else {}
    published, updated, review_by = (iso_date(data.get(k)) for k in ("published", "updated", "review_by"))

    def problem(key: str, severity: Severity, message: str, rule: str) -> Problem:
        line, column = fm.position([key])
        return Problem(path, line, column, severity, key, message, rule)

    if published and published > today:
        yield problem(
            "published", Severity.ERROR,
            MESSAGES["date.published-future"].format(published=published.isoformat()),
            "date.published-future",
        )
    if published and updated and updated < published:
        yield problem(
            "updated", Severity.ERROR,
            MESSAGES["date.updated-before-published"].format(
                updated=updated.isoformat(), published=published.isoformat()
            ),
            "date.updated-before-published",
        )
    if published and review_by and review_by <= published:
        yield problem(
            "review_by", Severity.ERROR,
            MESSAGES["date.review-before-published"].format(
                review_by=review_by.isoformat(), published=published.isoformat()
            ),
            "date.review-before-published",
        )
    elif review_by and review_by < today:
        yield problem(
            "review_by", Severity.WARNING,
            MESSAGES["date.review-overdue"].format(review_by=review_by.isoformat()),
            "date.review-overdue",
        )


# --- NHS numbers, email addresses and phone numbers, in the text as a reader sees it ------------

_DIGIT_GROUP = re.compile(r"\d+")
_GAP = re.compile(r"[-._]|[ \t]*\n?[ \t]*(?:-[ \t]*\n?[ \t]*)?")  # a dash or dot, or spaces with a line break or dash
_DAY, _MONTH = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])"
_DATE_IN = re.compile(
    rf"(?<!\d)(?:{_DAY}([-./]){_MONTH}\1(?:(?:19|20)\d\d|\d\d)|(?:19|20)\d\d([-./]){_MONTH}\2{_DAY})(?!\d)"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_ANY_DIGIT = re.compile(r"\d|&#")




_AT_OR_REFERENCE = re.compile(r"[@\uff20\ufe6b&]")  # where _MAY_HOLD_EMAIL can start: a quick first look
_MAY_HOLD_EMAIL = re.compile(r"[@\uff20\ufe6b]|&#0*64;|&#[xX]0*40;|&commat;", re.IGNORECASE)


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits pass the NHS number's modulus-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_numbers(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, digits)`` of each valid NHS number in ``text`` (a reader's view: see :mod:`reader_text`).

    Groups of digits separated by a dash, a dot, spaces, a line break inside a paragraph or a
    spaced dash run together as a reader reads them: ``943 476 5919``, ``943-476 5919``,
    ``9434 765 919``, ``94 34 76 59 19``. A number is ten digits that pass the check digit,
    either written as one group or as groups of two to five digits; a stretch that holds a date
    (``01.02.2021 10``) or a span of years (``2019-2021 58``) is a date and a figure, not a number.
    """
    run: list[re.Match[str]] = []
    for group in _DIGIT_GROUP.finditer(text):
        if run and not _GAP.fullmatch(text, run[-1].end(), group.start()):
            yield from _numbers_in_run(text, run)
            run = []
        run.append(group)
    yield from _numbers_in_run(text, run)


def _numbers_in_run(text: str, run: list[re.Match[str]]) -> Iterator[tuple[int, int, str]]:
    if sum(len(g.group()) for g in run) < 10:
        return
    gaps = [text[a.end():b.start()] for a, b in zip(run, run[1:])]
    dates = [m.span() for m in _DATE_IN.finditer(text, run[0].start(), run[-1].end())]
    for first in range(len(run)):
        digits = ""
        for last in range(first, len(run)):
            digits += run[last].group()
            if len(digits) >= 10:
                break
        if len(digits) != 10 or not is_valid_nhs_number(digits):
            continue
        groups = run[first:last + 1]
        start, end = groups[0].start(), groups[-1].end()
        if len(groups) > 1:
            between = gaps[first:last]
            if not all(2 <= len(g.group()) <= 5 for g in groups):
                continue  # 728711697 9, 2017-2016 18: a code or a span of years, and a count
            if any(gap == "." and len(g.group()) <= 2 for gap, g in zip(between, groups[1:])) and set(between) != {"."}:
                continue  # 11.30 12 345: a time or a decimal among other figures
            if any(a < end and start < b for a, b in dates) or sum(bool(_YEAR.fullmatch(g.group())) for g in groups) > 1:
                continue  # 15.03.2024 11.30, 2019 2021 58: dates, times and years
        yield start, end, digits


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)+")
_EMAIL_LOCAL_PART = re.compile(r"[A-Za-z0-9._%+-]{1,64}$")


def _emails(text: str) -> Iterator[re.Match[str]]:
    """Email addresses, found from each ``@`` (so a long run of letters is read once, not once per letter)."""
    at = text.find("@")
    while at != -1:
        local = _EMAIL_LOCAL_PART.search(text, max(0, at - 64), at)
        if local:
            match = _EMAIL.match(text, local.start())
            if match:
                yield match
                at = text.find("@", match.end())
                continue
        at = text.find("@", at + 1)

_UK_PHONE = re.compile(
    r"(?<![\w+.])(?:"
    r"(?:\+44[\s.-]?(?:\(0\)[\s.-]?)?|0)\d(?:[\s.-]?\d){8,9}"
    r"|\(0\d{2,4}\)[\s.-]?\d{3,4}[\s.-]?\d{3,4}"
    r")(?![\w]|[.-]\d)"
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reader_views(text: CaseText) -> list[tuple[int, TextSpan, str, bool, bool]]:
    """``(start, span, reader text, may hold a number, may hold an email)`` for the spans worth reading."""
    return text.reader_views


def reader_views(text: CaseText) -> list[tuple[int, TextSpan, str, bool, bool]]:
    """Each span that could hold a number (ten digits) or an address, read as a reader would read it.

    The joined text is looked at once: its digits are found with ``str.find`` (a fast scan) and
    counted per text, and at-signs likewise, so the dozens of short texts of a case (terms,
    dates, names) cost next to nothing.
    """
    joined = text.joined
    wanted: dict[int, list[bool]] = {}
    if joined.isascii() and "&" not in joined:
        positions = sorted(_positions(joined, "0123456789"))
    else:
        positions = [m.start() for m in _ANY_DIGIT.finditer(joined)]
    if len(positions) >= 10:
        starts = text.starts
        counts: dict[int, int] = {}
        for position in positions:
            index = bisect.bisect_right(starts, position) - 1
            counts[index] = counts.get(index, 0) + 1
        for index, count in counts.items():
            if count >= 10:
                wanted[index] = [True, False]
    if "@" in joined or "&" in joined or not joined.isascii():
        for match in _AT_OR_REFERENCE.finditer(joined):
            if _MAY_HOLD_EMAIL.match(joined, match.start()):
                wanted.setdefault(bisect.bisect_right(text.starts, match.start()) - 1, [False, False])[1] = True
    views = []
    for index in sorted(wanted):
        span, (numbers, emails) = text.spans[index], wanted[index]
        views.append((text.starts[index], span, reader_text(span.text, markdown=span.is_markdown), numbers, emails))
    return views


def _positions(text: str, characters: str) -> Iterator[int]:
    """Every offset in ``text`` of any of ``characters``, found by ``str.find``."""
    find = text.find
    for character in characters:
        at = find(character)
        while at != -1:
            yield at
            at = find(character, at + 1)


def nhs_number_problems(fm: FrontMatter, path: Path, text: CaseText) -> Iterator[Problem]:
    """A valid NHS number anywhere, as a reader would read it, is patient-identifiable information: an error."""
    for start, span, seen, numbers, _ in _reader_views(text):
        if not numbers:
            continue
        for begin, end, digits in nhs_numbers(seen):
            yield _at(
                fm, path, text, start + source_offset(span.text, digits), Severity.ERROR,
                MESSAGES["privacy.nhs-number"].format(number=_one_line(seen[begin:end])),
                "privacy.nhs-number",
            )


def contact_detail_problems(fm: FrontMatter, path: Path, text: CaseText) -> Iterator[Problem]:
    """Email addresses and UK phone numbers, as a reader would read them, belong in ``contact``: a warning elsewhere."""
    for start, span, seen, numbers, emails in _reader_views(text):
        if span.parts and span.parts[0] in ("contact", "links"):
            continue
        found: list[tuple[int, str, str]] = []
        if emails:
            for match in _emails(seen):
                found.append((match.start(), "privacy.email", match.group(0)))
        if numbers:
            for match in _UK_PHONE.finditer(seen):
                digits = re.sub(r"\D", "", match.group(0))
                if len(digits) == 10 and is_valid_nhs_number(digits):
                    continue  # already reported as an NHS number
                if _DATE_IN.search(match.group(0)):
                    continue  # a date and another figure, not a phone number
                found.append((match.start(), "privacy.phone", match.group(0)))
        for _, rule, shown in sorted(found):
            field = "email" if rule == "privacy.email" else "phone"
            signature = re.sub(r"[^0-9A-Za-z]", "", shown)
            yield _at(
                fm, path, text, start + source_offset(span.text, signature), Severity.WARNING,
                MESSAGES[rule].format(**{field: _one_line(shown)}), rule,
            )


# --- HTML that would run script ----------------------------------------------------------------

_CODE = re.compile(
    r"(?ms)^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)"  # fenced block
    r"|(?<!`)(`++)(?!`)[^`\n]{1,2000}+(?<!`)\2(?!`)"  # inline code span on one line
)
# Three patterns, not one alternation, so each can skip ahead to its own first character.
_INLINE_URL = re.compile(r"\]\(\s*(<[^>\n]{0,2000}>|[^)\s]+)")  # [text](url) and ![alt](url)
_REFERENCE_URL = re.compile(r"^[ \t]{0,3}\[[^\]\n]{1,999}\]:[ \t]*(<[^>\n]{0,2000}>|\S+)", re.MULTILINE)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff]+")


def _blank_code(text: str) -> str:
    """Code spans and fenced blocks show HTML as text, so blank them out (keeping offsets)."""
    return _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _markdown_urls(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, url)`` for every link target written in Markdown (inline, reference, autolink)."""
    patterns = [_INLINE_URL]
    if "]:" in text:
        patterns.append(_REFERENCE_URL)
    if "<" in text:
        patterns.append(_AUTOLINK)
    for pattern in patterns:
        for match in pattern.finditer(text):
            yield match.start(1), match.group(1).strip("<>")


def _urls(text: CaseText) -> list[tuple[int, str]]:
    """``(offset, url)`` for every link target in Markdown, and every address in HTML as a browser reads it."""
    source = text.without_code
    urls = list(_markdown_urls(source)) if _may_link(source) else []
    for start, element in text.elements:
        urls.extend((start + offset, url) for offset, url in element.urls())
    return urls


def script_scheme(url: str) -> str | None:
    """The script-running scheme a URL uses (``javascript:``…), seen as a browser would, or None."""
    cleaned = _INVISIBLE.sub("", html.unescape(html.unescape(url))).lower()
    for scheme in _SCRIPT_SCHEMES:
        if cleaned.startswith(scheme):
            return scheme
    return None


def unsafe_html_problems(
    fm: FrontMatter, path: Path, text: CaseText, urls: list[tuple[int, str]]
) -> Iterator[Problem]:
    """Raw HTML that could run script in a reader's browser: an error wherever it is.

    The HTML is read by a real HTML5 parser (:mod:`learning_atlas.contract.html_scan`), so a ``>``
    inside a quoted attribute or a comment that a browser closes early hides nothing.
    """
    for start, element in text.elements:
        if element.tag in DANGEROUS_TAGS:
            yield _at(
                fm, path, text, start + element.offset, Severity.ERROR,
                MESSAGES["html.unsafe-tag"].format(tag=element.tag),
                "html.unsafe-tag",
            )
        for attribute in element.attributes:
            if attribute.name.startswith("on"):
                yield _at(
                    fm, path, text, start + attribute.offset, Severity.ERROR,
                    MESSAGES["html.event-handler"].format(attribute=attribute.name),
                    "html.event-handler",
                )
    for offset, url in urls:
        scheme = script_scheme(url)
        if scheme:
            yield _at(
                fm, path, text, offset, Severity.ERROR,
                MESSAGES["html.script-url"].format(scheme=scheme),
                "html.script-url",
            )


# --- relative links and images -----------------------------------------------------------------

URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
"""An address that starts with a scheme (``https:``, ``mailto:``): not a link to a case's own file."""



def relative_link_problems(
    fm: FrontMatter, path: Path, slug: str, text: CaseText, urls: list[tuple[int, str]]
) -> Iterator[Problem]:
    """A relative link or image in Markdown must point at a file that exists in ``cases/<slug>/``."""
    folder = f"{slug}/"
    for offset, url in urls:
        url = url.strip()
        if not url or url.startswith(("#", "/", "?")) or URL_SCHEME.match(url) or script_scheme(url):
            continue
        if not text.find(offset)[0].is_markdown:
            continue
        target = unquote(urlsplit(url).path)
        if not target:
            continue
        normal = posixpath.normpath(target)
        if not normal.startswith(folder) or normal == folder.rstrip("/"):
            yield _at(
                fm, path, text, offset, Severity.ERROR,
                MESSAGES["link.outside-folder"].format(url=url, slug=slug),
                "link.outside-folder",
            )
        elif not (path.parent / normal).is_file():
            yield _at(
                fm, path, text, offset, Severity.ERROR,
                MESSAGES["link.missing-file"].format(url=url, slug=slug),
                "link.missing-file",
            )


# --- for the submission form -------------------------------------------------------------------

FORM_PATTERNS: dict[str, re.Pattern[str]] = {
    "digit_group": _DIGIT_GROUP,
    "gap": _GAP,
    "date_in": _DATE_IN,
    "year": _YEAR,
    "may_hold_email": _MAY_HOLD_EMAIL,
    "email": _EMAIL,
    "email_local_part": _EMAIL_LOCAL_PART,
    "uk_phone": _UK_PHONE,
    "code": _CODE,
    "inline_url": _INLINE_URL,
    "reference_url": _REFERENCE_URL,
    "autolink": _AUTOLINK,
    "invisible": _INVISIBLE,
    "scheme": URL_SCHEME,
}
"""The patterns the checks above use, by name, for the submission form to run the same checks in the
browser (``submit_form`` turns them into JavaScript regular expressions)."""

SCRIPT_SCHEMES = _SCRIPT_SCHEMES
"""The URL schemes that run script, as :func:`script_scheme` reads them."""

FORM_HTML_RULES = {"dangerousTags": sorted(DANGEROUS_TAGS), "urlAttributes": sorted(URL_ATTRIBUTES)}
"""What the form needs to read HTML as these checks do: it parses with the browser's own HTML parser."""
