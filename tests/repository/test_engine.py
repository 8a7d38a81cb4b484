"""The site engine is chosen in one place each: ``ENGINE`` in the Makefile, ``tests/site_engine.py``
for the tests and benchmarks (see the README's "The engine")."""

from __future__ import annotations

import ast
from pathlib import Path

from repository_files import ROOT, make_recipe, makefile
from site_engine import ENGINES

HELPER = ROOT / "tests" / "site_engine.py"
STARTS_A_PROCESS = {"run", "Popen", "call", "check_call", "check_output", "system", "execv", "execvp"}


def test_make_runs_the_engine_named_by_engine_mkdocs_unless_told():
    variables, _ = makefile()
    assert variables["ENGINE"] == "mkdocs"
    assert variables["ENGINE"] in ENGINES
    (command,) = make_recipe("build").split("\n")[:1]
    assert command.split()[:2] == ["$(VENV)/bin/$(ENGINE)", "build"], command
    # make serve runs atlas serve (incremental rebuilds), which builds with the engine it is given
    (command,) = make_recipe("serve").split("\n")[:1]
    assert command.split()[:2] == ["$(VENV)/bin/atlas", "serve"] and "--engine $(ENGINE)" in command, command
    for target in ("test", "bench"):
        runs_engine = [line for line in make_recipe(target).splitlines() if "pytest" in line or "_bench.py" in line]
        passed_on = [line for line in runs_engine if line.split()[0] == "ATLAS_ENGINE=$(ENGINE)"]
        assert passed_on, f"make {target} does not pass ENGINE on to tests/site_engine.py"


def _runs_a_module_of_the_engine(node: ast.AST) -> bool:
    """A list or tuple of words holding ``-m ENGINE``."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return False
    words = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
    return any(a == "-m" and b in ENGINES for a, b in zip(words, words[1:]))


def _engine_processes(path: Path) -> list[str]:
    """Where ``path`` runs an engine itself: ``-m ENGINE`` in a command line, or a call that starts
    a process with the engine's name among its words."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if _runs_a_module_of_the_engine(node):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in STARTS_A_PROCESS:
            continue
        words = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if any(Path(word).name in ENGINES or word.split()[:1] in ([e] for e in ENGINES) for word in words):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_tests_and_benchmarks_run_the_engine_only_through_site_engine():
    sources = [*ROOT.glob("bench/*.py"), *(p for p in ROOT.glob("tests/**/*.py") if "node_modules" not in p.parts)]
    assert HELPER in sources
    assert [where for path in sources if path != HELPER for where in _engine_processes(path)] == []
