"""``atlas new``'s engine: a new case file from answers, with placeholders where prose is still to write.

Free of the terminal: the CLI asks the questions (or reads flags) and fills a
:class:`CaseAnswers`; this module derives the slug, finds slugs already taken,
renders the file and checks it with the shared loader, so a scaffold is held to
exactly the rules ``atlas check`` applies.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from learning_atlas.contract.front_matter import parse_front_matter
from learning_atlas.contract.loader import CASE_SUFFIX, MAX_SLUG, MIN_SLUG, SLUG_PATTERN, load_case, slug_message
from learning_atlas.contract.placeholders import PROSE_FIELDS, placeholder_text
from learning_atlas.contract.problems import Problem
from learning_atlas.contract.schema import CaseSchema
from learning_atlas.contract.source import FORBIDDEN_CHARACTERS, SourceError, forbidden_character_kind, read_source
from learning_atlas.contract.validation import vocabulary_message
from learning_atlas.contract.vocabularies import Term, Vocabulary


_FOLDS = {"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l",
          "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i", "&": " and ", "+": " plus "}


class ScaffoldError(Exception):
    """Why a case cannot be scaffolded as asked, in words for the person asking."""


def slug_from_title(title: str) -> str | None:
    """The slug a title gives: ASCII-folded, lower-case, words joined by single hyphens, at most 80
    characters (cut at a word); ``None`` when fewer than 3 letters or digits are left."""
    text = unicodedata.normalize("NFKD", "".join(_FOLDS.get(ch, ch) for ch in title))
    # Accents (combining marks) go; letters with no ASCII form are dropped; anything else separates words.
    text = "".join(
        ch if ch.isascii() else "" if unicodedata.combining(ch) or unicodedata.category(ch)[0] in "LN" else " "
        for ch in text
    )
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[: MAX_SLUG + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut[MIN_SLUG:] else slug[:MAX_SLUG]
        slug = slug.rstrip("-")
    return slug if len(slug) >= MIN_SLUG else None


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a case file, or ``None`` when it can."""
    if SLUG_PATTERN.match(slug):
        return None
    return slug_message(slug, file_name=False)


def slug_owner(cases_dir: Path, slug: str) -> str | None:
    """Why ``slug`` is taken in ``cases_dir`` (a case file, or a case's ``redirect_from``), or ``None``.

    Only files whose text holds the slug are parsed, with the shared front-matter reader.
    """
    path = cases_dir / f"{slug}{CASE_SUFFIX}"
    if path.exists():
        return f"{path} already exists"
    for other in sorted(cases_dir.glob(f"*{CASE_SUFFIX}")):
        try:
            text = read_source(other)
            if slug not in text:
                continue
            fm, _ = parse_front_matter(text)
        except SourceError:
            continue
        redirects = fm.data.get("redirect_from") if fm is not None and isinstance(fm.data, dict) else None
        if isinstance(redirects, list) and slug in redirects:
            return f"{slug!r} is an old address of {other} (it is in that case's redirect_from)"
    return None


def free_slug(cases_dir: Path, slug: str) -> str:
    """``slug``, or ``slug-2``, ``slug-3``… : the first that no case uses (kept within 80 characters)."""
    candidate, number = slug, 2
    while slug_owner(cases_dir, candidate) is not None:
        suffix = f"-{number}"
        candidate = slug[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        number += 1
    return candidate


def choose_term(vocabulary: Vocabulary, answer: str, *, numbered: bool = False) -> Term:
    """The term an answer names: its slug or label (any case), or with ``numbered`` its number in the list.

    Raises :class:`ScaffoldError` with ``atlas check``'s message: the nearest term ("did you mean
    'north-west'?"), or else the terms to choose from.
    """
    text = answer.strip()
    if numbered and text.isdigit() and 1 <= int(text) <= len(vocabulary.terms):
        return vocabulary.terms[int(text) - 1]
    term = vocabulary.named(text)
    if term is not None:
        return term
    message = vocabulary_message(vocabulary, text)
    if numbered and vocabulary.suggest(text) is None:
        message += "; or give its number in the list above"
    raise ScaffoldError(message)


def split_choices(answer: str) -> list[str]:
    """The items of a multiple-choice answer: separated by commas, or by spaces when all are numbers."""
    if re.fullmatch(r"\s*\d+(?:\s+\d+)*\s*", answer):
        return answer.split()
    return [item.strip() for item in re.split(r"[,;]", answer) if item.strip()]


def clean_text(value: str) -> str:
    """``value`` with line endings made ``\\n`` and outer space trimmed; :class:`ScaffoldError` for a control
    character, its message for the caller to put after the field's name (``--title: holds ...``)."""
    text = re.sub(r"\r\n?|[\x85\u2028\u2029]", "\n", value).strip()
    bad = FORBIDDEN_CHARACTERS.search(text)  # the characters atlas check refuses, as it words them
    if bad:
        char = bad.group(0)
        kind = forbidden_character_kind(char)
        what = "bytes that are not UTF-8" if kind == "unpaired surrogate" else f"the {kind} U+{ord(char):04X}"
        raise ScaffoldError(f"holds {what}; type plain text")
    return text


@dataclass
class CaseAnswers:
    """Everything known about a new case; prose left out becomes placeholder text."""

    title: str = ""
    slug: str = ""
    summary: str = ""
    organisations: list[str] = field(default_factory=list)
    region: str = ""
    settings: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    commitments: list[int] = field(default_factory=list)
    published: str = ""
    review_by: str = ""
    status: str = "published"
    lead_role: str = ""
    lead_name: str = ""
    contact_name: str = ""
    contact_role: str = ""
    contact_organisation: str = ""
    contact_email: str = ""
    prose: dict[str, str] = field(default_factory=dict)
    """Markdown given for a prose field, by dotted key (``adding_value.better_outcomes``)."""
    consent_confirmed: bool = False

    @property
    def placeholders(self) -> list[str]:
        """The dotted keys that will hold placeholder text."""
        keys = [] if self.summary else ["summary"]
        return keys + [key for key in PROSE_FIELDS if not self.prose.get(key)]


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes, plus any character YAML will not take raw)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return re.sub(
        r"[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]",
        lambda m: f"\\u{ord(m.group(0)):04x}",
        quoted,
    )


