"""The built sample atlas, parsed as HTML: case pages, listings, home, explore, feeds and open data."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

from urllib.parse import parse_qs, unquote, urlsplit

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


def terms_of(slug: str, vocabulary: str) -> list[str]:
    data = front_matter(slug)
    return [data["region"]] if vocabulary == "regions" else [str(v) for v in data.get(vocabulary, [])]


def key_facts(soup) -> dict:
    """A case page's key facts (its summary list) as {key: dd}, in the page's order."""
    rows = soup.select(".atlas-facts dl.atlas-summary-list > div.atlas-summary-list__row")
    return {row.select_one("dt").get_text(strip=True): row.select_one("dd") for row in rows}


def test_case_page_sections_in_contract_order(soup_of):
    soup = soup_of(f"cases/{SLUG}/")
    headings = [h.get_text(strip=True) for h in soup.select("article h2")]
    expected = ["Key facts", "Leading change", "Where to look", "What to change", "How to change", "Adding value",
                "Challenges and lessons learnt for implementation", "Find out more", "Related case studies"]
    assert [h for h in headings if h in expected] == expected
    values = [h.get_text(strip=True) for h in soup.select(".atlas-value h3")]
    assert values == [v for v in ("Better outcomes", "Better experience", "Better use of resources")
                      if v.lower().replace(" ", "_") in front_matter(SLUG)["adding_value"]]


def test_the_free_body_comes_after_the_sections_and_before_find_out_more(soup_of):
    """Its own headings place it: the table the case announces as "listed below" is below, before the contact."""
    soup = soup_of(f"cases/{SLUG}/")
    headings = [h.get_text(strip=True) for h in soup.select("article h2")]
    body = "The six elements of the framework"
    assert headings.index("Challenges and lessons learnt for implementation") < headings.index(body)
    assert headings.index(body) < headings.index("Find out more")
    heading = soup.find("h2", string=body)
    assert heading["id"] == "the-six-elements-of-the-framework"
    assert heading.find_next("table").find_previous("h2") is heading
    toc = [a["href"] for a in soup.select(".md-nav--secondary a.md-nav__link")]
    assert toc.index("#challenges") < toc.index(f"#{heading['id']}") < toc.index("#find-out-more")


def test_case_page_header(soup_of):
    data = front_matter(SLUG)
    soup = soup_of(f"cases/{SLUG}/")
    assert soup.select_one("h1").get_text(strip=True) == data["title"]
    assert soup.select_one("meta[name=description]")["content"] == " ".join(data["summary"].split())
    facts = key_facts(soup)
    assert [a["href"] for a in facts["Themes"].select("a")] == [f"../../themes/{t}/" for t in data["themes"]]
    assert [a["href"] for a in facts["Care settings"].select("a")] == [f"../../settings/{s}/" for s in data["settings"]]
    assert facts["Region"].select_one("a")["href"] == f"../../regions/{data['region']}/"
    assert facts["Published"].select_one("time")["datetime"] == data["published"].isoformat()


def test_key_facts_are_a_summary_list_under_the_title(soup_of):
    data = front_matter(SLUG)
    soup = soup_of(f"cases/{SLUG}/")
    box = soup.select_one(".atlas-facts")
    assert box.find_previous("h1") is soup.select_one("h1")
    assert box.find_next("h2", id="leading-change") is not None  # before the article
    assert box["aria-labelledby"] == "key-facts" and box.select_one("h2#key-facts").get_text(strip=True) == "Key facts"
    facts = key_facts(soup)
    assert list(facts) == ["Organisation", "Region", "Care settings", "Themes", "Commitments", "Published",
                           "Led by", "Contact"]
    assert facts["Organisation"].get_text(strip=True) == data["organisations"][0]
    assert facts["Led by"].get_text(strip=True) == data["lead"]["role"]
    assert len(facts["Commitments"].select("li")) == len(data["commitments"])
    contact = facts["Contact"]
    assert data["contact"]["name"] in contact.get_text() and data["contact"]["organisation"] in contact.get_text()
    assert contact.select_one("a")["href"] == f"mailto:{data['contact']['email']}"
    assert "Latest version" not in facts  # this case has no later version


def test_latest_version_shows_the_updated_date(soup_of):
    updated = [c.stem for c in CASES if front_matter(c.stem).get("updated")]
    assert updated, "some sample case must have an updated date, so the page's Latest version line is seen"
    for slug in updated:
        data = front_matter(slug)
        facts = key_facts(soup_of(f"cases/{slug}/"))
        assert list(facts).index("Published") + 1 == list(facts).index("Latest version")
        time = facts["Latest version"].select_one("time")
        assert time["datetime"] == data["updated"].isoformat()
        assert time.get_text(strip=True) == f"{data['updated'].day} {data['updated']:%B %Y}"
        assert data["updated"] > data["published"]
    listing = soup_of(f"years/{front_matter(updated[0])['published'].year}/")
    card = listing.select_one(f".atlas-card:has(a[href$='/cases/{updated[0]}/']) .atlas-card__dates")
    assert [t["datetime"] for t in card.select("time")] == [
        front_matter(updated[0])["published"].isoformat(), front_matter(updated[0])["updated"].isoformat()]
    assert "updated" in card.get_text()


def test_each_impact_figure_sits_beside_its_part_of_adding_value(soup_of):
    parts = {"outcomes": "better-outcomes", "experience": "better-experience", "resources": "better-use-of-resources"}
    checked = 0
    for case in CASES:
        data = front_matter(case.stem)
        soup = soup_of(f"cases/{case.stem}/")
        assert not soup.select(".atlas-impact"), "figures are no longer grouped apart from their part"
        for measure in data.get("measures", []):
            label = soup.find("dt", class_="atlas-figure__label", string=measure["label"])
            part = label.find_parent("section")
            assert f"atlas-value--{parts[measure['dimension']]}" in part["class"], (case.stem, measure["label"])
            assert "atlas-value--with-figures" in part["class"]
            assert part.select_one("dl.atlas-figures")["aria-label"].startswith("Impact figures: better ")
            checked += 1
    assert checked >= 5


def test_find_out_more_has_a_contact_the_team_action(soup_of):
    for case in CASES:
        data = front_matter(case.stem)
        soup = soup_of(f"cases/{case.stem}/")
        action = soup.select_one("#find-out-more ~ .atlas-contact a.atlas-action-link")
        assert action.get_text(strip=True) == "Contact the team"
        address = urlsplit(action["href"])
        assert (address.scheme, unquote(address.path)) == ("mailto", data["contact"]["email"])
        assert parse_qs(address.query) == {"subject": [f"Case study: {data['title']}"]}
        assert soup.select_one(".atlas-contact__email a").get_text(strip=True) == data["contact"]["email"]


def test_the_edit_link_comes_last_not_beside_the_title(soup_of):
    soup = soup_of(f"cases/{SLUG}/")
    edit = soup.select_one("a[rel=edit]")
    assert edit["href"].endswith(f"/edit/main/cases/{SLUG}.md")
    assert edit.get_text(strip=True) == "Edit this case study"
    assert len(soup.select("a[rel=edit]")) == 1 and not soup.select("article .md-content__button")
    assert edit.find_previous("h2", id="related-case-studies") is not None


def test_related_cases_are_compact_cards(soup_of):
    for case in CASES:
        related = soup_of(f"cases/{case.stem}/").select_one(".atlas-related")
        cards = related.select("ul.atlas-cards--compact > li.atlas-card--compact")
        assert cards and len(cards) == len(related.select(".atlas-card__title a"))
        for card in cards:
            assert not card.select(".atlas-card__summary, .atlas-card__facets")
            assert card.select_one(".atlas-card__meta time")


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
    feed = soup.select_one("link[rel~=alternate][type='application/atom+xml']")
    assert feed["href"] == "../../themes/learning-from-incidents/feed.xml"
    # Material fetches sitemap.xml beside every link[rel=alternate] (languages); beside a feed that is a 404.
    assert not soup.select("link[rel=alternate]")


def test_term_pages_offer_their_feed_with_a_line_saying_what_it_is(soup_of):
    for path, label in [("themes/learning-from-incidents/", "Learning from incidents"), ("regions/london/", "London"),
                        ("settings/acute/", "Acute hospitals")]:
        soup = soup_of(path)
        box = soup.select_one(".atlas-subscribe")
        link = box.select_one("a")
        assert link.get_text(strip=True) == "Subscribe to updates (Atom feed)"
        assert link["href"] == f"../../{path}feed.xml"
        hint = box.select_one(".atlas-subscribe__hint").get_text(" ", strip=True)
        assert "feed reader" in hint and label in hint and hint.count(".") == 1, hint  # one line, one sentence
    for path in ("organisations/uclpartners/", "years/2022/", "commitments/7/"):  # listings without a feed
        soup = soup_of(path)
        assert not soup.select(".atlas-subscribe") and not soup.select("link[type='application/atom+xml']"), path


def test_no_page_of_ours_shows_a_table_of_contents_of_one_entry(sample_site, soup_of):
    """Listings and indexes hide Material's contents sidebar (it would hold one link); case pages keep theirs."""
    checked = 0
    for page in sorted(sample_site.glob("*/**/index.html")):
        path = page.parent.relative_to(sample_site).as_posix() + "/"
        if path.split("/")[0] not in ("cases", "themes", "settings", "regions", "commitments", "organisations", "years"):
            continue
        if "Moved:" in page.read_text(encoding="utf-8")[:400]:
            continue  # an old address's redirect page
        soup = soup_of(path)
        sidebar = soup.select_one(".md-sidebar--secondary[data-md-type=toc]")
        entries = sidebar.select(".md-nav--secondary .md-nav__link")
        if path.startswith("cases/"):
            assert not sidebar.has_attr("hidden") and len(entries) >= 4, path
        else:
            assert sidebar.has_attr("hidden"), path
            assert soup.select_one("a.md-skip")["href"].startswith("#"), path  # the skip link keeps its target
        checked += 1
    assert checked > 50


