"""Benchmark: the script the submission form's page loads before, and when, the reader starts filling it.

The sample atlas (this repository's mkdocs.yml and cases/) is built and served by a plain static
server, Python's http.server, which sends every file as it is (no compression), and opened in
Chromium. Counted: the body of every response as transferred (Playwright's ``responseBodySize``),
from opening a page until the network is idle, on the home page and on /submit/ before any
interaction; then what /submit/ loads when the reader first focuses a field. For a server that
compresses (GitHub Pages does), each script is also given as gzip -9 would send it.

Target: before interaction, /submit/ loads at most 60 KB (60,000 bytes) more script than the home
page; tests/browser/test_submit.py asserts the same, with :func:`weigh`. Also timed here, since a
test asserts no timing: from the first focus until the checks are ready, on an emulated slow
connection. Writes its section of BENCHMARKS.md.

Usage: python bench/submit_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]  # tests/site_engine.py runs the engine for both
from benchlib import ROOT, machine, write_section  # noqa: E402

BUDGET = 60_000
"""Bytes of script /submit/ may load before the reader starts, beyond what the home page loads."""
LOADED_LATER = ("ajv2020-formats.min.js", "marked.umd.js", "purify.min.js", "checks.js", "domain-checks.js",
                "schema-checks.js", "problems.js", "preview.js", "file.js", "series.js")
"""What the form loads when the reader starts filling it, and not before."""
# A slow mobile connection, as Chrome's "Slow 4G" preset: 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up.
SLOW = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass
class Response:
    path: str  # the address's path, from the site's root
    kind: str  # Playwright's resource type: script, fetch, stylesheet...
    size: int  # the body's bytes as transferred


@dataclass
class Weight:
    home: list[Response] = field(default_factory=list)
    submit: list[Response] = field(default_factory=list)  # /submit/ until idle, before any interaction
    started: list[Response] = field(default_factory=list)  # what it loads when the reader focuses a field

    @staticmethod
    def scripts(responses: list[Response]) -> int:
        return sum(r.size for r in responses if r.kind == "script")

    @property
    def extra(self) -> int:
        """Script /submit/ loads before interaction beyond the home page's."""
        return self.scripts(self.submit) - self.scripts(self.home)


def _recording(page) -> list[Response]:
    seen: list[Response] = []

    def finished(request) -> None:
        seen.append(Response(urlsplit(request.url).path, request.resource_type, request.sizes()["responseBodySize"]))

    page.on("requestfinished", finished)
    return seen


def weigh(new_context: Callable[..., object]) -> Weight:
    """What the home page and /submit/ load, each in a fresh context from ``new_context()`` (its
    base URL the site's root; requests elsewhere aborted), and what /submit/ loads on first focus."""
    weight = Weight()
    home = new_context().new_page()
    weight.home = _recording(home)
    home.goto("./")
    home.wait_for_load_state("networkidle")
    home.close()

    page = new_context().new_page()
    seen = _recording(page)
    page.goto("submit/")
    page.wait_for_selector('#atlas-submit[data-ready="true"]')
    page.wait_for_load_state("networkidle")
    weight.submit = list(seen)
    page.focus("#f-title")
    page.wait_for_selector('#atlas-submit[data-checks="ready"]')
    page.wait_for_load_state("networkidle")
    weight.started = seen[len(weight.submit):]
    page.close()
    return weight


def seconds_to_checks(new_context: Callable[..., object]) -> float:
    """From the first focus in the form until its checks are ready, on the slow connection (warm: the
    page itself is loaded and idle first)."""
    page = new_context().new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW)
    page.goto("submit/")
    page.wait_for_selector('#atlas-submit[data-ready="true"]')
    page.wait_for_load_state("networkidle")
    page.evaluate("""() => {
      const root = document.getElementById("atlas-submit");
      root.addEventListener("focusin", () => { window.benchFocus = performance.now(); }, { once: true, capture: true });
      new MutationObserver(() => {
        if (root.dataset.checks === "ready" && window.benchReady === undefined) window.benchReady = performance.now();
      }).observe(root, { attributes: true, attributeFilter: ["data-checks"] });
    }""")
    page.focus("#f-title")
    page.wait_for_selector('#atlas-submit[data-checks="ready"]', timeout=60_000)
    elapsed = page.evaluate("window.benchReady - window.benchFocus") / 1000
    page.close()
    return elapsed


def _gzipped(site: Path, responses: list[Response], base_path: str) -> int:
    total = 0
    for r in responses:
        if r.kind == "script":
            local = site / r.path.removeprefix(base_path)
            total += len(gzip.compress(local.read_bytes(), compresslevel=9))
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright
    from reader_search_bench import serve
    from site_engine import build_site

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        built = build_site(ROOT / "mkdocs.yml", site, "--strict")
        if built.returncode != 0:
            raise SystemExit(f"the build failed:\n{built.stderr[-3000:]}")
        server, url = serve(site)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                contexts = []

                def new_context():
                    context = browser.new_context(base_url=url)
                    context.route(lambda u: not u.startswith(url), lambda route: route.abort())
                    contexts.append(context)
                    return context

                weight = weigh(new_context)
                times = [seconds_to_checks(new_context) for _ in range(args.rounds)]
                for context in contexts:
                    context.close()
                browser.close()
        finally:
            server.shutdown()
        zipped = {name: _gzipped(site, getattr(weight, name), "/") for name in ("home", "submit", "started")}

    home, submit, started = (Weight.scripts(r) for r in (weight.home, weight.submit, weight.started))
    ok = weight.extra <= BUDGET
    late = sorted(Path(r.path).name for r in weight.started if r.kind == "script")
    data = {r.path: r.size for r in weight.submit + weight.started if r.kind != "script" and r.path.endswith(".json")}
    text = (
        "## The submission form's script, before and when the reader starts\n\n"
        f"Written by `bench/submit_bench.py`; {machine()}; Chromium via Playwright; the sample atlas served by "
        "Python's `http.server`, which does not compress: bytes are response bodies as transferred, from opening "
        "the page until the network is idle (gzip -9 beside them, as a compressing server such as GitHub Pages "
        "would send the same files).\n\n"
        "| script loaded | bytes as served | gzip -9 |\n|---|---|---|\n"
        f"| home page | {home:,} | {zipped['home']:,} |\n"
        f"| /submit/ before the reader starts | {submit:,} | {zipped['submit']:,} |\n"
        f"| /submit/ beyond the home page | **{weight.extra:,}** | {zipped['submit'] - zipped['home']:,} |\n"
        f"| loaded when the reader first focuses a field | {started:,} | {zipped['started']:,} |\n\n"
        f"Loaded on first focus: {', '.join(f'`{n}`' for n in late)}. Data fetched by the form: "
        + ", ".join(f"`{path}` {size:,} bytes" for path, size in data.items())
        + " (the form's data before interaction; the published cases' list on first focus).\n\n"
        f"From the first focus until the checks are ready, on an emulated slow connection (150 ms latency, "
        f"1.6 Mbit/s), median of {args.rounds}: **{statistics.median(times):.2f} s** (slowest "
        f"{max(times):.2f} s). Until then the form takes typing as usual and keeps the draft; the checks run on "
        "what is there once they are ready.\n\n"
        f"Target: at most {BUDGET:,} bytes more script than the home page before interaction. "
        f"Result: {'meets' if ok else 'MISSES'} it.\n"
    )
    write_section("submit_bench", text)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
