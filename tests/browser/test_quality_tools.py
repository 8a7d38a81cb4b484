"""The pages as real tools judge them, each at the version package-lock.json pins: Lighthouse
(phone profile), the Nu Html Checker (vnu.jar, on Debian's Java) and pa11y's HTML_CodeSniffer
(WCAG 2 AA), the last two beside the axe-core tests of test_accessibility.py.

Nothing is built here: the tools read the sample atlas the browser conftest builds (``built_site``)
and serves as GitHub Pages does (``base_url``, http://127.0.0.1:PORT/atlas/, gzip), and the
renamed atlas it builds for a redirect page (``renamed_site``). Lighthouse and pa11y launch
Debian's Chromium; nothing they run reaches the network (see ``BLOCKED``).

Errors that come from Material's own templates, not from the atlas's markup, are listed in
``THEME_ERRORS`` with where they come from and the theme's issue; everything else fails, and so
does an entry that no page shows any more (the list only shrinks). A threshold a page cannot meet
until its owner changes it is an ``xfail(strict=True)`` naming what fails and who fixes it: the
suite passes now, and fails the day the page passes, when the mark goes (a score that straddled
its threshold run to run would be marked without ``strict``). The marks expect only the
tools' findings (``AssertionError``): a tool that cannot run fails the test whatever its mark.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
CASE_PATH = "cases/learning-lessons-framework-north-staffordshire/"
PAGES = {"home": "", "explore": "explore/", "case": CASE_PATH, "submit": "submit/",
         "collection": "collections/harm-free-care-learning-sessions/"}
"""The pages Lighthouse and pa11y check."""


def _tool(name: str) -> Path:
    """The folder of the npm package ``name``, failing unless it is the version package-lock.json pins."""
    manifest = MODULES / name / "package.json"
    if not manifest.is_file():
        pytest.fail(f"{name} is missing from {MODULES}: run tests/browser/install-browser.sh")
    locked = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))["packages"][f"node_modules/{name}"]
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if installed != locked["version"]:
        pytest.fail(f"{name} {installed} is installed, the lock pins {locked['version']}: "
                    "run tests/browser/install-browser.sh")
    return manifest.parent


def _check(condition: object, message: str) -> None:
    """Fail (not an ``AssertionError``, which the xfail marks expect) when a tool could not run."""
    if not condition:
        pytest.fail(message)


def xfail(reason: str, strict: bool = True) -> pytest.MarkDecorator:
    """An expected finding of a tool; anything else that goes wrong still fails."""
    return pytest.mark.xfail(strict=strict, reason=reason, raises=AssertionError)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the browser tests' tools run on Node.js (20 or later)")
    return node


# --- Material's own errors -----------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeError:
    """An error a tool reports in markup that Material's templates write, not the atlas's."""

    tool: str  # "vnu" or "pa11y"
    message: str  # a regular expression on vnu's message, or pa11y's code
    markup: str  # a regular expression on the markup the tool quotes (vnu's extract, pa11y's context)
    source: str  # where Material writes it (mkdocs-material 9.8.2)
    reference: str  # the theme's issue, or why there is none

    def matches(self, tool: str, message: str, markup: str) -> bool:
        return tool == self.tool and bool(re.search(self.message, message)) and bool(re.search(self.markup, markup))


MATERIAL_ISSUES = "https://github.com/squidfunk/mkdocs-material/issues"
THEME_ERRORS = [
    ThemeError(
        "vnu", r"^Attribute “autocomplete” is only allowed when the input type is",
        r'type="checkbox" id="__(drawer|search)" autocomplete="off"',
        "base.html: the hidden checkboxes that open the drawer and the search (__drawer, __search) "
        "carry autocomplete=\"off\", which HTML allows on text-like inputs only (Firefox reads it on "
        "a checkbox, not to restore its state after a reload)",
        f"{MATERIAL_ISSUES}/1513 (closed; the attribute is still in 9.8.2)",
    ),
    ThemeError(
        "vnu", r"^Bad value “” for attribute “tabindex” on element “label”",
        r'<label class="md-nav__link[^"]*" for="__nav_[0-9_]+" id="__nav_[0-9_]+_label" tabindex="">',
        "partials/nav-item.html (lines 106-107 and 118-119): a section's label in the navigation "
        "gets tabindex=\"{{ tabindex }}\", where tabindex is set only when the item is not a "
        "section, so a section (Browse, Contribute) writes tabindex=\"\"",
        "none found in the theme's tracker",
    ),
    ThemeError(
        "vnu", r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form "
               r"control",
        r'<label class="md-nav__title" for="__toc">',
        "partials/toc.html (line 15): the table of contents' title is a label for the __toc "
        "checkbox, which partials/nav-item.html writes only for the page it finds in the "
        "navigation; the atlas's generated pages (cases, term listings) are not in it, so their "
        "label points at nothing",
        "none found in the theme's tracker",
    ),
    ThemeError(
        "pa11y", r"^WCAG2AA\.Principle3\.Guideline3_2\.3_2_2\.H32\.2$",
        r'^<form class="md-header__option" data-md-component="palette">',
        "partials/palette.html: the colour scheme switch is a form of radio buttons with no submit "
        "button (HTML_CodeSniffer's H32.2; the switch applies at once, by script)",
        "none found in the theme's tracker",
    ),
    ThemeError(
        "pa11y", r"^WCAG2AA\.(Principle4\.Guideline4_1\.4_1_2\.H91\.InputCheckbox\.Name"
                 r"|Principle1\.Guideline1_3\.1_3_1\.F68)$",
        r'^<input class="md-nav__toggle md-toggle" type="checkbox" id="__toc">',
        "partials/nav-item.html (lines 145-151): the page's own item in the navigation writes the "
        "hidden __toc checkbox, and its label only when the page has a table of contents (the home "
        "page has none), leaving a checkbox without a name",
        "none found in the theme's tracker",
    ),
]


def _theme_error(tool: str, message: str, markup: str) -> ThemeError | None:
    return next((known for known in THEME_ERRORS if known.matches(tool, message, markup)), None)


# --- the Nu Html Checker -------------------------------------------------------------------------

VOCABULARIES = ("themes", "settings", "regions", "organisations", "commitments", "years")
PAGE_TYPES = ("home", "explore", "case", "listing", "section-index", "submit", "page", "404", "redirect",
              "collection", "collections", "most-taken-up")
REDIRECT_PAGE = "cases/old-name/index.html"


def _page_type(path: str) -> str | None:
    """The kind of page at ``path`` (relative to the site) in the sample atlas; None for one unknown."""
    parts = path.split("/")
    if path == "index.html":
        return "home"
    if path == "404.html":
        return "404"
    if len(parts) == 2 and parts[1] == "index.html":
        if parts[0] in VOCABULARIES:
            return "section-index"  # atlas/section.html
        return {"explore": "explore", "submit": "submit", "collections": "collections",  # the collections' index
                "most-taken-up": "most-taken-up"}.get(parts[0], "page")  # "page": Markdown in docs/
    if len(parts) == 3 and parts[2] == "index.html":
        if parts[0] == "cases":
            return "case"
        if parts[0] == "collections":
            return "collection"  # atlas/collection.html
        if parts[0] in VOCABULARIES:
            return "listing"  # atlas/listing.html: one term's cases
    return None


@dataclass(frozen=True)
class Problem:
    page: str
    line: int | None
    message: str
    markup: str
    theme: ThemeError | None

    def __str__(self) -> str:
        where = f"{self.page}:{self.line}" if self.line else self.page
        return f"{where}: {self.message}\n      {' '.join(self.markup.split())[:160]}"


CANARY = "vnu-canary.html"
CANARY_HTML = '<!doctype html><html lang="en"><title>Canary</title><p><span tabindex="">x</span>\n'
"""A page with one error, checked with the others: vnu really reads what it is given."""


@dataclass
class VnuReport:
    pages: dict[str, list[str]]  # page type: its pages
    problems: dict[str, list[Problem]]  # page type: the errors on its pages
    canary: list[str]  # vnu's errors on the canary page


@pytest.fixture(scope="module")
def vnu(built_site: Path, renamed_site: Path, tmp_path_factory) -> VnuReport:
    """vnu's errors on every HTML page of the sample atlas and on the renamed atlas's redirect page,
    by page type; every page is checked in one run of the checker (one Java start)."""
    jar = _tool("vnu-jar") / "build" / "dist" / "vnu.jar"
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: run tests/browser/install-browser.sh (it installs default-jre-headless)")
    canary = tmp_path_factory.mktemp("vnu") / CANARY
    canary.write_text(CANARY_HTML, encoding="utf-8")
    files = {page: page.relative_to(built_site).as_posix() for page in sorted(built_site.rglob("*.html"))}
    files[renamed_site / REDIRECT_PAGE] = REDIRECT_PAGE
    files[canary] = CANARY
    pages: dict[str, list[str]] = {kind: [] for kind in PAGE_TYPES}
    for name in files.values():
        if name != CANARY:
            kind = "redirect" if name == REDIRECT_PAGE else _page_type(name)
            _check(kind is not None, f"{name}: a page of no known type (add it to _page_type)")
            pages[kind].append(name)
    # Straight to Java: vnu-jar's own vnu.js would download a Java runtime when it finds none.
    done = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=600,
    )
    _check(done.returncode == 0, f"vnu failed ({done.returncode}):\n{done.stderr[-3000:]}")
    by_file = {page.resolve(): name for page, name in files.items()}
    problems: dict[str, list[Problem]] = {kind: [] for kind in PAGE_TYPES}
    caught = []
    for message in json.loads(done.stderr)["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue  # warnings and notes: not asserted
        url = message.get("url", "")
        name = by_file.get(Path(unquote(urlsplit(url).path)).resolve()) if url else None
        _check(name is not None, f"vnu: an error on none of the pages: {message}")
        if name == CANARY:
            caught.append(message["message"])
            continue
        kind = "redirect" if name == REDIRECT_PAGE else _page_type(name)
        markup = message.get("extract", "")
        problems[kind].append(Problem(name, message.get("lastLine"), message["message"], markup,
                                      _theme_error("vnu", message["message"], markup)))
    return VnuReport(pages, problems, caught)


def test_vnu_checks_every_page_type(vnu):
    assert all(vnu.pages.values()), f"a page type has no page: { {k: len(v) for k, v in vnu.pages.items()} }"
    assert len(vnu.canary) == 1 and "tabindex" in vnu.canary[0], f"vnu missed the canary's error: {vnu.canary}"


VNU_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize("kind", [
    pytest.param(kind, marks=xfail(VNU_XFAIL[kind])) if kind in VNU_XFAIL else kind
    for kind in PAGE_TYPES
])
def test_vnu_finds_no_error_in_our_markup(vnu, kind):
    ours = [p for p in vnu.problems[kind] if p.theme is None]
    shown = "\n".join(f"  {p}" for p in ours[:30])
    assert not ours, (f"vnu: {len(ours)} error(s) on {len(vnu.pages[kind])} {kind} page(s) not from Material's "
                      f"templates:\n{shown}")


# --- pa11y (HTML_CodeSniffer) --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pa11y(base_url, chromium_executable, chromium_args, tmp_path_factory):
    """``pa11y(name)``: pa11y's errors (WCAG 2 AA, HTML_CodeSniffer) on one of ``PAGES``, run once."""
    tool = _tool("pa11y")
    script = tool / json.loads((tool / "package.json").read_text(encoding="utf-8"))["bin"]["pa11y"]
    config = tmp_path_factory.mktemp("pa11y") / "pa11y.json"
    config.write_text(json.dumps({
        "runners": ["htmlcs"],
        "standard": "WCAG2AA",
        "timeout": 90_000,
        # Debian's Chromium: puppeteer's own Chrome is never downloaded (install-browser.sh).
        "chromeLaunchConfig": {
            "executablePath": chromium_executable,
            "args": [*chromium_args, "--disable-dev-shm-usage"],
        },
    }), encoding="utf-8")
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "true"}
    results: dict[str, list[dict]] = {}

    def run(name: str) -> list[dict]:
        if name not in results:
            done = subprocess.run(
                [_node(), str(script), "--config", str(config), "--reporter", "json", base_url + PAGES[name]],
                capture_output=True, text=True, timeout=300, env=env, cwd=HERE,
            )
            # 0: no issue; 2: issues found; anything else: pa11y itself failed.
            _check(done.returncode in (0, 2), f"pa11y failed on {name} ({done.returncode}):\n{done.stderr[-3000:]}")
            results[name] = json.loads(done.stdout) if done.stdout.strip() else []
        return results[name]

    return run


