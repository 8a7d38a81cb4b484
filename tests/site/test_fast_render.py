"""``atlas serve``'s fast render writes the saved case's page exactly as a clean build does, or nothing.

In process, as ``atlas serve`` runs it: one plugin kept between dirty builds, MkDocs' build
functions wrapped to keep what the last build handed its pages. After a seeded random run of
edits that only a case's own page shows (its text, summary, a section, a figure, its contact,
its lead), the page the fast render wrote must be byte for byte the page the incremental build
that follows writes, and the page of a clean build of the same files but for its related list
(the search index's, which follows in another build); once the builds settle, the whole site is
byte for byte the clean build's. Every other kind of
change, and every hostile one (a file made invalid, replaced by a link or a folder, two files
saved at once, a stray file), must leave the fast render to the full build and write nothing.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml
from site_helpers import comparable_site, describe_differences, site_differences
from test_incremental_builds import (  # noqa: F401 - atlas_copy is a fixture
    SERVE_URL,
    Builds,
    _front_matter,
    _plugins_option,
    _write_case,
    atlas_copy,
)

pytest.importorskip("mkdocs")
import mkdocs.commands.build  # noqa: E402
from mkdocs.commands.build import build  # noqa: E402
import mkdocs.utils  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from learning_atlas.mkdocs_plugin.fast_render import BuildRecorder, FastRender, saved_case  # noqa: E402
from learning_atlas.mkdocs_plugin.reload_server import SiteWrites  # noqa: E402

STEPS = int(os.environ.get("ATLAS_FAST_RENDER_STEPS", "8"))
RELATED = re.compile(rb'<section class="atlas-related".*?</section>', re.DOTALL)
"""A case page's related list: the search index's, which a change of text may change; the page
shows the last lists first (as every rebuild of ``atlas serve`` does) and the index's in a build that follows."""


class Served:
    """The serving plugin's builds (:class:`Builds`), with the fast render of ``atlas serve`` beside them."""

    def __init__(self, root: Path, monkeypatch) -> None:
        for name in ("_populate_page", "_build_page"):  # put back when the test ends
            monkeypatch.setattr(mkdocs.commands.build, name, getattr(mkdocs.commands.build, name))
        monkeypatch.setattr(mkdocs.utils, "write_file", mkdocs.utils.write_file)
        monkeypatch.setattr(File, "copy_file", File.copy_file)
        self.writes = SiteWrites(mkdocs.utils, File)
        self.recorder = BuildRecorder(mkdocs.commands.build)
        self.fast = FastRender(self.recorder, lambda config: config.plugins["atlas"])
        self.builds = Builds(root)
        self.site = self.builds.incremental_site

    def build(self, page: str | None = None) -> bytes | None:
        """The incremental builds, until they settle; ``page`` as the first of them wrote it."""
        self.recorder.start()
        first = None
        if page is not None:
            option = _plugins_option()
            option.plugin_cache.clear()
            option.plugin_cache.update(self.builds.plugin_cache)
            build(self.builds._config(self.site), serve_url=SERVE_URL, dirty=True)
            first = (self.site / page).read_bytes()
        self.builds.incremental()
        self.recorder.finish(True)
        self.writes.take()
        return first

    def render(self, *paths: Path) -> str | None:
        return self.fast.render({str(p) for p in paths})


@pytest.fixture
def served(atlas_copy, monkeypatch):  # noqa: F811 - the fixture imported above
    served = Served(atlas_copy, monkeypatch)
    try:
        served.build()
        yield served
    finally:
        served.builds.close()


def _own_page_edit(rng: random.Random, path: Path, number: int) -> str:
    """Change something of ``path`` that only its own page shows; what was changed."""
    data, body = _front_matter(path)
    kinds = ["body", "summary", "section", "contact", "lead"] + (["measure"] if data.get("measures") else [])
    kind = rng.choice(kinds)
    if kind == "body":
        body += f"\nA sentence added in edit {number}: the huddle moved to the ward's front desk.\n"
    elif kind == "summary":
        data["summary"] = f"{data['summary']} Revised in edit {number}."
    elif kind == "section":
        key = rng.choice([k for k in ("leading_change", "where_to_look", "what_to_change", "how_to_change",
                                      "challenges") if isinstance(data.get(k), str)] or ["summary"])
        data[key] = f"{data[key]}\n\nA paragraph added in edit {number}, with *emphasis* & an ampersand."
    elif kind == "contact":
        data["contact"]["name"] = f"Ward Manager {number} & Team"
    elif kind == "lead":
        data["lead"]["role"] = f"Matron, edit {number}"
    else:
        measure = rng.choice(data["measures"])
        if "series" not in measure:
            measure["value"] = measure["value"] + number
        else:
            measure["label"] = f"{measure['label']} (edit {number})"
    _write_case(path, data, body)
    return f"{kind} of {path.name}"


