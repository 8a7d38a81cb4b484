"""Benchmark: bytes a reader's browser fetches for one search, Pagefind against Material's search.

For synthetic atlases of 1,000 and 5,000 cases: the atlas is built (its header
search backed by Pagefind), served on localhost and searched in Chromium; every
byte fetched from typing the first letter to the results being shown is
counted. Baseline: Material's built-in search, which fetches its whole
search_index.json before the first result (its size is read off the same
cases built by bare Material). Target: at most 300 KB at 1,000 cases.
Writes its section of BENCHMARKS.md.

Usage: python bench/reader_search_bench.py [--sizes 1000 5000]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import machine, write_section  # noqa: E402
from site_bench import build, make_atlas, make_baseline  # noqa: E402
from synthetic import generate  # noqa: E402

QUERIES = ["discharge pathway", "falls", "video consultation", "dashboard audit feedback"]
TARGET_KB = 300
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def search_bytes(url: str, query: str) -> tuple[int, int]:
    """Bytes fetched from the first keystroke until results show, and the number of results shown."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        fetched = []
        page.on("requestfinished", lambda request: fetched.append(request.sizes()["responseBodySize"]
                                                                   + request.sizes()["responseHeadersSize"]))
        page.click("#atlas-search-input")
        page.keyboard.type(query)
        page.wait_for_function(
            "document.getElementById('atlas-search-status').textContent.match(/^(\\d+ case stud|No case)/)",
            timeout=30_000,
        )
        page.wait_for_load_state("networkidle")
        shown = page.locator(".md-search-result__item").count()
        browser.close()
    return sum(fetched), shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args(argv)
    rows = []
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in args.sizes:
            cases = generate(tmp / f"cases-{size}", size)
            atlas_site, baseline_site = tmp / f"atlas-{size}", tmp / f"baseline-{size}"
            build(make_atlas(tmp / f"atlas-project-{size}", tmp / f"cases-{size}"), atlas_site)
            build(make_baseline(tmp / f"baseline-project-{size}", cases), baseline_site)
            material = (baseline_site / "search" / "search_index.json").stat().st_size
            server, url = serve(atlas_site)
            try:
                measured = [search_bytes(url, q) for q in QUERIES]
            finally:
                server.shutdown()
            typical = statistics.median(b for b, _ in measured)
            assert all(shown > 0 for _, shown in measured), measured
            if size == 1000:
                ok = typical / 1000 <= TARGET_KB
            rows.append(
                f"| {size:,} | {material / 1e6:.1f} MB | {typical / 1000:.0f} KB | "
                f"{typical / material:.3f} |"
            )
    text = (
        "## Reader search: bytes fetched for one query\n\n"
        f"Written by `bench/reader_search_bench.py`; {machine()}; Chromium via Playwright; queries "
        f"{', '.join(repr(q) for q in QUERIES)} typed into the header search; median over the queries of all bytes "
        "(headers and bodies) fetched from the first keystroke to the results.\n\n"
        "| cases | baseline: Material's search_index.json | atlas (Pagefind) | ratio |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nTarget: at most {TARGET_KB} KB at 1,000 cases. Result: {'meets' if ok else 'MISSES'} it.\n"
    )
    write_section("reader_search_bench", text)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
