"""A valid case study as typed objects: its fields, its sections in the contract's order, its figures.

What the site, the search index and the editors' tools all read of a case, made from a
:class:`~learning_atlas.contract.loader.LoadedCase` that has no errors.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learning_atlas.contract.loader import LoadedCase
from learning_atlas.contract.series_statistics import Analysis, Point, analyse
from learning_atlas.contract.vocabularies import FRONT_MATTER_KEYS

SECTIONS = (
    ("leading_change", "Leading change"),
    ("where_to_look", "Where to look"),
    ("what_to_change", "What to change"),
    ("how_to_change", "How to change"),
    ("adding_value", "Adding value"),
    ("challenges", "Challenges and lessons learnt for implementation"),
)
"""The structured sections, in the contract's order, with their headings."""

ADDING_VALUE_PARTS = (
    ("better_outcomes", "Better outcomes"),
    ("better_experience", "Better experience"),
    ("better_use_of_resources", "Better use of resources"),
)
DIMENSIONS = (("outcomes", "Better outcomes"), ("experience", "Better experience"), ("resources", "Better use of resources"))

@dataclass(frozen=True)
class Measure:
    """An impact figure, and if it has one, its series over time."""

    label: str
    value: float | int
    dimension: str
    unit: str | None = None
    baseline: float | int | None = None
    period: str | None = None
    series: tuple[Point, ...] = ()
    change_date: dt.date | None = None
    improvement: str | None = None
    target: float | int | None = None
    chart: str | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Measure":
        """A measure from a valid case's front matter (its series' dates as dates)."""
        fields = dict(data)
        if "series" in fields:
            fields["series"] = tuple(
                Point(dt.date.fromisoformat(p["date"]), float(p["value"])) for p in fields["series"]
            )
            fields["change_date"] = dt.date.fromisoformat(fields["change_date"])
        return cls(**fields)

    @functools.cached_property
    def analysis(self) -> Analysis | None:
        """What the series shows, by the rules of its chart (see ``series_statistics``), or None without one."""
        if not self.series or self.change_date is None or self.improvement is None:
            return None
        return analyse(self.series, self.change_date, self.improvement, self.chart or "run")


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class BuildsOn:
    """One case this case builds on, as its ``builds_on`` names it (the slug as written)."""

    case: str
    how: str
    note: str | None = None


@dataclass
class Case:
    """A valid case study, with its fields typed and its dates as dates."""

    slug: str
    source: Path
    title: str
    summary: str
    organisations: tuple[str, ...]
    region: str
    settings: tuple[str, ...]
    themes: tuple[str, ...]
    commitments: tuple[int, ...]
    published: dt.date
    updated: dt.date | None
    review_by: dt.date | None
    status: str
    lead_role: str
    lead_name: str | None
    sections: dict[str, Any]
    measures: tuple[Measure, ...]
    contact: dict[str, str]
    links: tuple[Link, ...]
    redirect_from: tuple[str, ...]
    body: str
    builds_on: tuple[BuildsOn, ...] = ()
    related: list["Case"] = field(default_factory=list, repr=False)

    @classmethod
    def from_loaded(cls, loaded: LoadedCase) -> "Case":
        """Build a case from a loaded file that has no errors."""
        data = loaded.data
        lead = data["lead"]
        return cls(
            slug=loaded.slug,
            source=loaded.path,
            title=data["title"].strip(),
            summary=" ".join(data["summary"].split()),
            organisations=tuple(o.strip() for o in data["organisations"]),
            region=data["region"],
            settings=tuple(data["settings"]),
            themes=tuple(data["themes"]),
            commitments=tuple(int(c) for c in data.get("commitments", ())),
            published=dt.date.fromisoformat(data["published"]),
            updated=dt.date.fromisoformat(data["updated"]) if data.get("updated") else None,
            review_by=dt.date.fromisoformat(data["review_by"]) if data.get("review_by") else None,
            status=data.get("status", "published"),
            lead_role=lead["role"].strip(),
            lead_name=(lead.get("name") or "").strip() or None,
            sections={key: data[key] for key, _ in SECTIONS if key in data},
            measures=tuple(Measure.from_data(m) for m in data.get("measures", ())),
            contact=dict(data["contact"]),
            links=tuple(Link(**link) for link in data.get("links", ())),
            redirect_from=tuple(data.get("redirect_from", ())),
            body=loaded.body,
            builds_on=tuple(
                BuildsOn(entry["case"], entry["how"], " ".join(entry["note"].split()) if entry.get("note") else None)
                for entry in data.get("builds_on", ())
            ),
        )

    @property
    def year(self) -> int:
        return self.published.year

    @property
    def latest(self) -> dt.date:
        return self.updated or self.published

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def terms(self, vocabulary: str) -> tuple:
        """The case's slugs for a vocabulary name (``regions`` gives a one-item tuple)."""
        if vocabulary == "regions":
            return (self.region,)
        return getattr(self, FRONT_MATTER_KEYS[vocabulary])

    @property
    def signal(self) -> str | None:
        """What the case's series show, as one word: ``improvement`` when any measure's series shows a signal
        of improvement after the change, else ``concern`` when any shows one of concern, else ``none``;
        None when no measure has a series."""
        verdicts = {m.analysis.verdict for m in self.measures if m.analysis is not None}
        if not verdicts:
            return None
        return next(v for v in ("improvement", "concern", "none") if v in verdicts)

    def measures_by_dimension(self) -> list[tuple[str, str, list[Measure]]]:
        """``(dimension, heading, measures)`` for each part of the triple aim that has figures."""
        groups = []
        for key, heading in DIMENSIONS:
            found = [m for m in self.measures if m.dimension == key]
            if found:
                groups.append((key, heading, found))
        return groups
