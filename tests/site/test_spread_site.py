"""Learning that spreads on the built sample atlas: Builds on / Built on by with the lineage picture,
Most taken up, Explore's "Taken up by others", the learning collections' pages and feeds, and the open
data; and a small atlas of hostile links and collections, escaped everywhere."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import yaml
from conftest import ROOT

ATOM = "{http://www.w3.org/2005/Atom}"
HABITS = "learning-health-system-habits-london"
VACCINE = "london-covid-19-vaccine-learning-health-system"
ELECTIVE = "north-central-london-elective-recovery-learning"
FRAMEWORK = "learning-lessons-framework-north-staffordshire"
SESSIONS = "learning-lessons-sessions-and-bulletins-north-staffordshire"
COLLECTION = "harm-free-care-learning-sessions"


def _links(section) -> list[str]:
    return [a["href"].rstrip("/").rsplit("/", 1)[-1] for a in section.select("a")]


def test_a_case_shows_what_it_builds_on_with_how_and_the_note(soup_of):
    soup = soup_of(f"cases/{HABITS}/")
    section = soup.find("section", class_="atlas-lineage")
    heading = section.find("h3", id="builds-on")
    items = heading.find_next("ul").find_all("li", recursive=False)
    assert [_links(li)[0] for li in items] == [VACCINE, ELECTIVE]
    assert all("Inspired by" in li.get_text() for li in items)
    assert "five habits" in items[0].find(class_="atlas-lineage__note").get_text()
    assert section.find("h3", id="built-on-by") is None


def test_the_case_built_on_shows_who_built_on_it_and_the_uptake(soup_of):
    soup = soup_of(f"cases/{VACCINE}/")
    section = soup.find("section", class_="atlas-lineage")
    built = section.find("h3", id="built-on-by").find_next("ul")
    assert _links(built) == [HABITS]
    uptake = " ".join(section.find(class_="atlas-lineage__uptake").get_text().split())
    assert uptake == "Taken up by 1 organisation (UCLPartners), in 1 case study that builds on this one."
    framework = soup_of(f"cases/{FRAMEWORK}/").find("section", class_="atlas-lineage")
    assert _links(framework.find("h3", id="built-on-by").find_next("ul")) == [SESSIONS]


def test_the_lineage_picture_is_static_svg_that_names_itself(soup_of):
    soup = soup_of(f"cases/{HABITS}/")
    svg = soup.find("svg", class_="atlas-lineage__picture")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert svg.find("title", id=title_id).get_text() == "Lineage of this case study"
    description = svg.find("desc", id=desc_id).get_text()
    assert "builds on" in description and "Learning as we go" in description
    assert not soup.find_all("script", src=lambda s: s and "lineage" in s)  # nothing to run


def test_the_contents_list_names_the_new_sections(soup_of):
    toc = soup_of(f"cases/{HABITS}/").find("nav", class_="md-nav--secondary")
    assert [a["href"] for a in toc.select("a")][-1:] == ["#learning-spread"]
    toc = soup_of("cases/harm-free-care-collaborative-learning-session-1/").find("nav", class_="md-nav--secondary")
    assert "#in-collections" in [a["href"] for a in toc.select("a")]


def test_a_case_links_to_the_collections_it_is_in(soup_of):
    for slug in ("harm-free-care-collaborative-learning-session-1", "harm-free-care-collaborative-learning-sessions-2-and-3"):
        section = soup_of(f"cases/{slug}/").find("section", class_="atlas-in-collections")
        assert [a["href"] for a in section.select("a")] == [f"../../collections/{COLLECTION}/"]
    assert soup_of(f"cases/{HABITS}/").find("section", class_="atlas-in-collections") is None


def test_the_collection_page_lists_its_cases_in_order_with_notes(soup_of):
    data = yaml.safe_load((ROOT / "collections" / f"{COLLECTION}.yaml").read_text(encoding="utf-8"))
    soup = soup_of(f"collections/{COLLECTION}/")
    assert soup.find("h1").get_text(strip=True) == data["title"]
    items = soup.select("ol.atlas-reading-list > li")
    assert [_links(li)[0] for li in items] == [entry["case"] for entry in data["cases"]]
    for li, entry in zip(items, data["cases"]):
        assert " ".join(entry["note"].split()) in " ".join(li.get_text().split())
    assert soup.find("link", rel="alternate feed")["href"] == f"../../collections/{COLLECTION}/feed.xml"
    print_only = items[0].find(class_="atlas-print-only").get_text()
    assert "https://" in print_only and "cases/harm-free-care-collaborative-learning-session-1/" in print_only


def test_the_collections_index_and_most_taken_up(soup_of):
    index = soup_of("collections/")
    assert [a["href"] for a in index.select(".atlas-term__title a")] == [f"../collections/{COLLECTION}/"]
    taken = soup_of("most-taken-up/")
    first = [_links(li)[0] for li in taken.select("ol.atlas-taken-up > li")]
    assert set(first) == {VACCINE, ELECTIVE, FRAMEWORK}


def test_collection_feed_is_atom_of_its_cases(sample_site):
    root = ET.parse(sample_site / "collections" / COLLECTION / "feed.xml").getroot()
    hrefs = sorted(e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry"))
    assert [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs] == [
        "harm-free-care-collaborative-learning-session-1", "harm-free-care-collaborative-learning-sessions-2-and-3",
    ]


def test_feeds_and_open_data_carry_the_links(sample_site):
    root = ET.parse(sample_site / "feed.xml").getroot()
    entry = next(e for e in root.findall(f"{ATOM}entry") if e.find(f"{ATOM}link").get("href").endswith(f"/{HABITS}/"))
    related = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "related"]
    assert [r.get("title").split(":")[0] for r in related] == ["Builds on", "Builds on"]
    assert related[0].get("href").endswith(f"/cases/{VACCINE}/")
    records = {r["slug"]: r for r in json.loads((sample_site / "cases.json").read_text())["cases"]}
    assert [b["case"] for b in records[HABITS]["builds_on"]] == [VACCINE, ELECTIVE]
    assert records[HABITS]["builds_on"][0]["how"] == "inspired"
    assert records[VACCINE]["built_on_by"] == [HABITS]
    assert records[VACCINE]["taken_up_by"] == ["UCLPartners"]
    assert "builds_on" in (sample_site / "cases.csv").read_text().splitlines()[0]


def test_explore_offers_taken_up_by_others_with_its_count(sample_site, soup_of):
    soup = soup_of("explore/")
    box = soup.find("input", id="f-uptake-taken-up")
    assert box["name"] == "uptake" and box["value"] == "taken-up"
    assert box.find_next("span", class_="atlas-x__n").get_text() == "(3)"
    index = json.loads((sample_site / "explore" / "data" / "index.json").read_text())
    assert [term[:2] for term in index["facets"]["uptake"]] == [["taken-up", "Taken up by others"]]


# --- hostile links and collections -------------------------------------------------------------
# What passes atlas check but a careless page would break on: a lone "<", ampersands, both quotes,
# "]]>" (which ends an XML CDATA section) and Jinja's own braces (which a template rendered twice runs).

HOSTILE_TITLE = 'Waits < 4 hours & "quotes" ]]> {{ x }} {% raw %}'
HOSTILE_LIST = 'Reading & "quotes" ]] {{ x }} {% raw %} list'
HOSTILE_NOTE = "A note with \"quotes\" & ampersands ]] and {{ jinja }} {% raw %}"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from site_engine import build_site

    root = tmp_path_factory.mktemp("hostile-spread")
    cases = root / "cases"
    cases.mkdir()
    minimal = (ROOT / "tests" / "acceptance" / "positive" / "minimal-valid-case.md").read_text(encoding="utf-8")
    (cases / "first-case.md").write_text(minimal.replace(
        "title: Daily safety huddles on an example surgical ward", f"title: {json.dumps(HOSTILE_TITLE)}"), encoding="utf-8")
    (cases / "second-case.md").write_text(minimal.replace(
        "consent_confirmed: true",
        f"consent_confirmed: true\nbuilds_on:\n  - case: first-case\n    how: adapted\n    note: {json.dumps(HOSTILE_NOTE)}"),
        encoding="utf-8")
    (root / "collections").mkdir()
    (root / "collections" / "hostile-list.yaml").write_text(
        f"title: {json.dumps(HOSTILE_LIST)}\npurpose: {json.dumps(HOSTILE_NOTE)}\n"
        f"cases:\n  - case: first-case\n    note: {json.dumps(HOSTILE_NOTE)}\n",
        encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Hostile\n")
    (root / "mkdocs.yml").write_text(
        "site_name: Hostile\nsite_url: https://atlas.example.org/\ntheme:\n  name: material\n"
        f"plugins:\n  - atlas:\n      schemas_dir: {ROOT / 'schemas'}\n      related: facets\n      reader_search: material\n")
    site = root / "site"
    done = build_site(root / "mkdocs.yml", site, "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    return site


@pytest.mark.parametrize(("page", "shown"), [
    ("cases/first-case/index.html", [HOSTILE_TITLE, HOSTILE_NOTE]),
    ("cases/second-case/index.html", [HOSTILE_TITLE, HOSTILE_NOTE]),
    ("collections/hostile-list/index.html", [HOSTILE_LIST, HOSTILE_NOTE, HOSTILE_TITLE]),
    ("collections/index.html", [HOSTILE_LIST]),
    ("most-taken-up/index.html", [HOSTILE_TITLE]),
])
def test_hostile_titles_and_notes_are_escaped_on_every_new_page(hostile_site, page, shown):
    from bs4 import BeautifulSoup

    text = (hostile_site / page).read_text(encoding="utf-8")
    assert "Waits < 4" not in text and '& "quotes"' not in text  # never raw, in text or attribute
    soup = BeautifulSoup(text, "html.parser")
    words = " ".join(soup.get_text().split())
    for value in shown:  # read back as written: escaped once, never twice, never run as a template
        assert " ".join(value.split()) in words, value


def test_the_hostile_lineage_picture_and_feeds_parse(hostile_site):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((hostile_site / "cases" / "first-case" / "index.html").read_text(encoding="utf-8"), "html.parser")
    svg = soup.find("svg", class_="atlas-lineage__picture")
    ET.fromstring(str(svg))  # well-formed XML, whatever the titles held
    for feed in ("feed.xml", "collections/hostile-list/feed.xml"):
        root = ET.parse(hostile_site / feed).getroot()
        titles = [t.text for t in root.iter(f"{ATOM}title")]
        assert HOSTILE_TITLE in titles
    related = ET.parse(hostile_site / "feed.xml").getroot().findall(f"{ATOM}entry/{ATOM}link[@rel='related']")
    assert {link.get("title") for link in related} == {f"Builds on: {HOSTILE_TITLE}", "Built on by: Daily safety huddles on an example surgical ward"}
