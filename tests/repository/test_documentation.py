"""The README and the guides name what they should, and every repository path the README names exists."""

from __future__ import annotations

import re

from repository_files import README, ROOT, readme

TOP_FOLDERS = (".ci", ".github", ".vscode", "bench", "cases", "docs", "plugins", "requirements", "schemas", "tests")


def test_readme_documents_new_report_and_base():
    text = README.read_text(encoding="utf-8")
    for phrase in ("atlas new", "--no-input", "TODO:", "atlas report", "--format text|markdown|json",
                   "atlas check --base REF", "redirect_from"):
        assert phrase in text, phrase


def test_case_format_page_is_on_the_site_and_named_as_the_contract():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*- [^:\n]+: case-format\.md$", nav, re.MULTILINE), "add docs/case-format.md to mkdocs.yml's nav"
    assert "docs/case-format.md" in README.read_text(encoding="utf-8"), "README: name the contract's page"
    assert "docs/case-format.md" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "(case-format.md" in (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    schema = (ROOT / "schemas" / "case.schema.yaml").read_text(encoding="utf-8")
    assert "docs/case-format.md" in schema.split("\n$schema")[0]


def test_every_repository_path_the_readme_names_exists():
    """A path in the README's inline code under one of the repository's folders (not a pattern
    such as ``cases/<slug>.md``) is a file or folder of the repository: a moved test is renamed there too."""
    named = {code.get_text() for code in readme().find_all("code") if code.parent.name != "pre"}
    paths = {n for n in named if n.split("/")[0] in TOP_FOLDERS and "/" in n and not re.search(r"[<>*^$\\]", n)}
    assert "tests/site_engine.py" in paths
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []
