"""``atlas serve`` against hostile edits: it reports, keeps the last good pages, and never dies.

The real server (``python -m learning_atlas.mkdocs_plugin.serve``) serves a copy of the
sample atlas while the test edits it: a case made invalid and fixed, a vocabulary that no
longer loads, rapid saves, a case deleted and one added, a save while the rebuild after a fast
render runs, a case replaced by a link and by a folder.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from serve_helpers import atlas_serve, copy_sample_atlas, get, wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synthetic import generate  # noqa: E402

_LIVERELOAD = re.compile(r"<script>(?:(?!</script>).)*?livereload\((?:(?!</script>).)*</script>", re.DOTALL)


def _page(url: str) -> tuple[int, str]:
    """The page as built: without the reloading script the server adds to each response (its ids vary)."""
    status, text = get(url)
    return status, _LIVERELOAD.sub("", text)


@pytest.fixture
def served(tmp_path):
    root = copy_sample_atlas(tmp_path / "atlas")
    log = tmp_path / "serve.log"
    with atlas_serve(root, log) as (base, process):
        yield root, base, log, process


def _builds(log: Path) -> int:
    return log.read_text().count("Documentation built") + log.read_text().count("the site was not rebuilt")


def test_an_invalid_case_is_reported_once_and_its_page_keeps_its_last_good_version(served):
    root, base, log, process = served
    case = sorted((root / "cases").glob("*.md"))[0]
    url = base + f"cases/{case.stem}/"
    status, before = _page(url)
    assert status == 200
    good = case.read_text(encoding="utf-8")
    builds = _builds(log)
    case.write_text(good.replace("\ntitle:", "\ntitle: [an unclosed list\nsummary_x:", 1), encoding="utf-8")
    wait_until(lambda: _builds(log) > builds, what="a rebuild")
    text = log.read_text()
    assert process.poll() is None
    assert "Traceback" not in text
    assert text.count(f"{case.name}:") >= 1  # the error names the file and its line
    assert _page(url) == (200, before)  # the last good version
    builds = _builds(log)
    case.write_text(good + "\nFixed sentence zqfixed.\n", encoding="utf-8")
    wait_until(lambda: "zqfixed" in get(url)[1], what="the fixed page")
    assert process.poll() is None


def test_a_vocabulary_that_no_longer_loads_leaves_the_site_as_it_was(served):
    root, base, log, process = served
    vocabulary = root / "schemas/vocabularies/themes.yaml"
    good = vocabulary.read_text(encoding="utf-8")
    builds = _builds(log)
    vocabulary.write_text(good + "\n  - slug: [broken\n", encoding="utf-8")
    wait_until(lambda: _builds(log) > builds, what="a failed rebuild")
    text = log.read_text()
    assert "the case schema cannot be loaded" in text
    assert "themes.yaml" in text
    assert "Traceback" not in text
    assert process.poll() is None
    assert get(base)[0] == 200
    vocabulary.write_text(good.replace("label: Patient safety", "label: Patient safety zqlabel", 1), encoding="utf-8")
    wait_until(lambda: "zqlabel" in get(base + "themes/")[1], what="the new label")


def test_rapid_saves_end_with_the_last_one_served(served):
    root, base, log, process = served
    case = sorted((root / "cases").glob("*.md"))[1]
    url = base + f"cases/{case.stem}/"
    good = case.read_text(encoding="utf-8")
    for number in range(25):
        case.write_text(good + f"\nSave number zqsave{number}q.\n", encoding="utf-8")
        time.sleep(0.01)
    wait_until(lambda: "zqsave24q" in get(url)[1], what="the last save")
    assert process.poll() is None
    assert "Traceback" not in log.read_text()


def test_a_deleted_case_goes_and_an_added_one_comes(served):
    root, base, log, process = served
    cases = sorted((root / "cases").glob("*.md"))
    gone = cases[2]
    text = gone.read_text(encoding="utf-8")
    gone.unlink()
    shutil.rmtree(gone.with_suffix(""), ignore_errors=True)
    wait_until(lambda: get(base + f"cases/{gone.stem}/")[0] == 404, what="the deleted case's page to go")
    added = root / "cases" / f"{gone.stem}-again.md"
    added.write_text(text, encoding="utf-8")
    wait_until(lambda: get(base + f"cases/{added.stem}/")[0] == 200, what="the added case's page")
    assert process.poll() is None
    assert "Traceback" not in log.read_text()


def _shown(log: Path) -> int:
    return log.read_text().count("atlas serve: showed")


@pytest.fixture
def served_larger(tmp_path):
    """The sample atlas with 400 synthetic cases more: a rebuild long enough to save during it."""
    root = copy_sample_atlas(tmp_path / "atlas")
    for path in generate(tmp_path / "synthetic", 400, seed=3):
        shutil.copy(path, root / "cases" / path.name)
    log = tmp_path / "serve.log"
    with atlas_serve(root, log) as (base, process):
        yield root, base, log, process


def test_a_saved_text_is_shown_first_and_a_save_during_the_rebuild_is_shown_too(served_larger):
    root, base, log, process = served_larger
    case = sorted((root / "cases").glob("*.md"))[3]
    url = base + f"cases/{case.stem}/"
    good = case.read_text(encoding="utf-8")
    shown, builds = _shown(log), _builds(log)
    case.write_text(good + "\nA first sentence: zqfirst.\n", encoding="utf-8")
    wait_until(lambda: _shown(log) > shown, what="the fast render")
    assert _builds(log) == builds
    # The rebuild is under way (it logs only when it ends): this save waits for it, and is shown after it.
    case.write_text(good + "\nA second sentence: zqsecond.\n", encoding="utf-8")
    assert _builds(log) == builds
    assert "zqfirst" in get(url)[1]
    wait_until(lambda: "zqsecond" in get(url)[1], what="the second save")
    assert "zqfirst" not in get(url)[1]
    wait_until(lambda: time.time() - log.stat().st_mtime > 3, 120, "the builds to end")
    assert "zqsecond" in _page(url)[1] and "zqfirst" not in _page(url)[1]
    assert process.poll() is None
    assert "Traceback" not in log.read_text()


def test_a_case_replaced_by_a_link_keeps_its_last_good_page_and_by_a_folder_goes(served, tmp_path):
    root, base, log, process = served
    case = sorted((root / "cases").glob("*.md"))[4]
    url = base + f"cases/{case.stem}/"
    good = case.read_text(encoding="utf-8")
    status, before = _page(url)
    assert status == 200
    outside = tmp_path / "outside.md"
    outside.write_text(good + "\nRead from outside the atlas: zqoutside.\n", encoding="utf-8")
    builds = _builds(log)
    case.unlink()
    case.symlink_to(outside)
    wait_until(lambda: _builds(log) > builds and "symbolic link" in log.read_text(), what="the link reported")
    wait_until(lambda: time.time() - log.stat().st_mtime > 2, 120, "the builds to end")
    assert _page(url) == (200, before)
    assert "zqoutside" not in get(url)[1]
    builds = _builds(log)
    case.unlink()
    case.mkdir()
    (case / "index.md").write_text(good, encoding="utf-8")
    # A folder with no case beside it is an asset folder left behind: the case is gone, as if deleted.
    wait_until(lambda: _builds(log) > builds and "asset folder with no case" in log.read_text(), what="a rebuild")
    wait_until(lambda: time.time() - log.stat().st_mtime > 2, 120, "the builds to end")
    assert get(url)[0] == 404
    shutil.rmtree(case)
    case.write_text(good + "\nBack as a file: zqback.\n", encoding="utf-8")
    wait_until(lambda: "zqback" in get(url)[1], what="the case back as a file")
    assert process.poll() is None
    assert "Traceback" not in log.read_text()


def test_a_stopped_server_removes_its_site_and_a_killed_ones_is_removed_by_the_next_build(tmp_path):
    import glob
    import signal
    import tempfile

    from site_engine import build_site

    root = copy_sample_atlas(tmp_path / "atlas")
    for path in generate(tmp_path / "synthetic", 60, seed=5):  # enough for the checks to fork workers
        shutil.copy(path, root / "cases" / path.name)

    def site_of(process) -> list[str]:
        return glob.glob(f"{tempfile.gettempdir()}/atlas-serve-{process.pid}-*")

    for stop in (signal.SIGTERM, signal.SIGHUP):  # a process manager's stop; the terminal closed
        with atlas_serve(root, tmp_path / "serve.log") as (base, process):
            folders = site_of(process)
            assert len(folders) == 1 and os.path.isfile(os.path.join(folders[0], "index.html"))
            process.send_signal(stop)
            process.wait(timeout=60)
        assert not os.path.exists(folders[0]), f"{stop.name} left the served site behind"
        log = (tmp_path / "serve.log").read_text()
        assert "Traceback" not in log, log[-3000:]  # the build's forked workers end quietly
    with atlas_serve(root, tmp_path / "serve.log") as (base, process):
        folders = site_of(process)
        process.kill()  # no chance to clean up
        process.wait()
    assert os.path.isdir(folders[0])
    done = build_site(root / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert not os.path.exists(folders[0]), "the next build removes what a killed server left"
