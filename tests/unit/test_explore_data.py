"""Explore's pages and data (learning_atlas.site.explore): the pages list every current case once, and the
data the script filters from says exactly what the cases say."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json

import pytest
from conftest import SCHEMAS

from learning_atlas.contract.case import Case
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.site.explore import (
    CHUNK_SIZE, FACETS, FLAG_ARCHIVED, INDEX_PATH, PAGE_SIZE, explore_data, explore_pages, title_key,
)
from learning_atlas.site.model import Atlas

VOCABULARIES = load_case_schema(SCHEMAS).vocabularies
THEMES = [t.key for t in VOCABULARIES["themes"].terms]
REGIONS = [t.key for t in VOCABULARIES["regions"].terms]
SETTINGS = [t.key for t in VOCABULARIES["settings"].terms]


def _case(n: int, *, status: str = "published") -> Case:
    return Case(
        slug=f"case-{n:03d}", source=SCHEMAS.parent / "cases" / f"case-{n:03d}.md",
        title=f"{'Éa'[n % 2]}lpha {n % 7} ward {n}", summary="A summary of the case.", organisations=(f"Trust {n % 5}",),
        region=REGIONS[n % len(REGIONS)], settings=(SETTINGS[n % len(SETTINGS)],),
        themes=tuple(dict.fromkeys([THEMES[n % len(THEMES)], THEMES[n * 3 % len(THEMES)]])),
        commitments=(1 + n % 10,), published=dt.date(2015, 1, 1) + dt.timedelta(days=37 * n % 3000), updated=None,
        review_by=None, status=status, lead_role="Matron", lead_name=None, sections={}, measures=(),
        contact={"name": "Team", "email": "team@example.org"}, links=(), redirect_from=(), body="",
    )


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    cases = [_case(n, status="archived" if n % 13 == 0 else "published") for n in range(1, 112)]
    return Atlas(cases, VOCABULARIES, relate=False)


def _bits(text: str, count: int) -> set[int]:
    value = int.from_bytes(base64.b64decode(text), "little")
    assert value >> count == 0, "a bit is set past the last case"
    return {i for i in range(count) if value >> i & 1}


def test_the_pages_list_every_current_case_once_newest_first(atlas):
    pages = explore_pages(atlas)
    current = [c for c in atlas.cases if not c.is_archived]
    assert [c for page in pages for c in page.cases] == current
    assert all(len(page.cases) == PAGE_SIZE for page in pages[:-1]) and 0 < len(pages[-1].cases) <= PAGE_SIZE
    assert [page.url for page in pages[:3]] == ["explore/", "explore/page/2/", "explore/page/3/"]
    assert [page.first for page in pages] == [PAGE_SIZE * i for i in range(len(pages))]
    assert {page.total for page in pages} == {len(current)}
    assert {page.archived for page in pages} == {len(atlas.cases) - len(current)}
    for name in FACETS:
        for listing in atlas.listings[name]:
            assert pages[-1].counts[name].get(listing.key, 0) == len(listing.current), (name, listing.key)


def test_an_empty_atlas_has_one_empty_page():
    (page,) = explore_pages(Atlas([], VOCABULARIES, relate=False))
    assert page.url == "explore/" and page.cases == [] and page.total == 0


def test_the_index_and_the_cards_say_what_the_cases_say(atlas):
    files = explore_data(atlas)
    index = json.loads(files[INDEX_PATH])
    cases = atlas.cases
    count = len(cases)
    assert index["count"] == count and index["pageSize"] == PAGE_SIZE and index["chunkSize"] == CHUNK_SIZE
    for name in FACETS:
        assert [term[0] for term in index["facets"][name]] == [t.key for t in VOCABULARIES[name].terms]
        for key, label, bits in index["facets"][name]:
            assert label == VOCABULARIES[name].term(key).label
            assert _bits(bits, count) == {i for i, c in enumerate(cases) if key in map(str, c.terms(name))}, (name, key)
    assert _bits(index["archived"], count) == {i for i, c in enumerate(cases) if c.is_archived}
    assert sorted(index["titleOrder"]) == list(range(count))
    assert [title_key(cases[i]) for i in index["titleOrder"]] == sorted(title_key(c) for c in cases)
    # Accents and capitals do not decide the order: "Élpha" sorts as "elpha".
    assert title_key(_case(2))[0] == "elpha 2 ward 2"

    rows = []
    for n in range(-(-count // CHUNK_SIZE)):
        path = f"explore/data/{index['cards']}{n}.json"
        rows += json.loads(files[path])
    assert len(files) == 1 + -(-count // CHUNK_SIZE)
    assert [row[0] for row in rows] == [c.slug for c in cases]
    for row, case in zip(rows, cases):
        slug, title, organisations, published, region, themes, flags = row
        assert (title, organisations, published, region, themes) == (
            case.title, list(case.organisations), case.published.isoformat(), case.region, list(case.themes))
        assert bool(flags & FLAG_ARCHIVED) == case.is_archived


def test_the_cards_folder_changes_with_the_cards():
    """The chunks' folder is named by their content: an index is never read with another build's chunks."""
    cases = [_case(n) for n in range(1, 30)]
    before = json.loads(explore_data(Atlas(cases, VOCABULARIES, relate=False))[INDEX_PATH])["cards"]
    cases[5] = dataclasses.replace(cases[5], title="A new title for one of the cases")
    after = json.loads(explore_data(Atlas(cases, VOCABULARIES, relate=False))[INDEX_PATH])["cards"]
    assert before != after and before.endswith("/cards-") and after.endswith("/cards-")
