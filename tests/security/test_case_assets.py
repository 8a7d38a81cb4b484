"""Case folders: only checked images and PDFs are published; links, pages, scripts and oversized files never are."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import MINIMAL_CASE, SCHEMAS
from hypothesis import given, settings
from hypothesis import strategies as st
from learning_atlas.contract import case_assets
from learning_atlas.contract.case_assets import (
    FILE_TYPES,
    MAX_CASE_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES,
    check_asset_file,
)
from site_engine import build_site

VALID = MINIMAL_CASE.read_text(encoding="utf-8")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
SECRET = "SECRET-MARKER-7f3a"
HEADS = {kind.extensions[0]: head for kind, head in zip(FILE_TYPES, (
    PNG, b"\xff\xd8\xff\xe0" + bytes(20), b"GIF89a" + bytes(20), b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(8), PDF,
))}


@pytest.fixture
def case(tmp_path):
    """A valid case ``cases/asset-case.md`` with an empty folder, and a secret outside ``cases/``."""
    cases = tmp_path / "cases"
    (cases / "asset-case").mkdir(parents=True)
    (cases / "asset-case.md").write_text(VALID, encoding="utf-8")
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET)
    (outside / "folder" / "secret.png").write_bytes(PNG + SECRET.encode())
    (outside / "real.png").write_bytes(PNG)
    (outside / "other-case.md").write_text(VALID.replace("Daily safety", SECRET + " safety"))
    return cases


def _make(cases: Path, name: str) -> Path:
    """Put one hostile entry into the case's folder (or the cases folder); return its path."""
    folder = cases / "asset-case"
    outside = cases.parent / "outside"
    links = {
        "link-to-secret.png": outside / "secret.txt",
        "link-to-folder": outside / "folder",
        "link-to-passwd.png": Path("/etc/passwd"),
        "link-to-environ.pdf": Path("/proc/self/environ"),
        "link-to-git-config.png": cases.parent / ".git" / "config",
        "link-to-real-image.png": outside / "real.png",
    }
    files = {
        "page.html": b"<script>alert(1)</script>",
        "page.htm": b"<p>hi</p>",
        "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "drawing.svgz": b"\x1f\x8b",
        "notes.md": b"# Not a case\n<script>alert(1)</script>",
        "script.js": b"alert(1)",
        "style.css": b"body{}",
        "README": b"no extension",
        "chart.png": b"<!doctype html><script>alert(1)</script>",
        "CHART.PNG": b"<html><script>alert(1)</script>",
        "photo.jpg": PNG,
        "report.pdf": PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        "escaped.pdf": PDF.replace(b"/Type /Catalog", b"/Type /Catalog /AA << /O << /S /J#61vaScript >> >>"),
        "launch.pdf": PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >>"),
        ".hidden.png": PNG,
        "bad\"name.png": PNG,
        "a<b>.png": PNG,
        "-dash-first.png": PNG,
    }
    if name in links:
        path = folder / name
        path.symlink_to(links[name])
    elif name in files:
        path = folder / name
        path.write_bytes(files[name])
    elif name == "too-large.png":
        path = folder / name
        with path.open("wb") as handle:
            handle.write(PNG)
            handle.truncate(MAX_FILE_BYTES + 1)
    elif name == "fifo.png":
        path = folder / name
        os.mkfifo(path)
    elif name == "too-deep":
        path = folder / "a" / "b" / "c" / "d"
        path.mkdir(parents=True)
        (path / "deep.png").write_bytes(PNG)
        path = folder / "a" / "b" / "c" / "d"
    elif name == "case-file-is-a-link":
        path = cases / "linked-case.md"
        path.symlink_to(outside / "other-case.md")
    elif name == "case-folder-is-a-link":
        (cases / "asset-case").rmdir()
        path = cases / "asset-case"
        path.symlink_to(outside / "folder")
    elif name == "fifo-case":
        path = cases / "piped-case.md"
        os.mkfifo(path)
    else:
        raise AssertionError(name)
    return path


def _problems(run_line, *paths):
    result = run_line(["check", "--format", "json", "--schemas", str(SCHEMAS), *map(str, paths)])
    return result.exit_code, json.loads(result.stdout)


