"""What the site's submission form (``/submit/``) needs, shipped to the page as ``case-form.json``.

The form checks a case in the browser with the very rules and words of ``atlas check``,
taken from their one source here rather than kept a second time in JavaScript:

- the case schema ``atlas check`` validates with (vocabulary enums filled in), for Ajv;
- the wording of every schema message (``validation.MESSAGES``), every domain check
  (``domain_checks.MESSAGES``) and the placeholder check, whose messages are read off the real
  check run on a sample;
- the patterns of the domain checks (``domain_checks.FORM_PATTERNS``), the placeholder
  marker and the slug rule, turned into JavaScript regular expressions by :func:`js_regex`;
- the page's section headings (``model``) and the sanitiser's allowlist (``rendering``), so the
  preview shows the case as its page will.

The form's own words are here too: its labels and hints (:data:`FORM_FIELDS`), written for the
clinicians who fill it in rather than for the case file, and the messages only the form shows
(:data:`FORM_MESSAGES`): those about the case's web address, a field ``atlas check`` never sees
(it checks the file's name, with the same rule, ``SLUG_PATTERN``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from learning_atlas.contract import domain_checks, placeholders, reader_text, series_checks, validation
from learning_atlas.contract import series_statistics as stats
from learning_atlas.contract.case import ADDING_VALUE_PARTS, DIMENSIONS, SECTIONS
from learning_atlas.contract.front_matter import parse_front_matter
from learning_atlas.contract.loader import MAX_SLUG, MIN_SLUG, SLUG_PATTERN
from learning_atlas.contract.schema import CaseSchema
from learning_atlas.contract.source import FORBIDDEN_RANGES
from learning_atlas.site import rendering

FORMATTING_HINT = (
    "To format your text: **bold**, *italic*, a list with \"- \" at the start of each line, "
    "and a link as [text](https://example.org)."
)
"""Said under every box whose text the page formats (the case's Markdown), in words a clinician uses."""

FORM_FIELDS: dict[str, dict[str, str]] = {
    "title": {"hint": "The title of your case study, shown as the heading of its page. 10 to 160 characters."},
    "slug": {
        "label": "Web address of your case study",
        "hint": (
            "The end of your case study's web address. It is made from the title as you type; you can "
            "shorten it. Use only lower-case letters, numbers and hyphens (-) between words, "
            "3 to 80 characters."
        ),
    },
    "summary": {
        "hint": (
            "Two or three sentences saying what changed and what it achieved, as plain text without "
            "formatting, 40 to 400 characters. It is shown in lists of case studies and in search results, "
            "search engines' too."
        ),
    },
    "organisations": {
        "hint": (
            "The organisations that made the change, by their full names, for example \"North Staffordshire "
            "Combined Healthcare NHS Trust\". Each gets its own page on the atlas."
        ),
    },
    "region": {
        "hint": (
            "Where the work happened. For work in England, choose the NHS England region where the lead "
            "organisation is based. Choose National only for work across the whole of England or the UK."
        ),
    },
    "settings": {"hint": "Every care setting where the change was made or directly felt: choose 1 to 6."},
    "themes": {"hint": "What your case study is about: choose 1 to 8."},
    "commitments": {"hint": "The Leading Change, Adding Value commitments your work clearly puts into practice."},
    "published": {
        "hint": (
            "The date the case study was first published, or today's date for a new one, written as "
            "year-month-day: for example, 2025-03-15. Not in the future."
        ),
    },
    "updated": {
        "hint": (
            "If you are changing a case study already on the atlas: the date of this version, on or after "
            "the published date. For example, 2025-09-01."
        ),
    },
    "review_by": {
        "hint": (
            "The date by which the editors should check with you that the case study is still right, after "
            "the published date. For example, 2027-03-31. It is not shown on the page."
        ),
    },
    "status": {
        "hint": (
            "Published: to go on the atlas. Draft: not to be published yet. Archived: kept on the atlas and "
            "marked as archived, but left out of its lists."
        ),
    },
    "lead": {"hint": "Who led the change, shown as the \"Leading change\" line on the page."},
    "lead.role": {"hint": "For example \"Mental Health Nurse\"."},
    "lead.name": {"hint": "Only if they agreed to be named."},
    "leading_change": {"hint": "Who led the change and what it achieved. At least 50 characters."},
    "where_to_look": {"hint": "The problem or opportunity, and the evidence or policy behind it."},
    "what_to_change": {"hint": "What the team changed. At least 50 characters."},
    "how_to_change": {"hint": "How the change was made, step by step. At least 50 characters."},
    "adding_value": {
        "hint": (
            "The value the change added, against the triple aim: fill in at least one of better outcomes, "
            "better experience and better use of resources."
        ),
    },
    "adding_value.better_outcomes": {"hint": "How outcomes improved. At least 20 characters."},
    "adding_value.better_experience": {
        "hint": "How the experience of patients, families or staff improved. At least 20 characters.",
    },
    "adding_value.better_use_of_resources": {
        "hint": "How resources, such as staff time, beds or money, were used better. At least 20 characters.",
    },
    "measures": {
        "hint": (
            "Figures that show the change's impact, each traceable to a source such as an audit or a survey. "
            "They are shown on the page, grouped by the triple aim, and in the atlas's open data."
        ),
    },
    "measures[].label": {"label": "What was measured", "hint": "For example \"Staff trained in improvement methods\"."},
    "measures[].value": {"hint": "The figure achieved, as a number only: for 31%, write 31 here and % in Unit."},
    "measures[].unit": {"hint": "For example % or days."},
    "measures[].baseline": {"hint": "The figure before the change, as a number only."},
    "measures[].period": {"hint": "When the figure was measured, for example \"2019 to 2020\"."},
    "measures[].dimension": {"label": "Part of the triple aim", "hint": "Which part of the triple aim the figure shows."},
    "measures[].series": {
        "label": "The measure over time",
        "hint": (
            "If you measured it week by week, month by month or quarter by quarter, paste two columns from "
            "your spreadsheet here: the date of each point (the first day of its week, month or quarter, "
            "such as 2024-01-01 or 01/01/2024), then its value. One point a line, oldest first. The page "
            "draws them as a chart."
        ),
    },
    "measures[].change_date": {
        "label": "Date of the change",
        "hint": "When the change was introduced, for example 2024-01-01. The points before it are the baseline.",
    },
    "measures[].improvement": {"label": "Which way is better", "hint": "Whether a higher or a lower figure is better."},
    "measures[].target": {"hint": "The figure the team aimed for, as a number only. Drawn on the chart as a line."},
    "measures[].chart": {
        "label": "Kind of chart",
        "hint": (
            "A run chart, or an SPC chart as in Making Data Count, which needs at least 12 points before "
            "the change and 12 after."
        ),
    },
    "challenges": {"hint": "The challenges you met, and the lessons you learnt that would help another team."},
    "contact": {"hint": "Who readers can contact to find out more. This is the only place for an email address."},
    "contact.name": {"hint": "A person's or a team's name."},
    "contact.email": {"hint": "An email address readers can write to. A team's shared address is best."},
    "links": {"hint": "Web pages for further reading, shown under \"Find out more\"."},
    "links[].title": {"label": "Text of the link", "hint": "What the link says, for example the page's title."},
    "links[].url": {"label": "Web address of the link", "hint": "Starting with https:// or http://."},
    "consent_confirmed": {
        "label": "Consent",
        "hint": (
            "The people and organisations named in the case study have agreed to its publication on the "
            "atlas. Do not include anything that could identify a patient."
        ),
    },
    "redirect_from": {
        "label": "Old web addresses",
        "hint": (
            "Only for a case study already on the atlas whose web address has changed: the end of each old "
            "address, written as in \"Web address of your case study\". Links to an old address then lead here."
        ),
    },
    "builds_on": {
        "label": "Case studies this work builds on",
        "hint": (
            "If your team took up a change described in another case study on the atlas, name it here, so that "
            "its page shows your work under \"Built on by\". Leave it empty otherwise."
        ),
    },
    "builds_on[].case": {
        "label": "Web address of the case study",
        "hint": "The end of its web address on the atlas, for example learning-lessons-framework-north-staffordshire.",
    },
    "builds_on[].how": {
        "label": "How you took it up",
        "hint": "adopted: as it was; adapted: changed to fit; inspired: the idea, done your own way.",
    },
    "builds_on[].note": {"label": "Note", "hint": "What your work took from it, in a sentence (optional)."},
    "redirect_from[]": {"label": "Old address", "hint": "The end of a web address this case study had before."},
    "body": {
        "label": "More detail",
        "hint": (
            "Anything more, shown after the sections above: tables, more detail, references. Leave it empty "
            "if the sections say it all."
        ),
    },
}
"""The form's own label and hint for a field, in a clinician's words, where the schema's title or
description (written for the case file and ``atlas check``) would not do: keyed by the field's key
path with list items as ``[]`` (``measures[].value``), and for the two parts of a case that are not
front-matter fields, ``slug`` (the file's name: on the site, the case's address) and ``body`` (its
Markdown after the front matter). Words such as "slug", "vocabulary", ".md" stay out of them."""

_ADDRESS_RULE = (
    f"lower-case letters (a to z), numbers and single hyphens (-) between words, {MIN_SLUG} to {MAX_SLUG} characters"
)

FORM_MESSAGES: dict[str, str] = {
    "address.missing": f"Give your case study a web address: {_ADDRESS_RULE}",
    "address.invalid": f"The web address {{address!r}} can have only {_ADDRESS_RULE}{{suggestion}}",
    "address.suggestion": "; for example {suggestion!r}",
    "address.taken": (
        "The web address {address!r} is taken by the case study {title!r} already on the atlas; choose "
        "another, for example by adding your team's or organisation's name"
    ),
    "number.unit": "Put only the number, {number}, in {field}, and {unit!r} in {unitField}.",
    "number.unit-given": "Put only the number, {number}, in {field}: {unitField} already says {unit!r}.",
    "number.only": "Put only the number, {number}, in {field}, and the unit in {unitField}.",
}
"""Messages only the form shows, as ``str.format`` templates (``{name!r}`` is Python's ``repr``, as
in the shared messages). The case's web address is the file's name in ``atlas check``, which words
its problems for a file (``'x.md' is not a valid slug``); the form asks for an address. The
``number.*`` advice follows ``atlas check``'s own "must be a number, not text" on a figure typed
with its unit ("31%", "12 days", "£1,200"): the schema needs the number alone."""

LAYOUT: tuple[dict[str, Any], ...] = (
    {"id": "about", "heading": "About the case study",
     "fields": ("title", "slug", "summary", "organisations", "region", "settings", "themes", "commitments")},
    {"id": "dates", "heading": "Dates and status", "fields": ("published", "updated", "review_by", "status")},
    {"id": "lead", "heading": "Who led the change", "fields": ("lead",)},
    {"id": "story", "heading": "The change",
     "fields": ("leading_change", "where_to_look", "what_to_change", "how_to_change")},
    {"id": "value", "heading": "Adding value", "fields": ("adding_value", "measures")},
    {"id": "challenges", "heading": "Challenges and lessons learnt", "fields": ("challenges",)},
    {"id": "contact", "heading": "Find out more", "fields": ("contact", "links")},
    {"id": "builds-on", "heading": "Building on other case studies", "fields": ("builds_on",), "collapsed": True},
    {"id": "more", "heading": "More detail", "fields": ("body",)},
    {"id": "editors", "heading": "For editors: old addresses", "fields": ("redirect_from",), "collapsed": True},
    {"id": "consent", "heading": "Consent", "fields": ("consent_confirmed",)},
)
"""The form's parts, in order, and the fields each holds: every top-level key of the schema, once."""


def form_data(case_schema: CaseSchema) -> str:
    """The JSON the form page loads: the schema, vocabularies, messages, patterns and page layout."""
    vocabularies = {
        name: [{"slug": term.slug, "label": term.label} for term in vocabulary.terms]  # no descriptions: unused
        for name, vocabulary in case_schema.vocabularies.items()
    }
    singulars = {name: vocabulary.singular for name, vocabulary in case_schema.vocabularies.items()}
    patterns = {name: js_regex(pattern) for name, pattern in domain_checks.FORM_PATTERNS.items()}
    patterns["placeholder"] = js_regex(placeholders.MARKER_LINE)
    patterns["slug"] = js_regex(SLUG_PATTERN)
    patterns["heading"] = js_regex(rendering.HEADING_TAG)
    patterns["dashes"] = js_regex(reader_text.DASHES)
    data = {
        "schema": case_schema.schema,
        "vocabularies": vocabularies,
        "singulars": singulars,
        "messages": {
            "schema": validation.MESSAGES,
            "types": validation.TYPE_NAMES,
            "domain": {**domain_checks.MESSAGES, **series_checks.MESSAGES},
            "placeholder": placeholder_messages(),
            "form": FORM_MESSAGES,
        },
        "patterns": patterns,
        "scriptSchemes": list(domain_checks.SCRIPT_SCHEMES),
        "html": domain_checks.FORM_HTML_RULES,
        "forbiddenCharacters": [list(pair) for pair in FORBIDDEN_RANGES],
        "readerBlocks": sorted(reader_text.BLOCK_TAGS),
        "proseKeys": list(domain_checks.PROSE_KEYS),
        "series": {
            "keys": list(series_checks.SERIES_KEYS),
            "spcMinPoints": stats.SPC_MIN_POINTS,
            "shift": stats.SHIFT_POINTS,
            "trend": stats.TREND_POINTS,
            "spcShift": stats.SPC_SHIFT_POINTS,
            "spcTrend": stats.SPC_TREND_POINTS,
            "limitFactor": stats.LIMIT_FACTOR,
            "screenFactor": stats.SCREEN_FACTOR,
            "runsLimits": {str(n): list(pair) for n, pair in stats.RUNS_LIMITS.items()},
        },
        "fields": FORM_FIELDS,
        "formattingHint": FORMATTING_HINT,
        "layout": LAYOUT,
        "page": {
            "sections": SECTIONS,
            "addingValueParts": ADDING_VALUE_PARTS,
            "dimensions": DIMENSIONS,
        },
        "sanitiser": {
            "tags": sorted(rendering.ALLOWED_TAGS),
            "attributes": {tag: sorted(names) for tag, names in rendering.ALLOWED_ATTRIBUTES.items()},
            "schemes": sorted(rendering.URL_SCHEMES),
        },
    }
    return json.dumps(data, ensure_ascii=False)


# --- the placeholder check's messages ------------------------------------------------------------


def placeholder_messages() -> dict[str, str]:
    """The placeholder check's message for each field it names, and for any other (key ``""``)."""
    sample: dict[str, Any] = {}
    for key in [*placeholders.WANTED, "title"]:
        *parents, last = key.split(".")
        node = sample
        for parent in parents:
            node = node.setdefault(parent, {})
        node[last] = f"{placeholders.MARKER} x"
    fm, problems = parse_front_matter(f"---\n{json.dumps(sample)}\n---\n")  # JSON is YAML
    assert fm is not None and not problems, problems
    found = {p.key: p.message for p in placeholders.placeholder_problems(fm, Path("sample.md"))}
    messages = {key: found[key] for key in placeholders.WANTED}
    messages[""] = found["title"]  # a field without a wording of its own
    return messages


# --- Python regular expressions as JavaScript ones ----------------------------------------------

_WORD = r"\p{L}\p{N}_"
_FLAG_LETTERS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "a": re.ASCII}
_SYNTAX = set("^$\\.*+?()[]{}|/")
_QUANTIFIER = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")


