"""Rules between files and folders: duplicate slugs, redirect clashes, stray files, orphan folders, size."""

from __future__ import annotations

from conftest import MINIMAL_CASE


def _write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_slug_across_folders(run_line, tmp_path, minimal_text):
    a = _write(tmp_path / "a", "same-case.md", minimal_text)
    b = _write(tmp_path / "b", "same-case.md", minimal_text)
    result = run_line(["check", str(a.parent), str(b.parent)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{b}:1:1: error: slug 'same-case' is already used by {a}; every case needs its own file name"
    )


def test_redirect_from_clashes(run_line, tmp_path, minimal_text):
    folder = tmp_path / "cases"
    redirect = minimal_text.replace("consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - first-case")
    _write(folder, "first-case.md", minimal_text)
    second = _write(folder, "second-case.md", redirect)
    third = _write(folder, "third-case.md", minimal_text.replace(
        "consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - old-name\n  - third-case"))
    fourth = _write(folder, "fourth-case.md", minimal_text.replace(
        "consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - old-name"))
    result = run_line(["check", str(folder)])
    lines = result.output.splitlines()
    assert f"{second}:31:5: error: redirect_from[0]: 'first-case' is the slug of {folder / 'first-case.md'}; a redirect would hide a live page" in lines
    assert f"{third}:32:5: error: redirect_from[1]: 'third-case' is this case's own slug; a redirect would hide a live page" in lines
    assert f"{third}:31:5: error: redirect_from[0]: 'old-name' is already redirected to {fourth}; an old address can lead to one case only" in lines
    assert result.exit_code == 1


def test_stray_file_and_orphan_folder(run_line, tmp_path, minimal_text):
    folder = tmp_path / "cases"
    _write(folder, "good-case.md", minimal_text)
    _write(folder, "notes.txt", "x")
    (folder / "lost-assets").mkdir()
    (folder / "good-case").mkdir()
    result = run_line(["check", str(folder)])
    lines = result.output.splitlines()
    assert f"{folder / 'notes.txt'}:1:1: error: does not belong in {folder}/: only case files (<slug>.md) and their asset folders (<slug>/) live there; move it into a case's folder" in lines
    assert f"{folder / 'lost-assets'}:1:1: warning: is an asset folder with no case: there is no lost-assets.md beside it" in lines
    assert result.exit_code == 1


def test_file_over_one_mebibyte(run_line, tmp_path, minimal_text):
    path = _write(tmp_path, "too-big-case.md", minimal_text + "x" * (1024 * 1024))
    result = run_line(["check", str(path)])
    assert result.output.splitlines()[0].startswith(f"{path}:1:1: error: is larger than 1024 KiB")
    assert result.exit_code == 1


def test_relative_link_inside_own_folder_passes(run_line, tmp_path, minimal_text):
    text = minimal_text.replace("over two months.", "over two months.\n  ![Chart](my-case/chart%20one.png)")
    path = _write(tmp_path, "my-case.md", text)
    (tmp_path / "my-case").mkdir()
    (tmp_path / "my-case" / "chart one.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    result = run_line(["check", str(path)])
    assert result.exit_code == 0, result.output
    assert MINIMAL_CASE.exists()