def test_a_fast_render_writes_the_page_a_clean_build_writes(served, atlas_copy):  # noqa: F811
    rng = random.Random(int(os.environ.get("ATLAS_FAST_RENDER_SEED", "14")))
    history = []
    for number in range(STEPS):
        path = rng.choice(sorted((atlas_copy / "cases").glob("*.md")))
        history.append(_own_page_edit(rng, path, number))
        shown = served.render(path)
        assert shown == f"cases/{path.stem}/index.html", "; ".join(history)
        assert {Path(p).name for p in served.writes.take()} <= {"index.html"}
        fast_page = (served.site / shown).read_bytes()
        clean = served.builds.clean()
        clean_page = (clean / shown).read_bytes()
        assert RELATED.sub(b"", fast_page) == RELATED.sub(b"", clean_page), "after " + "; ".join(history) + "\n" + (
            describe_differences({shown: fast_page}, {shown: clean_page}, ("fast render", "clean")))
        rebuilt = served.build(shown)
        assert fast_page == rebuilt, "after " + "; ".join(history) + "\n" + describe_differences(
            {shown: fast_page}, {shown: rebuilt}, ("fast render", "the rebuild that follows"))
        differences = site_differences(comparable_site(served.site), comparable_site(clean))
        assert differences == [], "after " + "; ".join(history) + "\n" + describe_differences(
            comparable_site(served.site), comparable_site(clean), ("incremental", "clean"))
        shutil.rmtree(clean)


def test_anything_but_a_case_s_own_text_is_left_to_the_full_build(served, atlas_copy, tmp_path):  # noqa: F811
    cases = atlas_copy / "cases"
    path = sorted(cases.glob("*.md"))[3]
    other = sorted(cases.glob("*.md"))[4]
    good = path.read_text(encoding="utf-8")
    page = served.site / "cases" / path.stem / "index.html"
    before = page.read_bytes()
    data, body = _front_matter(path)

    def refused(what: str, *paths: Path) -> None:
        assert served.render(*paths) is None, what
        assert served.writes.take() == set(), what
        assert page.read_bytes() == before, what

    def restore() -> None:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        path.write_text(good, encoding="utf-8")

    # Saved as it was, or with its front matter laid out anew: its page stands, nothing is written.
    _write_case(path, data, body)
    assert served.render(path) == f"cases/{path.stem}/index.html"
    assert served.writes.take() == set() and page.read_bytes() == before
    _write_case(path, {**data, "title": data["title"] + " (retitled)"}, body)
    refused("a new title: listings and related lists show it", path)
    themes = [t["slug"] for t in yaml.safe_load((atlas_copy / "schemas/vocabularies/themes.yaml").read_text())["terms"]]
    _write_case(path, {**data, "themes": [next(t for t in themes if t not in data["themes"])]}, body)
    refused("new themes: listings change", path)
    _write_case(path, {**data, "status": "archived"}, body)
    refused("archived: listings change", path)
    path.write_text(good.replace("\ntitle:", "\ntitle: [an unclosed list\nsummary_x:", 1), encoding="utf-8")
    refused("invalid YAML: the full build reports it", path)
    restore()
    path.unlink()
    target = tmp_path / "outside.md"
    target.write_text(good + "\nA sentence from outside the atlas: zqoutside.\n", encoding="utf-8")
    path.symlink_to(target)
    refused("a link in the case's place: never followed", path)
    path.unlink()
    path.mkdir()
    (path / "index.md").write_text(good, encoding="utf-8")
    refused("a folder in the case's place", path)
    restore()
    path.unlink()
    refused("deleted", path)
    restore()
    with path.open("a", encoding="utf-8") as f:
        f.write("\nA sentence saved with another file.\n")
    with other.open("a", encoding="utf-8") as f:
        f.write("\nAnother sentence.\n")
    refused("two cases saved at once", path, other)
    added = cases / "a-case-added-now.md"
    added.write_text(good, encoding="utf-8")
    refused("a new case", added)
    added.unlink()
    stray = cases / "notes.txt"
    stray.write_text("notes", encoding="utf-8")
    refused("a stray file beside the case", path, stray)
    stray.unlink()
    vocabulary = atlas_copy / "schemas/vocabularies/themes.yaml"
    refused("a vocabulary", path, vocabulary)
    refused("a page of the site's own", path, atlas_copy / "docs/about.md")
    # An editor's swap file and a backup gone by now are not changes of the atlas.
    shown = served.render(path, cases / f".{path.name}.swp", cases / f"{path.name}~")
    assert shown == f"cases/{path.stem}/index.html"
    assert b"A sentence saved with another file." in page.read_bytes()
    # What the fast render wrote is the state the next build starts from: none, until that build.
    with path.open("a", encoding="utf-8") as f:
        f.write("\nOne more sentence.\n")
    refused_twice = served.render(path)
    assert refused_twice is None


def test_no_fast_render_before_a_build_has_succeeded(atlas_copy, monkeypatch):  # noqa: F811
    served = Served(atlas_copy, monkeypatch)
    try:
        path = sorted((atlas_copy / "cases").glob("*.md"))[0]
        assert served.render(path) is None
        served.recorder.start()
        served.recorder.finish(False)
        assert served.render(path) is None
    finally:
        served.builds.close()


def test_the_saved_case_is_told_apart_from_other_changes(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    case = cases / "daily-huddles.md"
    case.write_text("x")
    assert saved_case([str(case), str(case)], cases) == case
    assert saved_case([str(case), str(cases / ".daily-huddles.md.swp")], cases) == case
    assert saved_case([str(case), str(cases / "daily-huddles.md~")], cases) == case  # gone already
    (cases / "stray.txt").write_text("x")
    assert saved_case([str(case), str(cases / "stray.txt")], cases) is None
    assert saved_case([str(case), str(cases / "other-case.md")], cases) is None
    assert saved_case([str(cases / "daily-huddles" / "photo.png")], cases) is None
    assert saved_case([str(tmp_path / "mkdocs.yml")], cases) is None
    assert saved_case([], cases) is None