def js_regex(pattern: re.Pattern[str]) -> dict[str, str]:
    """``pattern`` as ``{"source", "flags"}`` for ``new RegExp(source, flags)``, matching as Python does.

    The result uses JavaScript's ``u`` flag. Python's Unicode ``\\d``, ``\\w`` and ``\\b`` become
    Unicode classes, ``\\Z`` and ``\\A`` lookarounds, ``$`` without MULTILINE "end, or before a
    final newline", ``.`` without DOTALL "anything but a newline"; possessive quantifiers lose
    their ``+`` (the same matches for these patterns, which never need to give characters back),
    and escapes JavaScript refuses under ``u`` (``\\"``) lose their backslash. Anything this does
    not know how to translate raises ``ValueError``, so a new pattern cannot slip through wrongly.
    """
    source = pattern.pattern
    flags = pattern.flags
    inline = re.match(r"\(\?([a-zA-Z]+)\)", source)
    if inline:
        for letter in inline.group(1):
            if letter not in _FLAG_LETTERS:
                raise ValueError(f"inline flag {letter!r} in {source!r}")
            flags |= _FLAG_LETTERS[letter]
        source = source[inline.end():]
    if flags & re.VERBOSE:
        raise ValueError(f"verbose patterns are not translated: {source!r}")
    ascii_only = bool(flags & re.ASCII)
    out: list[str] = []
    i = 0
    in_class = False
    after_quantifier = False  # the last token was a quantifier, so a "+" now makes it possessive
    while i < len(source):
        char = source[i]
        quantifier = False
        if char == "\\":
            escaped = source[i + 1]
            out.append(_escape(escaped, in_class, ascii_only, bool(flags & re.MULTILINE), source))
            i += 2
        elif in_class:
            if char == "]":
                in_class = False
            out.append(char)
            i += 1
        elif char == "[":
            in_class = True
            if source.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            if i < len(source) and source[i] == "]":  # "[]...]" and "[^]...]": a literal "]" first
                out.append("\\]")
                i += 1
        elif char == "(" and source.startswith("(?", i):
            head = source[i:i + 4]
            if head.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!")):
                out.append("(?")
                i += 2
            else:
                raise ValueError(f"group {head!r}… in {source!r} is not translated")
        elif char in "*+?":
            if after_quantifier and char == "+":
                i += 1  # possessive: drop it
                after_quantifier = False
                continue
            out.append(char)
            i += 1
            quantifier = True
            if i < len(source) and source[i] == "?":  # lazy
                out.append("?")
                i += 1
        elif char == "{":
            match = _QUANTIFIER.match(source, i)
            if match and (match.group(1) or match.group(3)):
                low, comma, high = match.group(1) or "0", match.group(2) or "", match.group(3) or ""
                out.append("{" + low + comma + high + "}")
                i = match.end()
                quantifier = True
                if i < len(source) and source[i] == "?":
                    out.append("?")
                    i += 1
            else:
                out.append("\\{")
                i += 1
        elif char == "}":
            out.append("\\}")
            i += 1
        elif char == "$":
            out.append("$" if flags & re.MULTILINE else "(?=\\n?$)")
            i += 1
        elif char == ".":
            out.append("." if flags & re.DOTALL else "[^\\n]")
            i += 1
        else:
            out.append(char)
            i += 1
        after_quantifier = quantifier
    js_flags = "u"
    if flags & re.IGNORECASE:
        js_flags += "i"
    if flags & re.MULTILINE:
        js_flags += "m"
    if flags & re.DOTALL:
        js_flags += "s"
    return {"source": "".join(out), "flags": js_flags}


