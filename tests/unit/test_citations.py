"""Citations of a case (learning_atlas.site.citation, case_metadata) read back by real parsers: BibTeX by
bibtexparser (LaTeX decoded by pylatexenc), RIS by rispy, CSL-JSON formatted by citeproc-py's Cite Them
Right Harvard style, JSON-LD expanded by pyld. Every sample case and hostile titles and organisations
come back with the values they went in with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from conftest import CASES, SCHEMAS
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from pylatexenc import latex2text
from pyld import jsonld

from learning_atlas.contract.case import Case
from learning_atlas.contract.case_assets import FILE_TYPES
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.loader import SLUG_PATTERN
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.site.case_metadata import CaseCitations, script_json
from learning_atlas.site.citation import CITATION_FORMATS, CaseCitation, citation_path, one_line
from learning_atlas.site.model import Atlas

SITE_URL = "https://atlas.example.org/"
SCHEMA = load_case_schema(SCHEMAS)
SAMPLE = [Case.from_loaded(c) for c in check_paths([CASES], SCHEMA).cases if not c.has_errors]
ACCESSED = dt.date(2026, 12, 1)

HOSTILE = [
    "Braces {unbalanced and } closing } twice {{",
    "Back\\slash \\textbf{bold} \\end{document} \\",
    'Quotes "double" and \'single\' and ``TeX\'\' quotes',
    "</script><script>alert(1)</script> <!-- and --> ]]>",
    "Line one\nTY  - JOUR\nER  - \r\nline\u2028separator\u2029paragraph",
    "Right-to-left \u202eoverride\u202c and \u05e2\u05d1\u05e8\u05d9\u05ea and \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "Emoji \U0001f3e5\U0001f469\u200d\u2695\ufe0f and Café crème",
    "Specials % & $ # _ ^ ~ @ -- --- !` ?` << >> ,, and Org and Co",
    "Very long " + "word " * 400,
    "@misc{injected, title={x}}",
]


def _sample_ids(case: Case) -> str:
    return case.slug


def _citation(case: Case) -> CaseCitation:
    atlas = Atlas([case], SCHEMA.vocabularies, relate=False)
    return CaseCitations(atlas, site_url=SITE_URL, site_name="Shared Learning Atlas").of(case)


def _hostile_case(text: str) -> Case:
    base = SAMPLE[0]
    return dataclasses.replace(base, title=text, summary=text, organisations=(text, "Second & {Org}", base.organisations[0]))


CASES_TO_CITE = [*SAMPLE, *(_hostile_case(t) for t in HOSTILE)]
IDS = [c.slug for c in SAMPLE] + [f"hostile-{i}" for i in range(len(HOSTILE))]


# --- the parsers, as a reader's tools use them ------------------------------------------------------


def _latex_decoder() -> latex2text.LatexNodes2Text:
    """pylatexenc's LaTeX-to-text, told three LaTeX2e text commands it does not know (or maps to ˆ)."""
    context = latex2text.get_default_latex_context_db()
    context.add_context_category("latex2e-text-commands", prepend=True, macros=[
        latex2text.MacroTextSpec("textbraceleft", "{"),
        latex2text.MacroTextSpec("textbraceright", "}"),
        latex2text.MacroTextSpec("textasciicircum", "^"),
    ])
    return latex2text.LatexNodes2Text(latex_context=context)


def parse_bibtex(text: str) -> dict:
    """The one entry of ``text``, its fields' LaTeX decoded to text; ``author`` as a list of names (each name
    decoded on its own: the middleware decodes a field that is a string, not a list)."""
    decoder = _latex_decoder()
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), LatexDecodingMiddleware(decoder=decoder)],
    )
    assert not library.failed_blocks, library.failed_blocks
    assert len(library.entries) == 1, [e.key for e in library.entries]
    entry = library.entries[0]
    fields = {f.key: f.value for f in entry.fields}
    fields["author"] = [decoder.latex_to_text(name) for name in fields["author"]]
    return {"type": entry.entry_type, "key": entry.key, **fields}


