"""A build that fails, for whatever reason and however late, leaves ``site/`` exactly as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time

import pytest
from conftest import MINIMAL_CASE
from site_engine import ENGINES, build_command, build_site, engine_environment

VALID = MINIMAL_CASE.read_text(encoding="utf-8")


def _fingerprint(site):
    """Every path under the site, with a hash of each file's bytes."""
    return {
        str(path.relative_to(site)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        for path in sorted(site.rglob("*"))
    }


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".atlas-build-" in p.name)


@pytest.fixture
def built(atlas_project, tmp_path):
    config = atlas_project({"good-case.md": VALID})
    site = tmp_path / "site"
    done = build_site(config, site, "--strict")
    assert done.returncode == 0, done.stderr
    (site / ".nojekyll").write_text("")
    return config, site, _fingerprint(site)


def _break_late(config, tmp_path, how):
    """Ways a build fails after the cases were checked, each while or after pages are written."""
    docs = tmp_path / "docs"
    if how == "warning-while-rendering":  # a broken link: a warning, which --strict turns into failure at the end
        (docs / "about.md").write_text("# About\n\nSee [the missing page](missing.md).\n")
    elif how == "template-error":  # a page whose template does not exist
        (docs / "about.md").write_text("---\ntemplate: no-such-template.html\n---\n# About\n")
    elif how == "invalid-case":
        (tmp_path / "cases" / "bad-case.md").write_text(VALID.replace("region: north-west", "region: atlantis"))
    elif how == "unparseable-config":
        config.write_text(config.read_text() + "      feed_tagging_entity: not a tagging entity\n")


@pytest.mark.parametrize("engine", ENGINES)  # the plugin reads how many warnings the engine has counted
@pytest.mark.parametrize("how", ["warning-while-rendering", "template-error", "invalid-case", "unparseable-config"])
def test_a_failed_strict_build_leaves_the_site_as_it_was(built, tmp_path, how, engine):
    config, site, before = built
    (tmp_path / "cases" / "good-case.md").write_text(VALID.replace("Daily safety huddles", "Changed title for huddles"))
    _break_late(config, tmp_path, how)
    done = build_site(config, site, "--strict", engine=engine)
    assert done.returncode != 0
    if how != "template-error":  # MkDocs itself reports a missing template of the site's own with a traceback
        assert "Traceback" not in done.stderr
    assert _fingerprint(site) == before
    assert _leftovers(tmp_path) == []


def test_a_successful_build_replaces_the_site_and_leaves_no_staging(built, tmp_path):
    config, site, before = built
    (tmp_path / "cases" / "good-case.md").write_text(VALID.replace("Daily safety huddles", "Changed title for huddles"))
    done = build_site(config, site, "--strict")
    assert done.returncode == 0, done.stderr
    after = _fingerprint(site)
    assert after != before and ".nojekyll" in after
    assert "Changed title" in (site / "cases/good-case/index.html").read_text()
    assert _leftovers(tmp_path) == []


def test_a_build_killed_part_way_leaves_the_site_and_the_next_build_cleans_up(built, tmp_path):
    config, site, before = built
    build = subprocess.Popen(
        build_command(config, site, "--strict"),
        cwd=tmp_path, env=engine_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _leftovers(tmp_path) and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _leftovers(tmp_path), "the build never made its staging folder"
        os.killpg(build.pid, signal.SIGKILL)
    finally:
        build.wait()
    assert _fingerprint(site) == before
    done = build_site(config, site, "--strict")
    assert done.returncode == 0, done.stderr
    assert _leftovers(tmp_path) == []
    assert "left by a build that was stopped" in done.stderr
