"""Generated pages drawn faster (mkdocs_plugin/shared_layout.py) are the same pages, byte for byte.

The layout blocks that neighbouring pages share are rendered once; ``shared_layout: false``
renders every block for every page. The two builds must not differ in a single byte, on the
sample atlas and on atlases built to defeat the sharing: a navigation that links into a case's
own folder, case files named like the site's sections, and a site that overrides a partial
with one that prints the page's own address.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINIMAL_CASE
from site_engine import build_site
from site_helpers import comparable_site, describe_differences

from learning_atlas.mkdocs_plugin.shared_layout import SHARED_BLOCKS, SharedLayout, TemplateOnlyPage

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "plugins/learning_atlas/mkdocs_plugin/templates/theme/main.html"
VALID = MINIMAL_CASE.read_text(encoding="utf-8")

pytest.importorskip("mkdocs")
from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402


def _case(title: str) -> str:
    return VALID.replace("title: Daily safety huddles on an example surgical ward", f"title: {title}")


def _build_in_process(config_file: Path, site: Path, *, shared: bool) -> dict[str, object]:
    option = dict(MkDocsConfig._schema)["plugins"]
    saved = dict(option.plugin_cache)
    option.plugin_cache.clear()
    try:
        config = load_config(config_file=str(config_file), site_dir=str(site))
        config.plugins["atlas"].config.shared_layout = shared
        config.plugins["atlas"].config.parallel_pages = shared
        build(config)
    finally:
        option.plugin_cache.clear()
        option.plugin_cache.update(saved)
    return comparable_site(site)


def _same(with_sharing: dict, without: dict) -> None:
    assert with_sharing == without, describe_differences(with_sharing, without, ("shared", "unshared"))


def test_the_sample_atlas_is_the_same_byte_for_byte(tmp_path):
    _same(_build_in_process(ROOT / "mkdocs.yml", tmp_path / "on", shared=True),
          _build_in_process(ROOT / "mkdocs.yml", tmp_path / "off", shared=False))


def test_hostile_layouts_are_the_same_byte_for_byte(atlas_project, tmp_path):
    """A nav entry inside a case's folder, cases named like sections; built both ways, by the engine."""
    cases = {f"{name}.md": _case(f"Daily huddles, case {name}") for name in ("index", "explore", "cases", "ward-a", "ward-b")}
    cases["nested-ward.md"] = _case("A nested ward")
    cases.update({f"ward-{n}.md": _case(f"Daily huddles on ward {n}") for n in range(50)})  # enough to draw ahead
    config = atlas_project(cases)
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "nav:\n  - Home: index.md\n  - Ward A: cases/ward-a.md\n"
                      "  - A file in ward B's folder: cases/ward-b/report/\n  - Explore: explore/index.md\n")
    sites = {}
    for shared in (True, False):
        config.write_text(re.sub(r"\n      (shared_layout|parallel_pages): \w+", "", config.read_text()).replace(
            "  - atlas:\n", f"  - atlas:\n      shared_layout: {str(shared).lower()}\n      parallel_pages: {str(shared).lower()}\n"))
        site = tmp_path / f"site-{shared}"
        done = build_site(config, site)
        assert done.returncode == 0, done.stderr
        sites[shared] = comparable_site(site)
    _same(sites[True], sites[False])
    page = sites[True]["cases/ward-b/index.html"].decode()
    assert 'href="report/"' in page, "the nav's link into ward B's own folder is relative to ward B"
    assert 'href="../ward-b/report/"' in sites[True]["cases/ward-a/index.html"].decode()