def harvard(item: dict, accessed: dt.date) -> str:
    """The bibliography entry citeproc-py's bundled Cite Them Right style makes of a CSL-JSON item (en-GB)."""
    item = {**item, "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]}}
    style = CitationStylesStyle("harvard-cite-them-right", locale="en-GB", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


# --- round trips -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES_TO_CITE, ids=IDS)
def test_bibtex_parses_back_to_the_case(case):
    citation = _citation(case)
    entry = parse_bibtex(citation.bibtex())
    assert entry["type"] == "misc" and entry["key"] == case.slug
    assert entry["title"] == one_line(case.title)
    assert entry["author"] == [one_line(o) for o in case.organisations]
    assert entry["year"] == str(case.published.year)
    assert entry["date"] == case.published.isoformat()
    assert entry["url"] == f"{SITE_URL}cases/{case.slug}/"
    assert entry["abstract"] == one_line(case.summary)


@pytest.mark.parametrize("case", CASES_TO_CITE, ids=IDS)
def test_ris_parses_back_to_the_case(case):
    text = _citation(case).ris()
    records = rispy.loads(text)
    assert len(records) == 1
    record = records[0]
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == one_line(case.title)
    assert record["authors"] == [one_line(o) for o in case.organisations]
    assert record["year"] == str(case.published.year)
    assert record["date"] == case.published.strftime("%Y/%m/%d/")
    assert record["urls"] == [f"{SITE_URL}cases/{case.slug}/"]
    assert record["secondary_title"] == "Shared Learning Atlas"
    assert record["abstract"] == one_line(case.summary)
    assert "unknown_tag" not in record, "a value started a tag of its own"
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in text.split("\r\n") if line), text


@pytest.mark.parametrize("case", CASES_TO_CITE, ids=IDS)
def test_the_reference_is_what_a_citation_processor_makes_of_the_csl_json(case):
    citation = _citation(case)
    items = json.loads(citation.csl_json())
    assert len(items) == 1 and items[0]["title"] == one_line(case.title)
    assert [a["literal"] for a in items[0]["author"]] == [one_line(o) for o in case.organisations]
    assert citation.reference(ACCESSED) == harvard(items[0], ACCESSED)


def test_the_reference_names_the_first_organisation_and_et_al_from_four_on():
    case = dataclasses.replace(SAMPLE[0], organisations=("A Trust", "B Trust", "C Trust", "D Trust"))
    citation = _citation(case)
    assert citation.reference(ACCESSED).startswith(f"A Trust et al. ({case.published.year}) ")
    assert citation.reference(ACCESSED) == harvard(json.loads(citation.csl_json())[0], ACCESSED)
    assert citation.reference_html(Markup("today")).startswith("A Trust <i>et al.</i> (")


@pytest.mark.parametrize("text", HOSTILE)
def test_the_reference_as_html_holds_every_value_as_text(text):
    case = _hostile_case(text)
    citation = _citation(case)
    html = citation.reference_html(Markup('<span class="when">today</span>'))
    without_tags = re.sub(r"</?i>|<span class=\"when\">|</span>", "", html)
    assert "<" not in without_tags and ">" not in without_tags, "only the reference's own tags are markup"
    assert Markup(html).striptags() == citation.reference("today")


# --- JSON-LD ---------------------------------------------------------------------------------------

LOCAL_CONTEXT = {
    "@context": {
        "@vocab": "https://schema.org/",
        "url": {"@type": "@id"}, "mainEntityOfPage": {"@type": "@id"}, "inDefinedTermSet": {"@type": "@id"},
    }
}


def _load_document(url, options=None):
    """pyld's document loader: the one context the JSON-LD names, served from here (no network)."""
    assert url.rstrip("/") == "https://schema.org", url
    return {"contextUrl": None, "documentUrl": url, "document": LOCAL_CONTEXT}


@pytest.mark.parametrize("case", CASES_TO_CITE, ids=IDS)
def test_json_ld_is_safe_in_a_script_element_and_expands_to_the_case(case):
    atlas = Atlas([case], SCHEMA.vocabularies, relate=False)
    citations = CaseCitations(atlas, site_url=SITE_URL, site_name="Shared Learning Atlas",
                              identifier=lambda c, url: f"tag:atlas.example.org,2026:cases/{c.slug}")
    script = str(citations.json_ld(case))
    for character in "<>&\u2028\u2029":
        assert character not in script
    data = json.loads(script)
    assert data["headline"] == case.title and data["abstract"] == case.summary
    [article] = jsonld.expand(data, {"documentLoader": _load_document})
    schema = "https://schema.org/"
    assert article["@type"] == [f"{schema}Article"]
    assert article[f"{schema}headline"] == [{"@value": case.title}]
    assert article[f"{schema}datePublished"] == [{"@value": case.published.isoformat()}]
    assert article[f"{schema}dateModified"] == [{"@value": case.latest.isoformat()}]
    assert [a[f"{schema}name"] for a in article[f"{schema}author"]] == [[{"@value": o}] for o in case.organisations]
    assert all(a["@type"] == [f"{schema}Organization"] for a in article[f"{schema}author"])
    assert article[f"{schema}url"] == [{"@id": f"{SITE_URL}cases/{case.slug}/"}]
    assert article[f"{schema}identifier"] == [{"@value": f"tag:atlas.example.org,2026:cases/{case.slug}"}]
    themes = [t[f"{schema}termCode"][0]["@value"] for t in article[f"{schema}about"]]
    assert themes == list(case.themes)
    assert article[f"{schema}isPartOf"][0][f"{schema}name"] == [{"@value": "Shared Learning Atlas"}]


@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.text(st.characters(exclude_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
))
def test_script_json_reads_back_the_same_whatever_it_holds(data):
    text = str(script_json(data))
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == data


@settings(max_examples=150, deadline=None)
@given(title=st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(str.strip),
       organisation=st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(str.strip))
def test_any_title_and_organisation_round_trip_through_bibtex_and_ris(title, organisation):
    case = dataclasses.replace(SAMPLE[0], title=title, organisations=(organisation,))
    citation = _citation(case)
    entry = parse_bibtex(citation.bibtex())
    assert entry["title"] == one_line(title)
    assert entry["author"] == [one_line(organisation)]
    record = rispy.loads(citation.ris())[0]
    assert record["title"] == one_line(title) and record["authors"] == [one_line(organisation)]


# --- where the files go ----------------------------------------------------------------------------


def test_citation_files_cannot_clash_with_a_case_folder_or_its_assets():
    """Beside the case's folder: a slug holds no dot, so ``cases/<slug>.bib`` is never a case's folder, a
    redirect's or anything inside one; and no asset the check allows ends as a citation file does."""
    for case in SAMPLE:
        for kind in CITATION_FORMATS:
            path = citation_path(case.slug, kind)
            folder, name = path.split("/")
            assert folder == "cases" and not SLUG_PATTERN.match(name) and "." in name
    assert not {ext for t in FILE_TYPES for ext in t.extensions} & {e.rsplit(".", 1)[-1] for e in CITATION_FORMATS.values()}


def test_a_site_without_a_site_url_cites_no_address():
    case = SAMPLE[0]
    atlas = Atlas([case], SCHEMA.vocabularies, relate=False)
    citation = CaseCitations(atlas, site_url="", site_name="Atlas").of(case)
    assert citation.url == "" and "Available at" not in citation.reference(ACCESSED)
    assert "url" not in parse_bibtex(citation.bibtex()) and "urls" not in rispy.loads(citation.ris())[0]
    assert "URL" not in json.loads(citation.csl_json())[0]
