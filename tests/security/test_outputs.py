"""Whatever passes `atlas check` reaches every output only as inert text: pages, head, feeds, data, search, redirects.

Two layers: a site built with --strict from generated hostile cases (every text field holds a payload that
tries to break out of where it is printed), each output parsed as its consumer parses it; and property tests
that drive the output functions directly with arbitrary text, including what the check would refuse.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rispy
from conftest import ROOT, SCHEMAS
from hostile import MARKDOWN, ONE_LINE, write_hostile_atlas
from hypothesis import given, settings
from hypothesis import strategies as st
from justhtml import JustHTML
from learning_atlas.contract.case import Case, Link, Measure
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.contract.source import FORBIDDEN_CHARACTERS
from learning_atlas.mkdocs_plugin.plugin import GeneratedPage, theme_metadata
from learning_atlas.site import exports
from learning_atlas.site.explore import explore_data
from learning_atlas.site.model import Atlas
from learning_atlas.site.pagefind_records import record_html
from learning_atlas.site.rendering import CardRenderer, MarkdownRenderer, render_case_article
from markupsafe import Markup
from site_engine import build_site

SITE_URL = "https://atlas.example.org/"
FORMULA = tuple(exports.FORMULA_STARTS)
RUNS_SCRIPT = re.compile(r"^\s*(?:javascript|vbscript|data):", re.IGNORECASE)
OUR_SCRIPTS = re.compile(r"^/?(?:\.\./)*(?:assets/(?:atlas/|javascripts/)|pagefind/|search/)")


# --- the built site --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The site of 24 hostile cases (two seeds), built with --strict; and the values each case holds."""
    root = tmp_path_factory.mktemp("hostile")
    cases = root / "cases"
    values = {}
    for seed in (11, 12):
        batch = write_hostile_atlas(root / f"batch-{seed}", 12, seed)
        for slug, data in batch.items():
            new_slug = f"{slug}-{seed}"
            cases.mkdir(exist_ok=True)
            text = (root / f"batch-{seed}" / f"{slug}.md").read_text(encoding="utf-8")
            text = text.replace(f"old-{slug.replace('-case-', '-')}", f"old-{new_slug.replace('-case-', '-')}")
            (cases / f"{new_slug}.md").write_text(text, encoding="utf-8")
            data["redirect_from"] = [f"old-{new_slug.replace('-case-', '-')}"]
            values[new_slug] = data
        shutil.rmtree(root / f"batch-{seed}")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("---\ntemplate: atlas/home.html\n---\n\n# Hostile atlas\n")
    config = root / "mkdocs.yml"
    config.write_text(
        f"site_name: Hostile atlas\nsite_url: {SITE_URL}\nrepo_url: https://github.com/example/atlas\n"
        "theme:\n  name: material\n  language: en\n"
        f"plugins:\n  - search\n  - atlas:\n      schemas_dir: {SCHEMAS}\n"
        "      feed_tagging_entity: atlas.example.org,2026\n"
    )
    done = build_site(config, root / "site", "--strict")
    assert done.returncode == 0, done.stderr
    return root / "site", values


def _html_files(site: Path):
    return [p for p in site.rglob("*.html") if "pagefind" not in p.parts]


def _elements(document):
    stack = [document.root]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", None) or [])
        if getattr(node, "attrs", None) is not None and not node.name.startswith("#"):
            yield node


def _text(node) -> str:
    return node.to_text(separator="", strip=False)


def test_no_page_holds_script_or_a_way_out_that_came_from_a_case(hostile_site):
    site, _ = hostile_site
    checked = 0
    for page in _html_files(site):
        document = JustHTML(page.read_text(encoding="utf-8"), sanitize=False)
        is_redirect = "Moved:" in page.read_text(encoding="utf-8")[:400]
        for element in _elements(document):
            where = f"{page.relative_to(site)} <{element.name}>"
            attrs = element.attrs or {}
            assert not any(name.startswith("on") for name in attrs), where
            assert not any("zq" in name for name in attrs), where  # no attribute made from a case's text
            assert "zq" not in element.name, where
            for name in ("href", "src", "action", "formaction", "srcset", "xlink:href", "poster", "data"):
                assert not RUNS_SCRIPT.match(attrs.get(name) or ""), where
            if element.name == "script":
                source = attrs.get("src")
                if source:
                    assert OUR_SCRIPTS.match(source) or source.startswith(("https://unpkg.com/",)), where
                elif attrs.get("type") == "application/ld+json":  # data, never run: it must stay JSON
                    assert isinstance(json.loads(_text(element)), dict), where
                else:
                    assert "zq" not in _text(element) and "__atlasXss" not in _text(element), where
            if element.name in ("iframe", "object", "embed", "frame", "frameset", "applet", "base", "style"):
                assert element.name == "style" and "zq" not in _text(element), where
            if element.name == "meta" and "http-equiv" in attrs:
                assert is_redirect and re.fullmatch(r"0; url=\.\./[a-z0-9-]+/", attrs.get("content", "")), where
            if element.name == "meta":
                assert set(attrs) <= {"charset", "name", "content", "http-equiv", "property"}, where
        checked += 1
    assert checked > 24 * 2


