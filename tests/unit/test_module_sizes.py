"""No module of the package is over 600 lines: its Python, and its own JavaScript and CSS (the
vendored libraries in assets/atlas/vendor/ aside)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "plugins" / "learning_atlas"
ASSETS = PACKAGE / "mkdocs_plugin" / "assets" / "atlas"
VENDOR = ASSETS / "vendor"
MAX_LINES = 600


def _modules() -> list[Path]:
    python = PACKAGE.rglob("*.py")
    assets = [p for p in ASSETS.rglob("*") if p.suffix in (".js", ".css") and VENDOR not in p.parents]
    return sorted(p for p in [*python, *assets] if p.is_file())


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_modules_are_found():
    names = {_name(p) for p in _modules()}
    assert "plugins/learning_atlas/mkdocs_plugin/plugin.py" in names
    assert "plugins/learning_atlas/mkdocs_plugin/assets/atlas/submit/start.js" in names
    assert "plugins/learning_atlas/mkdocs_plugin/assets/atlas/atlas.css" in names
    assert not [n for n in names if "/vendor/" in n]


def test_no_module_is_over_600_lines():
    sizes = {_name(p): _lines(p) for p in _modules()}
    over = [f"{name}: {n} lines" for name, n in sizes.items() if n > MAX_LINES]
    assert not over, f"over {MAX_LINES} lines; split them along their sections:\n" + "\n".join(over)

