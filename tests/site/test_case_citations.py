"""Every built case page's metadata, read back as search engines and reference managers read it (extruct:
JSON-LD and Dublin Core; the Highwire ``citation_*`` tags as Zotero reads them), says what the case says;
its citation files are built and are what the page shows; and a renamed case's old address, the one
older citations hold, leads to the case whose citations now give the new one."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import extruct
import pytest
from bs4 import BeautifulSoup
from conftest import MINIMAL_CASE
from site_engine import build_site

from learning_atlas.site.citation import one_line


@pytest.fixture(scope="module")
def records(sample_site) -> list[dict]:
    return json.loads((sample_site / "cases.json").read_text(encoding="utf-8"))["cases"]


def _page(sample_site, slug: str) -> str:
    return (sample_site / "cases" / slug / "index.html").read_text(encoding="utf-8")


def test_every_case_page_s_json_ld_says_what_the_case_says(sample_site, records):
    for record in records:
        url = record["url"]
        data = extruct.extract(_page(sample_site, record["slug"]), base_url=url, syntaxes=["json-ld"])["json-ld"]
        assert len(data) == 1, record["slug"]
        article = data[0]
        assert article["@type"] == "Article"
        assert article["headline"] == record["title"]
        assert article["abstract"] == record["summary"]
        assert article["datePublished"] == record["published"]
        assert article["dateModified"] == (record["updated"] or record["published"])
        assert [a["name"] for a in article["author"]] == record["organisations"]
        assert article["url"] == url
        assert article["identifier"].startswith("tag:shared-learning-atlas.github.io,2026:cases/")
        assert [t["termCode"] for t in article["about"]] == record["themes"]
        assert article["isPartOf"]["name"] == article["publisher"]["name"] == "Shared Learning Atlas"


def test_every_case_page_s_dublin_core_and_highwire_tags_say_what_the_case_says(sample_site, records):
    for record in records:
        html = _page(sample_site, record["slug"])
        [dublin_core] = extruct.extract(html, base_url=record["url"], syntaxes=["dublincore"])["dublincore"]
        elements: dict[str, list[str]] = {}
        for element in dublin_core["elements"]:
            elements.setdefault(element["URI"], []).append(element["content"])
        dc = "http://purl.org/dc/elements/1.1/"
        assert elements[f"{dc}title"] == [record["title"]]
        assert elements[f"{dc}creator"] == record["organisations"]
        assert elements[f"{dc}date"] == [record["published"]]
        assert elements[f"{dc}identifier"] == [record["url"]]
        soup = BeautifulSoup(html, "html.parser")
        meta = {}
        for tag in soup.select('head meta[name^="citation_"]'):
            meta.setdefault(tag["name"], []).append(tag["content"])
        assert meta["citation_title"] == [record["title"]]
        assert meta["citation_author"] == record["organisations"]
        assert meta["citation_publication_date"] == [record["published"].replace("-", "/")]
        assert meta["citation_public_url"] == meta["citation_abstract_html_url"] == [record["url"]]
        assert soup.select_one('link[rel="canonical"]')["href"] == record["url"]


def test_every_case_page_offers_its_citation_files_and_shows_what_they_hold(sample_site, records):
    for record in records:
        slug = record["slug"]
        soup = BeautifulSoup(_page(sample_site, slug), "html.parser")
        section = soup.select_one("section.atlas-cite")
        assert section.select_one("h2").get_text() == "Cite this case"
        reference = section.select_one("#atlas-cite-reference").get_text()
        assert reference.startswith(one_line(record["organisations"][0]))
        assert f"Available at: {record['url']} (Accessed: the date you read it)." in reference
        links = {a.get_text(): a for a in section.select("a[download]")}
        assert len(links) == 3
        for ending, code in ((".bib", "bibtex"), (".ris", "ris"), (".csl.json", "csl")):
            link = next(a for a in links.values() if a["href"].endswith(f"{slug}{ending}"))
            target = sample_site / "cases" / link["href"].removeprefix("../../cases/")
            assert target.is_file(), link["href"]
            assert link["download"] == f"{slug}{ending}"
            shown = section.select_one(f"#atlas-cite-{code}").get_text()
            assert shown == target.read_text(encoding="utf-8").replace("\r\n", "\n")


RENAMED = MINIMAL_CASE.read_text(encoding="utf-8").replace(
    "consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - old-huddles"
)


def test_a_renamed_case_s_old_citation_address_leads_to_the_case(atlas_project, tmp_path):
    """A citation made before the rename holds ``cases/old-huddles/``: its page sends the reader to the case,
    whose citations (and canonical address) now give ``cases/new-huddles/``."""
    config = atlas_project({"new-huddles.md": RENAMED}, feed_tagging_entity="atlas.example.org,2026")
    site = tmp_path / "site"
    done = build_site(config, site, "--strict")
    assert done.returncode == 0, done.stderr
    old_url = "https://atlas.example.org/cases/old-huddles/"
    new_url = "https://atlas.example.org/cases/new-huddles/"
    redirect = BeautifulSoup((site / "cases" / "old-huddles" / "index.html").read_text(encoding="utf-8"), "html.parser")
    refresh = redirect.select_one('meta[http-equiv="refresh"]')["content"].split("url=", 1)[1]
    assert urljoin(old_url, refresh) == new_url
    assert redirect.select_one('link[rel="canonical"]')["href"] == new_url
    page = (site / "cases" / "new-huddles" / "index.html").read_text(encoding="utf-8")
    [article] = extruct.extract(page, base_url=new_url, syntaxes=["json-ld"])["json-ld"]
    assert article["url"] == new_url
    assert article["identifier"].startswith("tag:atlas.example.org,2026:cases/new-huddles/")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select_one('meta[name="citation_public_url"]')["content"] == new_url
    assert new_url in (site / "cases" / "new-huddles.bib").read_text(encoding="utf-8")
    assert not (site / "cases" / "old-huddles.bib").exists(), "an old address is a redirect, not a second case"
