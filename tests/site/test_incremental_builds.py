"""``atlas serve``'s incremental builds give byte for byte the site a clean build gives, after any edits.

A seeded random sequence of edits (a case's text, title or themes; a rename, a deletion, a
new case; a case made invalid and then fixed; a vocabulary's label; a page of the site's
own) is applied to a copy of the sample atlas with synthetic cases. After each edit the
incremental build (one plugin kept between dirty builds, as ``atlas serve`` runs it) is
compared with a clean build of the same files by a fresh plugin, file by file, Pagefind's
index included. While a case is invalid, its page keeps its last good version in the
incremental site (and only its files may differ).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from site_helpers import comparable_site, describe_differences, site_differences

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from synthetic import generate  # noqa: E402

pytest.importorskip("mkdocs")
from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.config.defaults import MkDocsConfig  # noqa: E402

SERVE_URL = "http://127.0.0.1:8000/atlas/"
STEPS = int(os.environ.get("ATLAS_INCREMENTAL_STEPS", "14"))


def _plugins_option():
    return dict(MkDocsConfig._schema)["plugins"]


class Builds:
    """A serving plugin kept between dirty builds, and clean builds by a fresh plugin each time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_file = root / "mkdocs.yml"
        self.incremental_site = root / "served"
        self._saved_cache = dict(_plugins_option().plugin_cache)
        _plugins_option().plugin_cache.clear()
        config = self._config(self.incremental_site)
        config.plugins.on_startup(command="serve", dirty=True)
        self.plugin_cache = dict(_plugins_option().plugin_cache)
        self.plugin = config.plugins["atlas"]
        self.plugin.incremental.request_build = lambda: None  # as atlas serve's server asks; builds follow below
        self.clean_number = 0

    def _config(self, site: Path):
        config = load_config(config_file=str(self.config_file), site_dir=str(site))
        config.site_url = SERVE_URL
        return config

    def incremental(self) -> None:
        option = _plugins_option()
        option.plugin_cache.clear()
        option.plugin_cache.update(self.plugin_cache)
        for _ in range(6):  # builds follow while Explore was put off, or the index's related lists differ
            build(self._config(self.incremental_site), serve_url=SERVE_URL, dirty=True)
            if not self.plugin.incremental.settle():
                break
        else:
            raise AssertionError("the incremental builds never settled")
        assert self.plugin.search_records is not None
        self.plugin.search_records.wait()
        assert self.plugin.search_records.error == ""

    def clean(self) -> Path:
        self.clean_number += 1
        site = self.root / f"clean-{self.clean_number}"
        option = _plugins_option()
        option.plugin_cache.clear()
        config = self._config(site)
        config.plugins.on_startup(command="serve", dirty=False)
        build(config, serve_url=SERVE_URL, dirty=False)
        config.plugins.on_shutdown()
        return site

    def close(self) -> None:
        self.plugin.on_shutdown()
        option = _plugins_option()
        option.plugin_cache.clear()
        option.plugin_cache.update(self._saved_cache)


def _front_matter(path: Path) -> tuple[dict, str]:
    _, fm, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.load(fm, Loader=yaml.CSafeLoader), body


def _write_case(path: Path, data: dict, body: str) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    path.write_text(f"---\n{text}---\n{body}", encoding="utf-8")