PA11Y_XFAIL: dict[str, str] = {}


def _pa11y_errors(issues: list[dict]) -> list[dict]:
    return [i for i in issues if i["type"] == "error" and _theme_error("pa11y", i["code"], i["context"]) is None]


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=xfail(PA11Y_XFAIL[name])) if name in PA11Y_XFAIL else name
    for name in PAGES
])
def test_pa11y_finds_no_error(pa11y, name):
    errors = _pa11y_errors(pa11y(name))
    shown = "\n".join(f"  - {e['code']}: {e['message']}\n      {e['selector']}  {' '.join(e['context'].split())[:160]}"
                      for e in errors)
    assert not errors, f"pa11y: {len(errors)} error(s) on {name} not from Material's templates:\n{shown}"


def test_every_listed_theme_error_still_occurs(vnu, pa11y):
    """A listed error that no page shows any more (the theme fixed it, or a page owner overrode
    the template) leaves the list, so that it never hides one of ours."""
    seen = {p.theme for problems in vnu.problems.values() for p in problems if p.theme}
    for name in PAGES:
        seen |= {_theme_error("pa11y", i["code"], i["context"]) for i in pa11y(name) if i["type"] == "error"}
    stale = [f"{known.tool}: {known.source}" for known in THEME_ERRORS if known not in seen]
    assert not stale, "listed in THEME_ERRORS, found on no page: remove them\n" + "\n".join(stale)


