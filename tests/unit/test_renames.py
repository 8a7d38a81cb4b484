"""``atlas check --base REF``: renames, deletions and drafts checked in a temporary git repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import SCHEMAS

GIT = ["git", "-c", "user.name=Atlas Tests", "-c", "user.email=tests@example.org", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minimal_text: str) -> Path:
    """A git repository whose 'main' holds two published cases and a draft; the working folder."""
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "ward-huddles.md").write_text(minimal_text, encoding="utf-8")
    (cases / "falls-prevention.md").write_text(
        minimal_text.replace("Daily safety huddles", "Falls prevention rounds"), encoding="utf-8"
    )
    (cases / "draft-idea.md").write_text(
        minimal_text.replace("published: 2021-03-15", "published: 2021-03-15\nstatus: draft"), encoding="utf-8"
    )
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "cases")
    git(tmp_path, "commit", "-q", "-m", "three cases")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def check(run_line):
    def run(*args: str):
        return run_line(["check", "--schemas", str(SCHEMAS), *args])

    return run


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error: " in line]


def add_redirect(path: Path, *slugs: str) -> None:
    text = path.read_text(encoding="utf-8")
    listed = "".join(f"  - {slug}\n" for slug in slugs)
    path.write_text(text.replace("consent_confirmed: true\n", f"consent_confirmed: true\nredirect_from:\n{listed}"), encoding="utf-8")


def test_nothing_changed_passes(check, repo):
    result = check("--base", "main")
    assert result.exit_code == 0, result.output
    assert errors(result.output) == []


def test_a_rename_without_redirect_from_is_an_error_on_the_new_file(check, repo):
    git(repo, "mv", "cases/ward-huddles.md", "cases/daily-ward-huddles.md")
    result = check("--base", "main")
    assert result.exit_code == 1
    assert errors(result.output) == [
        "cases/daily-ward-huddles.md:1:1: error: was renamed from cases/ward-huddles.md, published at main; "
        "add 'redirect_from: [ward-huddles]' to the front matter so its old address keeps working"
    ]


def test_a_rename_with_its_old_slug_in_redirect_from_passes(check, repo):
    git(repo, "mv", "cases/ward-huddles.md", "cases/daily-ward-huddles.md")
    add_redirect(repo / "cases" / "daily-ward-huddles.md", "ward-huddles")
    result = check("--base", "main")
    assert result.exit_code == 0, result.output


def test_a_rename_whose_redirect_from_lacks_the_old_slug_is_an_error_on_that_line(check, repo):
    git(repo, "mv", "cases/ward-huddles.md", "cases/daily-ward-huddles.md")
    new = repo / "cases" / "daily-ward-huddles.md"
    add_redirect(new, "older-ward-huddles")
    line = new.read_text(encoding="utf-8").splitlines().index("redirect_from:") + 1
    result = check("--base", "main")
    assert result.exit_code == 1
    assert errors(result.output) == [
        f"cases/daily-ward-huddles.md:{line}:1: error: redirect_from: does not list 'ward-huddles': this case was "
        "renamed from cases/ward-huddles.md, published at main; add 'ward-huddles' here so its old address keeps working"
    ]


def test_a_committed_rename_on_a_branch_is_found_as_ci_would(check, repo):
    git(repo, "checkout", "-q", "-b", "rename")
    git(repo, "mv", "cases/ward-huddles.md", "cases/daily-ward-huddles.md")
    git(repo, "commit", "-q", "-m", "rename")
    result = check("--format", "github", "--base", "main")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "::error file=cases/daily-ward-huddles.md,line=1,col=1,title=atlas check::was renamed from "
        "cases/ward-huddles.md, published at main; add 'redirect_from: [ward-huddles]' to the front matter so its "
        "old address keeps working"
    )


def test_a_deletion_is_an_error_naming_the_old_file(check, repo):
    git(repo, "rm", "-q", "cases/falls-prevention.md")
    result = check("--base", "main")
    assert result.exit_code == 1
    assert errors(result.output) == [
        "cases/falls-prevention.md:1:1: error: was published at main and is deleted, which leaves its address "
        "/cases/falls-prevention/ dead; keep the file with 'status: archived', or add 'falls-prevention' to the "
        "redirect_from of the case that replaces it"
    ]
    assert result.output.splitlines()[-1].startswith("2 cases checked: 1 error")


def test_a_deletion_redirected_by_another_case_passes(check, repo):
    (repo / "cases" / "falls-prevention.md").unlink()
    add_redirect(repo / "cases" / "ward-huddles.md", "falls-prevention")
    result = check("--base", "main")
    assert result.exit_code == 0, result.output


def test_a_redirect_in_a_case_not_being_checked_still_counts(check, repo):
    (repo / "cases" / "falls-prevention.md").unlink()
    add_redirect(repo / "cases" / "ward-huddles.md", "falls-prevention")
    result = check("--base", "main", "cases/draft-idea.md")
    assert result.exit_code == 0, result.output


def test_deleting_a_draft_is_allowed(check, repo):
    git(repo, "rm", "-q", "cases/draft-idea.md")
    result = check("--base", "main")
    assert result.exit_code == 0, result.output


def test_archiving_is_allowed_but_making_a_published_case_a_draft_is_not(check, repo):
    path = repo / "cases" / "ward-huddles.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("published: 2021-03-15", "published: 2021-03-15\nstatus: archived"), encoding="utf-8")
    assert check("--base", "main").exit_code == 0
    path.write_text(text.replace("published: 2021-03-15", "published: 2021-03-15\nstatus: draft"), encoding="utf-8")
    result = check("--base", "main")
    assert result.exit_code == 1
    line = path.read_text(encoding="utf-8").splitlines().index("status: draft") + 1
    assert errors(result.output) == [
        f"cases/ward-huddles.md:{line}:1: error: status: was published at main; as a draft its address "
        "/cases/ward-huddles/ goes dead: withdraw it with 'status: archived' instead, or keep it published"
    ]


def test_a_case_added_since_the_base_needs_nothing(check, repo, minimal_text):
    (repo / "cases" / "new-case.md").write_text(minimal_text.replace("Daily safety huddles", "A new idea"), encoding="utf-8")
    assert check("--base", "main").exit_code == 0


@pytest.mark.parametrize("ref", ["no-such-branch", "origin/main", "--help", "main~5"])
def test_an_unknown_revision_is_a_usage_error(check, repo, ref):
    result = check("--base", ref)
    assert result.exit_code == 2
    assert result.output.startswith(f"error: --base: git knows no commit {ref!r} in ")
    if ref == "origin/main":
        assert "fetch it first: git fetch origin main" in result.output


def test_outside_a_git_repository_is_a_usage_error(check, tmp_path, monkeypatch, minimal_text):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "ward-huddles.md").write_text(minimal_text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = check("--base", "main")
    assert result.exit_code == 2
    assert result.output == "error: --base compares with a git revision, but cases is not in a git repository\n"


def test_help_documents_base(run_line):
    text = run_line(["check", "--help"]).output
    assert "--base REF" in text and "redirect_from" in text