def _date(text: str) -> str:
    """A date as written in case files (``2021-03-15``), or quoted when it is not in that form."""
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else quote(text)


def _block(text: str, indent: str) -> str:
    """A literal block scalar (``|``) holding ``text``, indented by ``indent``."""
    lines = text.rstrip("\n").split("\n")
    return "|\n" + "".join(f"{indent}{line}".rstrip(" ") + "\n" if line.strip() else "\n" for line in lines)


_MEASURES_EXAMPLE = """\
# measures:  # optional impact figures, each traceable to a source; remove the '# ' to use them
#   - label: Falls per 1,000 occupied bed days
#     value: 4.1
#     baseline: 6.3
#     period: April 2019 to March 2020
#     dimension: outcomes  # outcomes, experience or resources
"""

_LINKS_EXAMPLE = """\
# links:  # optional further reading; remove the '# ' to use them
#   - title: The project's report
#     url: https://www.example.org/report
"""


def render_case(answers: CaseAnswers) -> str:
    """The case file's text: front matter in the contract's order, with placeholders for missing prose."""
    out = ["---\n"]

    def prose(key: str, indent: str = "") -> str:
        given = answers.prose.get(key)
        return _block(given if given else placeholder_text(key), indent + "  ")

    if answers.title:
        out.append(f"title: {quote(answers.title)}\n")
    out.append(f"summary: {quote(answers.summary or placeholder_text('summary', width=10_000).strip())}\n")
    if answers.organisations:
        out.append("organisations:\n" + "".join(f"  - {quote(o)}\n" for o in answers.organisations))
    if answers.region:
        out.append(f"region: {answers.region}\n")
    if answers.settings:
        out.append("settings:\n" + "".join(f"  - {s}\n" for s in answers.settings))
    if answers.themes:
        out.append("themes:\n" + "".join(f"  - {t}\n" for t in answers.themes))
    if answers.commitments:
        out.append(f"commitments: [{', '.join(str(c) for c in answers.commitments)}]\n")
    if answers.published:
        out.append(f"published: {_date(answers.published)}\n")
    if answers.review_by:
        out.append(f"review_by: {_date(answers.review_by)}\n")
    out.append(f"status: {answers.status}\n")
    if answers.lead_role or answers.lead_name:
        out.append("lead:\n")
        if answers.lead_role:
            out.append(f"  role: {quote(answers.lead_role)}\n")
        if answers.lead_name:
            out.append(f"  name: {quote(answers.lead_name)}\n")
    for key in ("leading_change", "where_to_look", "what_to_change", "how_to_change"):
        out.append(f"{key}: {prose(key)}")
    out.append("adding_value:\n")
    for part in ("better_outcomes", "better_experience", "better_use_of_resources"):
        out.append(f"  {part}: {prose('adding_value.' + part, '  ')}")
    out.append(_MEASURES_EXAMPLE)
    out.append(f"challenges: {prose('challenges')}")
    out.append("contact:\n")
    for key in ("name", "role", "organisation", "email"):
        value = getattr(answers, f"contact_{key}")
        if value:
            out.append(f"  {key}: {quote(value)}\n")
    out.append(_LINKS_EXAMPLE)
    if not answers.consent_confirmed:
        out.append("# Set this to true once the people and organisations named have agreed to publication.\n")
    out.append(f"consent_confirmed: {'true' if answers.consent_confirmed else 'false'}\n")
    out.append("---\n")
    return "".join(out)


def check_answers(answers: CaseAnswers, case_schema: CaseSchema, *, today: dt.date | None = None) -> list[Problem]:
    """Every problem ``atlas check`` would find in the rendered case, but its placeholders and consent.

    The text is checked by the shared loader (from a file in a temporary folder),
    so the rules are exactly the checker's.
    """
    slug = answers.slug if answers.slug and SLUG_PATTERN.match(answers.slug) else "new-case"
    with tempfile.TemporaryDirectory(prefix="atlas-new-") as folder:
        path = Path(folder) / f"{slug}{CASE_SUFFIX}"
        path.write_text(render_case(answers), encoding="utf-8")
        case = load_case(path, case_schema, today=today)
    return [
        p for p in case.problems
        if p.is_error and p.rule != "placeholder" and not (p.key == "consent_confirmed" and not answers.consent_confirmed)
    ]


def write_case(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; never overwrites (raises :class:`ScaffoldError` if it exists)."""
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists") from None