# --- Lighthouse ----------------------------------------------------------------------------------

CATEGORIES = {"performance": 90, "accessibility": 100, "best-practices": 95, "seo": 100}
"""The lowest score each category may have."""
RUNS = 3
"""Lighthouse runs a page this many times. Its performance score is simulated from the traces of
a run, whose CPU times vary with the machine's load (on 2 shared cores, one page scored from 0.92 to
0.99 in six runs): the test takes the median of the runs for performance, and holds the other
categories, which do not depend on timing, in every run."""
BLOCKED = ["*://api.github.com/*"]
"""Hosts Lighthouse's Chromium does not ask. Material's header asks the GitHub API for the
repository's stars and forks (``repo_url``); Pages' readers get an answer, but here the network is
closed, and the failed request would be a console error (best practices' errors-in-console). A
blocked request is one that audit ignores, as the conftest aborts it for Playwright. Any other host
a page asks for is not blocked: its failure shows."""
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


@dataclass(frozen=True)
class LighthouseRun:
    scores: dict[str, int]  # category id: 0-100
    failed: dict[str, list[str]]  # category id: its audits that did not pass, "id: title (value)"
    errored: dict[str, dict[str, float]]  # category id: its audits that could not run, with their weights
    benchmark: float  # Lighthouse's measure of the CPU during the run
    warnings: list[str]


