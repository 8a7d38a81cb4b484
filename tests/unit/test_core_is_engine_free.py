"""Only the adapter (``mkdocs_plugin``) knows MkDocs and Material: the core could be driven by another engine."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "learning_atlas"
ADAPTER = PACKAGE / "mkdocs_plugin"
ENGINE_AND_THEME = ("mkdocs", "properdocs", "material")


def _core_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ADAPTER not in p.parents)


def test_core_modules_do_not_import_mkdocs_or_material_even_inside_functions():
    offenders = []
    for module in _core_modules():
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{module.relative_to(PACKAGE)}: {n}" for n in names if n.split(".")[0] in ENGINE_AND_THEME]
    assert len(_core_modules()) >= 30 and offenders == []  # every module of every part but the adapter


def test_templates_styles_and_scripts_live_in_the_adapter():
    """Jinja templates, theme overrides, CSS and the browser's scripts are the adapter's, and nothing else's."""
    web = [p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".html", ".jinja", ".css", ".js")]
    assert web and all(ADAPTER in p.parents for p in web), [str(p) for p in web if ADAPTER not in p.parents]
    assert (ADAPTER / "templates" / "atlas" / "case.html").is_file()
    assert (ADAPTER / "templates" / "overrides" / "partials" / "search.html").is_file()


def test_the_core_names_no_template_and_no_theme_class():
    """The core's HTML uses the atlas's own classes; which template draws a page is the adapter's choice."""
    theme = re.compile(r"""["'](?:atlas|partials|overrides)/[\w/.-]+\.html["']|\bmd-[a-z]""")
    offenders = [
        f"{module.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for module in _core_modules()
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1)
        if theme.search(line)
    ]
    assert offenders == []


def test_the_adapter_is_the_only_template_user():
    """Every template the plugin names exists in its own templates folder, under the atlas/ namespace."""
    plugin = (ADAPTER / "plugin.py").read_text(encoding="utf-8")
    named = set(re.findall(r'"(atlas/[\w/.-]+\.html)"', plugin))
    assert named and all((ADAPTER / "templates" / name).is_file() for name in named), named