HOSTILE = {
    "link-to-secret.png": "asset.symlink",
    "link-to-folder": "asset.symlink",
    "link-to-passwd.png": "asset.symlink",
    "link-to-environ.pdf": "asset.symlink",
    "link-to-git-config.png": "asset.symlink",
    "link-to-real-image.png": "asset.symlink",
    "page.html": "asset.type",
    "page.htm": "asset.type",
    "drawing.svg": "asset.svg",
    "drawing.svgz": "asset.svg",
    "notes.md": "asset.type",
    "script.js": "asset.type",
    "style.css": "asset.type",
    "README": "asset.type",
    "chart.png": "asset.content",
    "CHART.PNG": "asset.content",
    "photo.jpg": "asset.content",
    "report.pdf": "asset.pdf-action",
    "escaped.pdf": "asset.pdf-action",
    "launch.pdf": "asset.pdf-action",
    ".hidden.png": "asset.hidden",
    "bad\"name.png": "asset.name",
    "a<b>.png": "asset.name",
    "-dash-first.png": "asset.name",
    "too-large.png": "asset.too-large",
    "fifo.png": "asset.not-a-file",
    "too-deep": "asset.too-deep",
    "case-file-is-a-link": "file.symlink",
    "case-folder-is-a-link": "file.symlink",
    "fifo-case": "file.not-regular",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_entry_is_one_clear_error_on_that_file(run_line, case, name):
    path = _make(case, name)
    status, problems = _problems(run_line, case)
    assert status == 1
    problems = [p for p in problems if p["severity"] == "error"]
    assert [(p["file"], p["rule"]) for p in problems] == [(str(path), HOSTILE[name])], problems
    text = run_line(["check", "--schemas", str(SCHEMAS), str(case)]).output
    assert SECRET not in text
    assert text.count("\n") == 2 and text.startswith(f"{path}:1:1: error: ")  # one line, then the summary


def test_everything_at_once_publishes_only_the_real_image_and_no_secret(atlas_project, case, tmp_path):
    for name in HOSTILE:
        if name not in ("case-folder-is-a-link", "too-deep"):
            _make(case, name)
    (case / "asset-case" / "falls chart.png").write_bytes(PNG)
    (case / "asset-case" / "images").mkdir()
    (case / "asset-case" / "images" / "photo.jpg").write_bytes(HEADS[".jpg"])
    config = atlas_project({})
    done = build_site(config, tmp_path / "site")  # not --strict: the case itself is valid and is built
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    published = sorted(p.relative_to(site / "cases" / "asset-case").as_posix()
                       for p in (site / "cases" / "asset-case").rglob("*") if p.is_file())
    assert published == ["falls chart.png", "images/photo.jpg", "index.html"]
    assert not any(p.is_symlink() for p in site.rglob("*"))
    for path in site.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
            assert b"root:x:0:0" not in path.read_bytes(), path
    assert not (site / "cases" / "linked-case").exists()
    assert not (site / "cases" / "asset-case" / "notes").exists()
    strict = build_site(config, tmp_path / "strict-site", "--strict")
    assert strict.returncode != 0 and "asset.symlink" not in strict.stderr and "symbolic link" in strict.stderr


def test_a_case_folder_over_the_total_limit_publishes_nothing(run_line, case):
    folder = case / "asset-case"
    per_file = MAX_FILE_BYTES - 1
    for index in range(MAX_CASE_BYTES // per_file + 1):
        with (folder / f"chart-{index}.png").open("wb") as handle:
            handle.write(PNG)
            handle.truncate(per_file)
    _, problems = _problems(run_line, case)
    assert [(p["file"], p["rule"]) for p in problems] == [(str(folder), "asset.case-too-large")]


def test_too_many_files_is_one_error(run_line, case):
    folder = case / "asset-case"
    for index in range(MAX_FILES + 5):
        (folder / f"chart-{index}.png").write_bytes(PNG)
    _, problems = _problems(run_line, case)
    assert [(p["file"], p["rule"]) for p in problems] == [(str(folder), "asset.too-many")]


def test_checking_one_case_file_checks_its_folder_too(run_line, case):
    path = _make(case, "page.html")
    _, problems = _problems(run_line, case / "asset-case.md")
    assert [(p["file"], p["rule"]) for p in problems] == [(str(path), "asset.type")]


def test_orphan_folders_are_looked_into(run_line, case):
    (case / "no-case-here").mkdir()
    (case / "no-case-here" / "x.png").symlink_to("/etc/passwd")
    _, problems = _problems(run_line, case)
    assert sorted(p["rule"] for p in problems) == ["asset.symlink", "folder.orphan-assets"]


EXTENSIONS = sorted({ext for kind in FILE_TYPES for ext in kind.extensions} | {".svg", ".html", ".md", ".txt", ""})


@settings(max_examples=300, deadline=None)
@given(
    extension=st.sampled_from(EXTENSIONS),
    upper=st.booleans(),
    head=st.one_of(st.sampled_from(sorted(HEADS.values())), st.binary(max_size=64)),
    tail=st.binary(max_size=64),
)
def test_a_file_is_published_exactly_when_its_name_and_first_bytes_agree(tmp_path_factory, extension, upper, head, tail):
    """The allow-list as a property: extension allowed, content of that type, and (PDF) no script action."""
    folder = tmp_path_factory.mktemp("asset")
    name = "file" + (extension.upper() if upper else extension)
    path = folder / name
    data = head + tail
    path.write_bytes(data)
    problem = check_asset_file(path, len(data))
    kind = next((k for k in FILE_TYPES if extension in k.extensions), None)
    expected_ok = (
        kind is not None
        and kind.matches(data[:16])
        and not (extension == ".pdf" and case_assets._pdf_action(data))
    )
    assert (problem is None) == expected_ok, (name, data[:16], problem)
    if problem is not None:
        assert problem.path == path and problem.is_error and "\n" not in problem.message