def _lighthouse_run(report: dict) -> LighthouseRun:
    audits = report["audits"]
    failed: dict[str, list[str]] = {}
    errored: dict[str, dict[str, float]] = {}
    for category_id, category in report["categories"].items():
        lines = []
        errored[category_id] = {ref["id"]: ref.get("weight", 0) for ref in category["auditRefs"]
                                if audits[ref["id"]]["scoreDisplayMode"] == "error"}
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            if audit["scoreDisplayMode"] in ("notApplicable", "informative", "manual", "error"):
                continue
            if audit["score"] is not None and audit["score"] < 1 and (ref.get("weight", 0) > 0 or audit["score"] < 0.9):
                value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
                lines.append(f"{audit['id']}: {audit['title']}{value} "
                             f"[score {audit['score']}, weight {ref.get('weight', 0)}]")
        failed[category_id] = lines
    scores = {cid: round(100 * c["score"]) if c["score"] is not None else 0 for cid, c in report["categories"].items()}
    return LighthouseRun(scores, failed, errored, report["environment"]["benchmarkIndex"],
                         report.get("runWarnings", []))


@pytest.fixture(scope="module")
def lighthouse(base_url, chromium_executable, tmp_path_factory):
    """``lighthouse(name)``: ``RUNS`` Lighthouse runs on one of ``PAGES``, made once, one at a time."""
    cli = _tool("lighthouse") / "cli" / "index.js"
    out = tmp_path_factory.mktemp("lighthouse")
    env = {**os.environ, "CHROME_PATH": chromium_executable}
    results: dict[str, list[LighthouseRun]] = {}

    def run(name: str) -> list[LighthouseRun]:
        if name in results:
            return results[name]
        runs = []
        for i in range(RUNS):
            path = out / f"{name}-{i}.json"
            done = subprocess.run(
                [_node(), str(cli), base_url + PAGES[name], "--output=json", f"--output-path={path}",
                 f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}",
                 "--quiet", "--no-enable-error-reporting", *(f"--blocked-url-patterns={p}" for p in BLOCKED)],
                capture_output=True, text=True, timeout=300, env=env, cwd=HERE,
            )
            _check(done.returncode == 0 and path.is_file(),
                   f"Lighthouse failed on {name} ({done.returncode}):\n{done.stderr[-3000:]}")
            report = json.loads(path.read_text(encoding="utf-8"))
            _check(not report.get("runtimeError"), f"Lighthouse could not run on {name}: {report.get('runtimeError')}")
            settings = report["configSettings"]  # the phone profile: Lighthouse's defaults
            _check((settings["formFactor"], settings["throttlingMethod"]) == ("mobile", "simulate"),
                   f"Lighthouse ran without the phone profile: {settings}")
            runs.append(_lighthouse_run(report))
        results[name] = runs
        return runs

    return run