class Editor:
    """Random edits of the atlas's sources, as a clinician or an editor makes them."""

    def __init__(self, root: Path, spare: list[Path], seed: int) -> None:
        self.root = root
        self.cases = root / "cases"
        self.spare = spare
        self.rng = random.Random(seed)
        self.broken: dict[Path, str] = {}
        self.number = 0
        self.themes = [t["slug"] for t in yaml.safe_load((root / "schemas/vocabularies/themes.yaml").read_text())["terms"]]

    def case_files(self) -> list[Path]:
        return sorted(p for p in self.cases.glob("*.md") if p not in self.broken)

    def step(self) -> str:
        self.number += 1
        if self.broken:
            path, text = self.broken.popitem()
            path.write_text(text, encoding="utf-8")
            return f"fix {path.name}"
        kinds = ["text", "text", "title", "themes", "rename", "delete", "add", "invalid", "vocabulary", "page"]
        kind = self.rng.choice(kinds)
        return getattr(self, f"_{kind}")()

    def _pick(self) -> Path:
        return self.rng.choice(self.case_files())

    def _text(self) -> str:
        path = self._pick()
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\nA sentence added in edit {self.number} about handover huddles and discharge.\n")
        return f"text of {path.name}"

    def _title(self) -> str:
        path = self._pick()
        data, body = _front_matter(path)
        data["title"] = f"{data['title']} (revised {self.number})"
        _write_case(path, data, body)
        return f"title of {path.name}"

    def _themes(self) -> str:
        path = self._pick()
        data, body = _front_matter(path)
        data["themes"] = self.rng.sample(self.themes, self.rng.randint(1, 3))
        _write_case(path, data, body)
        return f"themes of {path.name}"

    def _rename(self) -> str:
        path = self._pick()
        new = path.with_name(f"renamed-{self.number}-{path.name}")
        path.rename(new)
        folder = path.with_suffix("")
        if folder.is_dir():
            folder.rename(new.with_suffix(""))
        return f"rename {path.name} to {new.name}"

    def _delete(self) -> str:
        path = self._pick()
        path.unlink()
        shutil.rmtree(path.with_suffix(""), ignore_errors=True)
        return f"delete {path.name}"

    def _add(self) -> str:
        source = self.spare.pop()
        target = self.cases / f"added-{self.number}.md"
        shutil.copyfile(source, target)
        return f"add {target.name}"

    def _invalid(self) -> str:
        path = self._pick()
        text = path.read_text(encoding="utf-8")
        self.broken[path] = text
        path.write_text(re.sub(r"(?m)^title: .*$", "title: [an unclosed list", text, count=1), encoding="utf-8")
        return f"break {path.name}"

    def _vocabulary(self) -> str:
        path = self.root / "schemas/vocabularies/themes.yaml"
        text = path.read_text(encoding="utf-8")
        labels = re.findall(r"(?m)^    label: (.*)$", text)
        label = self.rng.choice(labels)
        path.write_text(text.replace(f"    label: {label}\n", f"    label: {label} {self.number}\n", 1), encoding="utf-8")
        return f"vocabulary label {label!r}"

    def _page(self) -> str:
        with (self.root / "docs/about.md").open("a", encoding="utf-8") as f:
            f.write(f"\nA paragraph added in edit {self.number}.\n")
        return "page docs/about.md"


@pytest.fixture
def atlas_copy(tmp_path) -> Path:
    root = tmp_path / "atlas"
    root.mkdir()
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, root / name)
    for name in ("docs", "cases", "schemas"):
        shutil.copytree(ROOT / name, root / name)
    generated = generate(tmp_path / "synthetic", 40, seed=7)
    for path in generated[:30]:
        shutil.copy(path, root / "cases" / path.name)
    return root


def _invalid_slugs(editor: Editor) -> set[str]:
    return {path.stem for path in editor.broken}


def test_incremental_builds_match_clean_builds_after_random_edits(atlas_copy, tmp_path):
    spare = sorted((tmp_path / "synthetic").glob("*.md"))[30:]
    editor = Editor(atlas_copy, spare, seed=int(os.environ.get("ATLAS_INCREMENTAL_SEED", "14")))
    builds = Builds(atlas_copy)
    try:
        builds.incremental()
        history = ["first build"]
        for _ in range(STEPS):
            history.append(editor.step())
            builds.incremental()
            clean = builds.clean()
            served = comparable_site(builds.incremental_site)
            reference = comparable_site(clean)
            kept = tuple(f"cases/{slug}/" for slug in _invalid_slugs(editor))
            differences = [name for name in site_differences(served, reference)
                           if not (kept and name.startswith(kept) and name not in reference)]
            assert differences == [], (
                "after " + "; ".join(history) + "\n"
                + describe_differences(served, reference, ("incremental", "clean"))
            )
            shutil.rmtree(clean)
        # A build with nothing changed (a file saved as it was) leaves the site as it is: the
        # collections' index, whose address a page of the site's own shares, is written after it.
        builds.incremental()
        clean = builds.clean()
        assert site_differences(comparable_site(builds.incremental_site), comparable_site(clean)) == [], (
            "after a build with nothing changed\n"
            + describe_differences(comparable_site(builds.incremental_site), comparable_site(clean), ("incremental", "clean"))
        )
    finally:
        builds.close()
