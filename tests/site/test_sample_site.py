"""The built sample atlas, parsed as HTML: case pages, listings, home, explore, feeds and open data."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import yaml
from conftest import ROOT

CASES = sorted((ROOT / "cases").glob("*.md"))
SLUG = "learning-lessons-framework-north-staffordshire"
ATOM = "{http://www.w3.org/2005/Atom}"


def front_matter(slug: str) -> dict:
    text = (ROOT / "cases" / f"{slug}.md").read_text(encoding="utf-8")
    return yaml.load(text.split("---\n")[1], Loader=yaml.CSafeLoader)


def test_every_case_has_a_page(sample_site):
    built = sorted(p.parent.name for p in (sample_site / "cases").glob("*/index.html"))
    assert built == sorted(p.stem for p in CASES)


def test_case_page_sections_in_contract_order(soup_of):
    soup = soup_of(f"cases/{SLUG}/")
    headings = [h.get_text(strip=True) for h in soup.select("article h2")]
    expected = ["Leading change", "Where to look", "What to change", "How to change", "Adding value",
                "Challenges and lessons learnt for implementation", "Find out more", "Related case studies"]
    assert [h for h in headings if h in expected] == expected
    values = [h.get_text(strip=True) for h in soup.select(".atlas-value h3")]
    assert values == [v for v in ("Better outcomes", "Better experience", "Better use of resources")
                      if v.lower().replace(" ", "_") in front_matter(SLUG)["adding_value"]]
    assert "Led by: Mental Health Nurse" in soup.select_one(".atlas-byline").get_text()


def test_case_page_header(soup_of):
    data = front_matter(SLUG)
    soup = soup_of(f"cases/{SLUG}/")
    assert soup.select_one("h1").get_text(strip=True) == data["title"]
    assert soup.select_one("meta[name=description]")["content"] == " ".join(data["summary"].split())
    meta = {dt.get_text(strip=True): dd for dt, dd in zip(soup.select(".atlas-meta dt"), soup.select(".atlas-meta dd"))}
    assert [a["href"] for a in meta["Themes"].select("a")] == [f"../../themes/{t}/" for t in data["themes"]]
    assert [a["href"] for a in meta["Care settings"].select("a")] == [f"../../settings/{s}/" for s in data["settings"]]
    assert meta["Region"].select_one("a")["href"] == f"../../regions/{data['region']}/"
    assert meta["Published"].select_one("time")["datetime"] == data["published"].isoformat()
    assert soup.select_one("a[rel=edit]")["href"].endswith(f"/edit/main/cases/{SLUG}.md")


def test_impact_figures_grouped_by_triple_aim(soup_of):
    data = front_matter(SLUG)
    soup = soup_of(f"cases/{SLUG}/")
    labels = [dt.get_text(strip=True) for dt in soup.select(".atlas-figure dt")]
    assert sorted(labels) == sorted(m["label"] for m in data["measures"])
    groups = [h.get_text(strip=True) for h in soup.select(".atlas-impact h3")]
    assert all(g.startswith("Impact: better ") for g in groups)


def test_related_cases_never_self_and_at_most_five(sample_site, soup_of):
    for case in CASES:
        soup = soup_of(f"cases/{case.stem}/")
        links = [a["href"] for a in soup.select(".atlas-related .atlas-card__title a")]
        assert 1 <= len(links) <= 5
        assert f"../../cases/{case.stem}/" not in links
        assert all((sample_site / "cases" / href.split("/")[-2] / "index.html").exists() for href in links)


def test_related_cases_make_sense(soup_of):
    """The clear pairs: the two Learning Lessons cases, and the two Somerset cases, relate first."""
    pairs = [
        ("learning-lessons-framework-north-staffordshire", "learning-lessons-sessions-and-bulletins-north-staffordshire"),
        ("somerset-system-wide-improvement-training", "somerset-digital-platform-for-improvers"),
        ("harm-free-care-collaborative-learning-session-1", "harm-free-care-collaborative-learning-sessions-2-and-3"),
    ]
    for a, b in pairs + [(b, a) for a, b in pairs]:
        first = soup_of(f"cases/{a}/").select_one(".atlas-related .atlas-card__title a")["href"]
        assert first == f"../../cases/{b}/", a


def test_term_page_lists_its_cases_with_description_and_feed(soup_of):
    soup = soup_of("themes/learning-from-incidents/")
    vocab = yaml.safe_load((ROOT / "schemas/vocabularies/themes.yaml").read_text())
    term = next(t for t in vocab["terms"] if t["slug"] == "learning-from-incidents")
    assert soup.select_one("h1").get_text(strip=True) == term["label"]
    assert " ".join(term["description"].split()) in soup.select_one(".atlas-description").get_text()
    expected = {c.stem for c in CASES if "learning-from-incidents" in front_matter(c.stem)["themes"]}
    listed = {a["href"].split("/")[-2] for a in soup.select(".atlas-cards .atlas-card__title a")}
    assert listed == expected and expected
    assert soup.select_one(".atlas-count").get_text(strip=True).startswith(f"{len(expected)} case stud")
    assert soup.select_one("link[rel=alternate][type='application/atom+xml']")["href"] == "../../themes/learning-from-incidents/feed.xml"


def test_every_vocabulary_has_an_index_with_counts(soup_of):
    for name in ("themes", "settings", "regions", "commitments"):
        vocab = yaml.safe_load((ROOT / f"schemas/vocabularies/{name}.yaml").read_text())
        soup = soup_of(f"{name}/")
        entries = soup.select(".atlas-terms li")
        assert len(entries) == len(vocab["terms"])
        for entry, term in zip(entries, vocab["terms"]):
            assert entry.select_one("a").get_text(strip=True) == term["label"]
            assert entry.select_one(".atlas-term__count").get_text(strip=True).startswith("(")


def test_organisation_and_year_pages(sample_site, soup_of):
    soup = soup_of("organisations/north-staffordshire-combined-healthcare-nhs-trust/")
    assert soup.select_one("h1").get_text(strip=True) == "North Staffordshire Combined Healthcare NHS Trust"
    assert len(soup.select(".atlas-cards li")) == 2
    years = {front_matter(c.stem)["published"].year for c in CASES}
    assert {p.name for p in (sample_site / "years").iterdir() if p.is_dir()} == {str(y) for y in years}


def test_home_page_counts_newest_and_ways_in(soup_of):
    soup = soup_of("")
    stats = soup.select_one(".atlas-stats").get_text(" ", strip=True)
    assert f"{len(CASES)} case studies" in stats
    newest = [a["href"] for a in soup.select("#newest-case-studies + ul .atlas-card__title a")]
    dates = sorted(((front_matter(c.stem)["published"], c.stem) for c in CASES), reverse=True)
    assert newest == [f"./cases/{slug}/" for _, slug in dates[:6]]
    for section in ("themes", "settings", "regions", "commitments"):
        assert soup.select(f"#by-{section} + ul li a")


def test_explore_without_javascript_lists_every_case(soup_of):
    soup = soup_of("explore/")
    assert len(soup.select("#atlas-results li")) == len(CASES)
    assert "atlas-x__js" in soup.select_one("form#atlas-explore")["class"]  # shown only when the script runs


def test_open_data(sample_site):
    data = json.loads((sample_site / "cases.json").read_text())
    assert data["count"] == len(CASES)
    record = next(r for r in data["cases"] if r["slug"] == SLUG)
    fm = front_matter(SLUG)
    assert record["published"] == fm["published"].isoformat()
    assert record["themes"] == fm["themes"] and record["measures"][0]["label"] == fm["measures"][0]["label"]
    rows = list(csv.DictReader(io.StringIO((sample_site / "cases.csv").read_text())))
    assert len(rows) == len(CASES)
    assert next(r for r in rows if r["slug"] == SLUG)["themes"] == "; ".join(fm["themes"])


def test_feeds_are_valid_atom(sample_site):
    feeds = [sample_site / "feed.xml"] + sorted(sample_site.glob("*/*/feed.xml"))
    assert len(feeds) == 1 + sum(
        len(yaml.safe_load((ROOT / f"schemas/vocabularies/{n}.yaml").read_text())["terms"])
        for n in ("themes", "settings", "regions")
    )
    root = ET.parse(sample_site / "feed.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == min(20, len(CASES))
    assert entries[0].find(f"{ATOM}link").get("href").startswith("https://")


def test_sitemap_lists_case_pages(sample_site):
    root = ET.parse(sample_site / "sitemap.xml").getroot()
    urls = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    for case in CASES:
        assert any(u.endswith(f"/cases/{case.stem}/") for u in urls)


def test_print_stylesheet_is_a4(sample_site):
    css = (sample_site / "assets/atlas/atlas.css").read_text()
    assert "@page { size: A4" in css and "@media print" in css


def test_pages_declare_language_and_are_not_too_large(sample_site):
    for case in CASES:
        html = (sample_site / "cases" / case.stem / "index.html").read_text()
        assert '<html lang="en"' in html
        assert len(html.encode()) < 60_000