def _escape(char: str, in_class: bool, ascii_only: bool, multiline: bool, source: str) -> str:
    if char in "dws" and in_class and not ascii_only:
        return {"d": "\\p{Nd}", "w": _WORD, "s": "\\s"}[char]
    if char in "dw" and not ascii_only:
        return {"d": "\\p{Nd}", "w": f"[{_WORD}]"}[char]
    if char in "DW" and not ascii_only:
        if in_class:
            raise ValueError(f"\\{char} inside a class in {source!r} is not translated")
        return {"D": "\\P{Nd}", "W": f"[^{_WORD}]"}[char]
    if char == "b" and not in_class and not ascii_only:
        word = f"[{_WORD}]"
        return f"(?:(?<={word})(?!{word})|(?<!{word})(?={word}))"
    if char == "B" and not in_class and not ascii_only:
        word = f"[{_WORD}]"
        return f"(?:(?<={word})(?={word})|(?<!{word})(?!{word}))"
    if char == "Z":
        return "(?![\\s\\S])"
    if char == "A":
        return "(?<![\\s\\S])"
    if char.isalnum():
        if char in "dDwWsSbBntrfv0123456789" or char in "xu":
            return "\\" + char
        raise ValueError(f"escape \\{char} in {source!r} is not translated")
    if char in _SYNTAX or (char == "-" and in_class):
        return "\\" + char
    return char  # "\"" and the like: a plain character, which JavaScript's u flag refuses to escape
