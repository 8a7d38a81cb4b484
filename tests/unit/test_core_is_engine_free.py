"""The atlas core imports nothing from the site engine or its theme, so another engine could drive it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "learning_atlas"
ADAPTER = PACKAGE / "mkdocs_plugin"
ENGINE_PACKAGES = ("mkdocs", "properdocs", "material")


def _core_modules() -> list[Path]:
    """Every module of the package but the MkDocs adapter's, in every subpackage."""
    return sorted(m for m in PACKAGE.rglob("*.py") if not m.is_relative_to(ADAPTER))


def test_core_modules_do_not_import_the_engine_or_the_theme():
    offenders = []
    for module in _core_modules():
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            name = module.relative_to(PACKAGE).as_posix()
            offenders += [f"{name}: {n}" for n in names if n.split(".")[0] in ENGINE_PACKAGES]
    assert offenders == []


def test_the_core_is_every_subpackage_and_the_adapter_is_apart():
    checked = {m.relative_to(PACKAGE).parts[0] for m in _core_modules()}
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert checked >= subpackages - {ADAPTER.name}
    assert (ADAPTER / "plugin.py").is_file()