def test_a_site_that_overrides_a_layout_partial_shares_nothing(atlas_project, tmp_path):
    """A footer of the site's own that prints the page's address: each case page shows its own."""
    config = atlas_project({"ward-a.md": _case("Daily huddles on ward A"), "ward-b.md": _case("Daily huddles on ward B")})
    overrides = tmp_path / "overrides" / "partials"
    overrides.mkdir(parents=True)
    (overrides / "footer.html").write_text('<footer><p class="where">This page: {{ page.url }}</p></footer>\n')
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))
    site = tmp_path / "site"
    done = build_site(config, site)
    assert done.returncode == 0, done.stderr
    for slug in ("ward-a", "ward-b"):
        html = (site / f"cases/{slug}/index.html").read_text(encoding="utf-8")
        assert f'<p class="where">This page: cases/{slug}/</p>' in html


def test_a_template_error_is_reported_as_mkdocs_reports_it(atlas_project, tmp_path):
    """A case page template that fails: the build stops naming the page, whether pages are drawn ahead or not."""
    config = atlas_project({f"ward-{n}.md": _case(f"Daily huddles on ward {n}") for n in range(60)})
    overrides = tmp_path / "overrides" / "atlas"
    overrides.mkdir(parents=True)
    case_template = (ROOT / "plugins/learning_atlas/mkdocs_plugin/templates/atlas/case.html").read_text()
    (overrides / "case.html").write_text(case_template.replace(
        "{% set case = atlas_page.case %}", "{% set case = atlas_page.case %}{% if case.slug == 'ward-7' %}{{ case.no.such }}{% endif %}"))
    base = config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    errors = {}
    for parallel in ("true", "false"):
        config.write_text(base.replace("  - atlas:\n", f"  - atlas:\n      parallel_pages: {parallel}\n"))
        done = build_site(config, tmp_path / f"site-{parallel}")
        assert done.returncode != 0
        assert "Error building page 'cases/ward-7.md'" in done.stderr, done.stderr[-2000:]
        errors[parallel] = [line for line in done.stderr.splitlines() if "ERROR" in line or "Error" in line]
    assert errors["true"] == errors["false"]


def test_every_shared_block_is_drawn_through_the_layout_cache():
    """main.html routes each block the cache knows through it, and no other."""
    template = MAIN.read_text(encoding="utf-8")
    routed = set(re.findall(r'atlas_shared(?:_call)?\("(\w+)"', template))
    assert routed == set(SHARED_BLOCKS)


def test_a_generated_page_skips_only_the_conversion_of_nothing(tmp_path):
    """TemplateOnlyPage gives what converting an empty source gives; any text is converted as MkDocs does."""
    from mkdocs.structure.files import File, Files

    (tmp_path / "docs").mkdir()
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict({"site_name": "Test", "docs_dir": str(tmp_path / "docs"), "markdown_extensions": ["toc"]})
    assert config.validate() == ([], [])
    for source, content in (("---\ntemplate: atlas/case.html\n---\n", ""), ("# A heading\n\nText.", "<p>Text.</p>")):
        file = File("cases/a.md", src_dir=None, dest_dir=str(tmp_path / "site"), use_directory_urls=True)
        file.content_string = source
        page = TemplateOnlyPage(None, file, config)
        page.read_source(config)
        page.render(config, Files([file]))
        assert content in page.content and (content or page.content == "")
        assert [item.title for item in page.toc] == ([] if not content else ["A heading"])


def test_where_processes_cannot_fork_the_pages_are_drawn_one_by_one_the_same(tmp_path, monkeypatch):
    """Without fork (Windows, say) no drawer starts, and the site is the same."""
    import learning_atlas.mkdocs_plugin.fast_pages as fast_pages

    drawers = []
    original = fast_pages.PageDrawer
    monkeypatch.setattr(fast_pages, "PageDrawer", lambda *a, **k: drawers.append(1) or original(*a, **k))
    with_fork = _build_in_process(ROOT / "mkdocs.yml", tmp_path / "fork", shared=True)
    assert drawers, "the sample atlas is drawn ahead where processes can fork"
    monkeypatch.setattr(fast_pages.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    drawers.clear()
    _same(_build_in_process(ROOT / "mkdocs.yml", tmp_path / "spawn", shared=True), with_fork)
    assert not drawers