LIGHTHOUSE_XFAIL: dict[tuple[str, str], tuple[bool, str]] = {}
"""(page, category): (strict, reason). A score that straddles its threshold run to run would be
marked without strict, so that luck alone never fails the suite."""


@pytest.mark.parametrize("name, category", [
    pytest.param(name, category, id=f"{name}-{category}",
                 marks=[xfail(LIGHTHOUSE_XFAIL[name, category][1], strict=LIGHTHOUSE_XFAIL[name, category][0])]
                 if (name, category) in LIGHTHOUSE_XFAIL else [])
    for name in PAGES for category in CATEGORIES
])
def test_lighthouse_scores(lighthouse, name, category):
    runs = lighthouse(name)
    scores = [run.scores[category] for run in runs]
    if category == "performance":
        score = statistics.median(scores)
        shown = sorted(runs, key=lambda run: run.scores[category])[len(runs) // 2]  # the median run
    else:
        score = min(scores)
        shown = min(runs, key=lambda run: run.scores[category])  # the worst run
    print(f"{name} {category}: {scores} (benchmark index {[round(run.benchmark) for run in runs]})")
    # A score counts only the audits that ran. Lighthouse 12.2.3 cannot read some of the traces of
    # Debian's newer Chromium (six diagnostics, weight 0, fail with "frame_sequence"); none weighs.
    weighed = sorted({audit for run in runs for audit, weight in run.errored[category].items() if weight})
    _check(not weighed, f"Lighthouse {category} on {name}: audits that count could not run: {weighed}")
    failed = "\n".join(f"  - {line}" for line in shown.failed[category]) or "  (no audit below 1)"
    notes = "".join(f"\n  warning: {w}" for w in shown.warnings)
    if shown.errored[category]:
        notes += "\n  could not run: " + ", ".join(f"{a} (weight {w})" for a, w in shown.errored[category].items())
    assert score >= CATEGORIES[category], (
        f"Lighthouse {category} on {name}: {score} (runs: {scores}; at least {CATEGORIES[category]}); "
        f"failed audits of the {'median' if category == 'performance' else 'worst'} run:\n{failed}{notes}"
    )
