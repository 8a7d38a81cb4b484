"""How learning spreads between cases: "Builds on", "Built on by" and who has taken a change up.

Each case's ``builds_on`` names the cases it builds on; :class:`Lineage` resolves those links once
per build (an old slug kept in some case's ``redirect_from`` leads to that case) and computes the
reverse, "Built on by", and the organisations that have taken each case's change up. The small
lineage picture of a case page is drawn here too, as static SVG (:func:`lineage_svg`): readable
without JavaScript, with a ``<title>`` and ``<desc>``, and every text from a case escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Iterable

from learning_atlas.contract.case import Case
from learning_atlas.contract.source import FORBIDDEN_CHARACTERS

HOW_LABELS = {"adopted": "Adopted", "adapted": "Adapted", "inspired": "Inspired by"}
"""How a link reads on a page: "Adopted", "Adapted", "Inspired by" (the case built on)."""


@dataclass(frozen=True)
class LineageLink:
    """A link between two cases: ``case`` is the other case; ``how`` and ``note`` are the building case's words."""

    case: Case
    how: str
    note: str | None = None

    @property
    def how_label(self) -> str:
        return HOW_LABELS.get(self.how, self.how)


@dataclass
class Lineage:
    """Every case's links both ways, resolved once per build."""

    builds_on: dict[str, list[LineageLink]] = field(default_factory=dict)
    """Slug -> the cases it builds on, in the order it lists them (cases not in the build left out)."""
    built_on_by: dict[str, list[LineageLink]] = field(default_factory=dict)
    """Slug -> the cases that build on it, newest first, each with how it took the change up."""
    taken_up_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Slug -> the organisations whose cases build on it (A to Z): those that have taken its change up.

    Its own organisations count when a case of theirs builds on it: the change spread to another
    team or service there."""

    @classmethod
    def of(cls, cases: Iterable[Case]) -> "Lineage":
        """The lineage of ``cases`` (newest first, as :class:`~learning_atlas.site.model.Atlas` holds them)."""
        cases = list(cases)
        by_slug = {case.slug: case for case in cases}
        for case in cases:
            for old in case.redirect_from:
                by_slug.setdefault(old, case)
        lineage = cls()
        for case in cases:
            seen: set[str] = set()
            for entry in case.builds_on:
                other = by_slug.get(entry.case)
                if other is None or other is case or other.slug in seen:
                    continue  # atlas check reports these; a build with invalid cases skipped leaves them out
                seen.add(other.slug)
                lineage.builds_on.setdefault(case.slug, []).append(LineageLink(other, entry.how, entry.note))
                lineage.built_on_by.setdefault(other.slug, []).append(LineageLink(case, entry.how, entry.note))
        for slug, links in lineage.built_on_by.items():
            organisations = {org for link in links for org in link.case.organisations}
            lineage.taken_up_by[slug] = tuple(sorted(organisations, key=str.lower))
        return lineage

    def uptake(self, case: Case) -> int:
        """How many organisations have taken the case's change up (in the cases that build on it)."""
        return len(self.taken_up_by.get(case.slug, ()))

    def most_taken_up(self, cases: Iterable[Case]) -> list[Case]:
        """The cases others have built on, most organisations first, then most cases, then newest."""
        built_on = [c for c in cases if self.built_on_by.get(c.slug)]
        return sorted(
            built_on,
            key=lambda c: (-self.uptake(c), -len(self.built_on_by[c.slug]), -c.published.toordinal(), c.slug),
        )


# --- the lineage picture ----------------------------------------------------------------------

WIDTH = 320
BOX_HEIGHT = 44
GAP = 28
HEADING = 22
TITLE_CHARACTERS = 38
"""A title longer than this is cut, with an ellipsis, in the picture (the list beside it has it whole)."""


def escape(text: object) -> str:
    """Text for the SVG: escaped for HTML and XML, without any character XML forbids."""
    return html.escape(FORBIDDEN_CHARACTERS.sub("", str(text)), quote=True)


def _short(text: str, limit: int = TITLE_CHARACTERS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _box(x: int, y: int, width: int, title: str, detail: str, modifier: str) -> str:
    return (
        f'<g class="atlas-lineage__node atlas-lineage__node--{modifier}">'
        f'<rect x="{x}" y="{y}" width="{width}" height="{BOX_HEIGHT}" rx="6"/>'
        f'<text x="{x + 10}" y="{y + 18}" class="atlas-lineage__title">{escape(_short(title))}</text>'
        f'<text x="{x + 10}" y="{y + 35}" class="atlas-lineage__detail">{escape(_short(detail, 44))}</text>'
        "</g>"
    )


def _arrow(y_from: int, y_to: int) -> str:
    x = WIDTH // 2
    return (
        f'<path class="atlas-lineage__arrow" d="M{x} {y_from} V{y_to - 6}"/>'
        f'<path class="atlas-lineage__head" d="M{x - 5} {y_to - 8} L{x} {y_to} L{x + 5} {y_to - 8} Z"/>'
    )


def lineage_svg(case: Case, lineage: Lineage, *, label_id: str = "atlas-lineage") -> str:
    """The case's lineage as a small static SVG: what it builds on above it, what builds on it below.

    Arrows point the way the learning went, from the case built on to the case that built on it.
    The picture names itself (``<title>``) and says what it shows in words (``<desc>``); the list
    beside it on the page holds the same links. Returns ``""`` for a case with no links either way.
    """
    above = lineage.builds_on.get(case.slug, [])
    below = lineage.built_on_by.get(case.slug, [])
    if not above and not below:
        return ""
    parts: list[str] = []
    y = 4
    if above:
        parts.append(f'<text x="0" y="{y + 14}" class="atlas-lineage__heading">Builds on</text>')
        y += HEADING
        for link in above:
            parts.append(_box(0, y, WIDTH, link.case.title, f"{link.how_label} · {link.case.organisations[0]}", "before"))
            y += BOX_HEIGHT + 8
        parts.append(_arrow(y - 8, y + GAP - 8))
        y += GAP - 8
    parts.append(_box(0, y, WIDTH, case.title, "This case study", "this"))
    y += BOX_HEIGHT
    if below:
        parts.append(_arrow(y, y + GAP))
        y += GAP
        parts.append(f'<text x="0" y="{y + 14}" class="atlas-lineage__heading">Built on by</text>')
        y += HEADING
        for link in below:
            parts.append(_box(0, y, WIDTH, link.case.title, f"{link.how_label} · {link.case.organisations[0]}", "after"))
            y += BOX_HEIGHT + 8
        y -= 8
    height = y + 4
    description = _description(case, above, below)
    return (
        f'<svg class="atlas-lineage__picture" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{label_id}-title {label_id}-desc">'
        f'<title id="{label_id}-title">Lineage of this case study</title>'
        f'<desc id="{label_id}-desc">{escape(description)}</desc>'
        + "".join(parts)
        + "</svg>"
    )


def _description(case: Case, above: list[LineageLink], below: list[LineageLink]) -> str:
    sentences = []
    if above:
        sentences.append(
            f"{case.title} builds on " + "; ".join(f"{link.case.title} ({link.how})" for link in above) + "."
        )
    if below:
        sentences.append(
            f"It is built on by " + "; ".join(f"{link.case.title} ({link.how})" for link in below) + "."
        )
    return " ".join(sentences)