def test_every_vocabulary_has_an_index_with_counts(soup_of):
    for name in ("themes", "settings", "regions", "commitments"):
        vocab = yaml.safe_load((ROOT / f"schemas/vocabularies/{name}.yaml").read_text())
        soup = soup_of(f"{name}/")
        entries = soup.select("ul.atlas-terms > li.atlas-term")
        assert len(entries) == len(vocab["terms"])
        for entry, term in zip(entries, vocab["terms"]):
            assert entry.select_one("h2.atlas-term__title a").get_text(strip=True) == term["label"]
            count = sum(1 for c in CASES if str(term["slug"]) in terms_of(c.stem, name))
            assert entry.select_one(".atlas-term__count").get_text(strip=True) == \
                f"{count} case stud{'y' if count == 1 else 'ies'}", term["slug"]
            assert ("atlas-term--empty" in entry["class"]) == (count == 0)


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
    # The newest case studies, newest first: the case links of their section, whatever the cards' markup.
    newest_section = soup.find("section", attrs={"aria-labelledby": "newest-case-studies"})
    newest = list(dict.fromkeys(a["href"] for a in newest_section.find_all("a", href=re.compile(r"^\./cases/[^/]+/$"))))
    dates = sorted(((front_matter(c.stem)["published"], c.stem) for c in CASES), reverse=True)
    assert newest == [f"./cases/{slug}/" for _, slug in dates[:6]]
    # Ways in: a card for themes, care settings and regions, each term with its number of case studies.
    fields = {"themes": "themes", "settings": "settings", "regions": "region"}
    for section, field in fields.items():
        card = soup.select_one(f"#by-{section}").find_parent("li")
        assert "atlas-way" in card["class"]
        terms = card.select(".atlas-way__terms > li")
        assert terms, section
        for term in terms:
            slug = term.a["href"].split("/")[-2]
            count = sum(1 for c in CASES if slug in _as_list(front_matter(c.stem)[field])
                        and front_matter(c.stem).get("status") != "archived")
            assert term.select_one(".atlas-way__count").get_text(" ", strip=True).split()[0] == str(count), slug
        assert card.select_one(".atlas-way__all a")["href"] == f"./{section}/"
    for section in ("organisations", "commitments", "years"):
        assert soup.select(f'a[href="./{section}/"]'), section


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


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
    feeds = [sample_site / "feed.xml"] + sorted(
        p for p in sample_site.glob("*/*/feed.xml") if p.parent.parent.name != "collections"  # test_spread_site's
    )
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


def test_print_stylesheet_is_a4_and_case_pages_load_it(sample_site, soup_of):
    css = (sample_site / "assets/atlas/case.css").read_text()
    assert "@page { size: A4" in css and "@media print" in css
    for path in (f"cases/{SLUG}/", "themes/learning-from-incidents/", "themes/"):
        links = [link["href"] for link in soup_of(path).select("head link[rel=stylesheet]")]
        # After the site's, so its rules win; on a case page only "Cite this case"'s own follows it.
        ours = [link for link in links if link.endswith(("assets/atlas/case.css", "assets/atlas/cite.css"))]
        assert links[-len(ours):] == ours and ours[0].endswith("assets/atlas/case.css"), path


def test_pages_declare_language_and_are_not_too_large(sample_site):
    for case in CASES:
        html = (sample_site / "cases" / case.stem / "index.html").read_text()
        assert '<html lang="en"' in html
        assert len(html.encode()) < 60_000
