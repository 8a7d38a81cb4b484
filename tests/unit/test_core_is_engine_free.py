"""The atlas core imports nothing from MkDocs, so another site engine could drive it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "learning_atlas"


def test_core_modules_do_not_import_mkdocs():
    offenders = []
    for module in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{module.name}: {n}" for n in names if n.split(".")[0] in ("mkdocs", "material")]
    assert offenders == []
    assert (PACKAGE / "mkdocs_plugin" / "plugin.py").exists()