def test_head_metadata_holds_each_value_as_text(hostile_site):
    site, values = hostile_site
    for slug, data in values.items():
        document = JustHTML((site / "cases" / slug / "index.html").read_text(encoding="utf-8"), sanitize=False)
        title = next(e for e in _elements(document) if e.name == "title")
        assert _text(title) == f"{data['title']} - Hostile atlas"
        description = [e for e in _elements(document) if e.name == "meta" and (e.attrs or {}).get("name") == "description"]
        assert [e.attrs["content"] for e in description] == [" ".join(data["summary"].split())]
        heading = next(e for e in _elements(document) if e.name == "h1")
        assert _text(heading) == data["title"]
        assert document.query("main b") == [] or all("zq" not in _text(b) for b in document.query("header b"))


def test_head_json_ld_and_citation_tags_hold_each_value_as_text(hostile_site):
    """The JSON-LD script reads back (as JSON) to the case's own title and organisations, and so do the
    citation_* tags: no payload ends the script or the attribute it is in."""
    site, values = hostile_site
    for slug, data in values.items():
        document = JustHTML((site / "cases" / slug / "index.html").read_text(encoding="utf-8"), sanitize=False)
        scripts = [e for e in _elements(document) if e.name == "script" and (e.attrs or {}).get("type") == "application/ld+json"]
        assert len(scripts) == 1, slug
        article = json.loads(_text(scripts[0]))
        assert article["headline"] == data["title"]
        assert [a["name"] for a in article["author"]] == [o.strip() for o in data["organisations"]]
        meta = [e.attrs for e in _elements(document) if e.name == "meta" and (e.attrs or {}).get("name", "").startswith("citation_")]
        assert [m["content"] for m in meta if m["name"] == "citation_title"] == [data["title"]]
        assert [m["content"] for m in meta if m["name"] == "citation_author"] == [o.strip() for o in data["organisations"]]
        [record] = rispy.loads((site / "cases" / f"{slug}.ris").read_text(encoding="utf-8"))
        assert record["title"] == " ".join(data["title"].split()), "a newline in a title never starts a RIS tag"
        assert record["authors"] == [" ".join(o.split()) for o in data["organisations"]]


def test_listing_pages_of_hostile_organisations_escape_their_names(hostile_site):
    site, values = hostile_site
    names = {org for data in values.values() for org in data["organisations"]}
    titles = set()
    for page in (site / "organisations").glob("*/index.html"):
        document = JustHTML(page.read_text(encoding="utf-8"), sanitize=False)
        titles.add(_text(next(e for e in _elements(document) if e.name == "h1")))
    assert {" ".join(n.split()) for n in names} <= titles | {n.strip() for n in names}


def test_every_feed_parses_and_holds_the_text(hostile_site):
    site, values = hostile_site
    feeds = list(site.rglob("feed.xml"))
    assert len(feeds) > 5
    titles = {data["title"] for data in values.values()}
    for feed in feeds:
        root = ET.fromstring(feed.read_bytes())  # expat: strict XML 1.0
        for entry in root.iter("{http://www.w3.org/2005/Atom}entry"):
            title = entry.find("{http://www.w3.org/2005/Atom}title").text
            assert title in titles, (feed, title)
            entry_id = entry.find("{http://www.w3.org/2005/Atom}id").text
            assert re.fullmatch(r"tag:atlas\.example\.org,2026:cases/[a-z0-9-]+/\d{4}-\d{2}-\d{2}", entry_id)


def _uncell(cell: str) -> str:
    """A CSV cell's value without the quote that made a formula text."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA) else cell


def test_open_data_round_trips_and_no_cell_is_a_formula(hostile_site):
    site, values = hostile_site
    records = {r["slug"]: r for r in json.loads((site / "cases.json").read_text(encoding="utf-8"))["cases"]}
    assert set(records) == set(values)
    for slug, data in values.items():
        assert records[slug]["title"] == data["title"]
        assert records[slug]["organisations"] == [o.strip() for o in data["organisations"]]
        assert records[slug]["links"][0]["url"] == data["links"][0]["url"]
    rows = list(csv.DictReader(io.StringIO((site / "cases.csv").read_text(encoding="utf-8"), newline="")))
    assert len(rows) == len(values)
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA), (column, cell)
        data = values[row["slug"]]
        assert _uncell(row["title"]) == data["title"]
        assert _uncell(row["organisations"]) == "; ".join(o.strip() for o in data["organisations"])
    cards = [row for chunk in (site / "explore" / "data").glob("*/cards-*.json")
             for row in json.loads(chunk.read_text(encoding="utf-8"))]
    assert {row[1] for row in cards} == {data["title"] for data in values.values()}  # Explore's cards


def test_sitemap_robots_and_redirects(hostile_site):
    site, values = hostile_site
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    locations = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locations and all(re.fullmatch(re.escape(SITE_URL) + r"[a-z0-9/-]*", loc) for loc in locations), locations
    assert (site / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {SITE_URL}sitemap.xml\n"
    for slug, data in values.items():
        old = data["redirect_from"][0]
        document = JustHTML((site / "cases" / old / "index.html").read_text(encoding="utf-8"), sanitize=False)
        title = next(e for e in _elements(document) if e.name == "title")
        assert _text(title) == f"Moved: {data['title']}"
        script = next(e for e in _elements(document) if e.name == "script")
        assert _text(script) == f'location.replace("../{slug}/" + location.hash)'


def test_search_records_hold_only_text(hostile_site):
    site, values = hostile_site
    fragments = list((site / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert len(fragments) == len(values)
    titles = {data["title"] for data in values.values()}
    for fragment in fragments:
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        assert record["meta"]["title"] in titles  # text: the search box shows it with textContent
        assert all("zq" not in value for values_ in record["filters"].values() for value in values_)


# --- the output functions, with any text ---------------------------------------------------------

ANY_TEXT = st.one_of(
    st.sampled_from([p.format(m="zq1") for p in ONE_LINE + MARKDOWN]),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60),
    st.builds(lambda a, b: a + b, st.sampled_from([p.format(m="zq2") for p in ONE_LINE]),
              st.text(st.characters(exclude_categories=("Cs",)), max_size=20)),
)
VOCABULARIES = load_case_schema(SCHEMAS).vocabularies


def _case(title, summary, org, prose, label, url_tail) -> Case:
    return Case(
        slug="any-case", source=ROOT / "cases" / "any-case.md", title=title, summary=summary, organisations=(org,),
        region="london", settings=("acute",), themes=("patient-safety",), commitments=(1,),
        published=dt.date(2021, 3, 15), updated=None, review_by=None, status="published", lead_role=label,
        lead_name=org, sections={"leading_change": prose, "adding_value": {"better_outcomes": prose}},
        measures=(Measure(label=label, value=1.5, dimension="outcomes", unit=label, period=label),),
        contact={"name": org, "role": label, "email": "team@example.org"},
        links=(Link(title=label, url="https://example.org/" + url_tail),), redirect_from=("old-any-case",), body=prose,
    )


def _clean(text: str) -> str:
    return FORBIDDEN_CHARACTERS.sub("", text)


@settings(max_examples=200, deadline=None)
@given(title=ANY_TEXT, summary=ANY_TEXT, org=ANY_TEXT, prose=ANY_TEXT, label=ANY_TEXT, url_tail=ANY_TEXT)
def test_output_functions_keep_any_text_inert(title, summary, org, prose, label, url_tail):
    case = _case(title, summary, org, prose, label, url_tail)
    atlas = Atlas([case], VOCABULARIES)

    feed = exports.atom_feed(title, SITE_URL + "feed.xml", SITE_URL, [case], SITE_URL, 10,
                             ids=exports.FeedIds("atlas.example.org,2026"))
    root = ET.fromstring(feed.encode("utf-8"))
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    shown = entry.find("{http://www.w3.org/2005/Atom}title").text or ""
    assert shown == _clean(title).replace("\r\n", "\n").replace("\r", "\n")

    record = json.loads(exports.cases_json(atlas, SITE_URL))["cases"][0]
    assert record["title"] == title and record["organisations"] == [org]
    for row in csv.reader(io.StringIO(exports.cases_csv(atlas, SITE_URL), newline="")):
        assert not any(cell.startswith(FORMULA) for cell in row), row
    cards = next(text for path, text in explore_data(atlas).items() if "/cards-" in path)
    assert json.loads(cards)[0][1] == title

    pages = [
        *exports.redirect_pages(atlas, SITE_URL).values(),
        record_html(case, atlas, render_case_article(case, MarkdownRenderer())[0]),
        "<ul>" + CardRenderer(atlas).cards([case], "..") + "</ul>",
        CardRenderer(atlas).compact_cards([case], ".."),
        CardRenderer(atlas).facet_list("themes", case.themes, ".."),
        render_case_article(case, MarkdownRenderer())[0],
    ]
    for page in pages:
        document = JustHTML(page, sanitize=False)
        for element in _elements(document):
            assert not any(name.startswith("on") for name in element.attrs or {}), page
            assert element.name not in ("iframe", "object", "embed", "base", "style", "form", "meta") or \
                (element.name == "meta" and set(element.attrs) <= {"charset", "name", "content", "http-equiv"}), page
            if element.name == "script":
                assert _text(element) == 'location.replace("../any-case/" + location.hash)', page

    meta = theme_metadata(GeneratedPage("case", title=title, case=case))
    for key, value in meta.items():
        assert isinstance(value, Markup)
        assert "<" not in value and '"' not in value and "'" not in value.replace("&#39;", "")
        assert Markup(value).unescape() == (title if key == "title" else summary)
