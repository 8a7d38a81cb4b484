"""Benchmark: the Explore page at 1,000 and 5,000 cases: bytes loaded, and how fast a filter click answers.

For each size a synthetic atlas is built with the repository's own site (its mkdocs.yml, docs/,
schemas/ and CONTRIBUTING.md copied beside the synthetic cases), served on localhost under /atlas/
by a plain static server (no compression) and opened in Chromium through Playwright:

- bytes: every byte (headers and bodies, as Chromium's network layer counts them) the Explore
  page and everything it loads before any interaction, on a cold cache, until its script has
  drawn and the network is idle; on a laptop (1280x800) and a phone (390x844). Requests to other
  hosts (Material's GitHub repository widget) are blocked, as offline. The gzip figure is what
  the same files weigh gzipped (-6), as GitHub Pages serves them.
- a filter click: on the phone with its CPU slowed four times (CDP
  ``Emulation.setCPUThrottlingRate``), the filter panel open, a run of clicks on checkboxes
  (choosing, adding, removing), each timed in the page from the click event to the frame after
  the script has drawn the new results (its ``atlas-explore:drawn`` event), the card chunks it
  fetched included; several runs, each on a fresh page. Also the main thread's blocked time as the
  page loads on that phone (the long tasks' time over 50 ms, summed: Total Blocking Time).

Targets at 5,000 cases: at most 600 KB loaded, and the median click answered within 0.5 s.
Writes its section of BENCHMARKS.md.

Usage: python bench/explore_bench.py [--sizes 1000 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]
from benchlib import ROOT, machine, write_section  # noqa: E402
from site_bench import build  # noqa: E402
from synthetic import generate  # noqa: E402

PROJECT_FILES = ("mkdocs.yml", "docs", "schemas", "CONTRIBUTING.md")
TARGET_KB = 600
TARGET_CLICK_S = 0.5
CPU_SLOWDOWN = 4
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# A run of clicks, each a checkbox's id: choosing, widening within a group, narrowing across groups, removing.
CLICKS = ["f-themes-patient-safety", "f-themes-quality-improvement", "f-regions-london", "f-settings-acute",
          "f-commitments-4", "f-regions-london", "f-themes-patient-safety", "f-settings-acute"]

PROBE = """
window.__clicks = [];
window.__fetched = 0;
window.__longTasks = [];
new PerformanceObserver((list) => { for (const t of list.getEntries()) window.__longTasks.push(t.duration); })
  .observe({ type: "longtask", buffered: true });
document.addEventListener("click", (event) => {
  if (event.target.matches && event.target.matches("#atlas-explore input[type=checkbox]")) window.__clickAt = event.timeStamp;
}, true);
document.addEventListener("atlas-explore:drawn", () => {
  const at = window.__clickAt;
  if (at === undefined) return;
  window.__clickAt = undefined;
  requestAnimationFrame(() => setTimeout(() => window.__clicks.push(performance.now() - at), 0));
});
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as any real server (HTTP/1.0's default opens a connection a file)

    def log_message(self, *args) -> None:
        pass


def make_project(root: Path, count: int, seed: int) -> Path:
    """The repository's site with ``count`` synthetic cases: its mkdocs.yml, as published."""
    root.mkdir(parents=True)
    for name in PROJECT_FILES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, root / name)
    generate(root / "cases", count, seed=seed)
    return root / "mkdocs.yml"


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/atlas/"


def _context(browser, profile: dict):
    context = browser.new_context(**profile)
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    context.add_init_script(PROBE)
    return context


def _wait_ready(page) -> None:
    page.wait_for_selector("#atlas-x[data-state=ready]", state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")


def load_bytes(browser, url: str, profile: dict, served: Path) -> dict:
    """Bytes of a cold load of Explore: as sent (headers and bodies), and the files' gzip size."""
    context = _context(browser, profile)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls, sizes = {}, {}
    cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url + "explore/")
    _wait_ready(page)
    page.wait_for_timeout(500)
    context.close()
    fetched = [urls[r] for r in sizes if r in urls]
    gzipped = 0
    for address in fetched:
        path = served / unquote(urlsplit(address).path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        gzipped += len(gzip.compress(path.read_bytes(), 6)) if path.is_file() else 0
    return {"bytes": sum(sizes.values()), "requests": len(sizes), "gzip": gzipped,
            "files": sorted((sizes[r], urls.get(r, "?")) for r in sizes)[::-1]}


def click_run(browser, url: str) -> dict:
    """One fresh page on the slowed phone: its blocked time as it loads, then the run of clicks."""
    context = _context(browser, PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    cdp.send("Network.enable")
    chunk_bytes = []
    cdp.on("Network.loadingFinished", lambda e: chunk_bytes.append(e["encodedDataLength"]))
    page.goto(url + "explore/")
    _wait_ready(page)
    page.wait_for_timeout(1000)
    blocking = sum(max(0.0, d - 50) for d in page.evaluate("window.__longTasks"))
    page.locator("#atlas-filter-toggle").click()
    page.wait_for_selector("#atlas-filters[role=dialog]")
    loaded = len(chunk_bytes)
    for n, box in enumerate(CLICKS, start=1):
        page.locator(f"#{box}").click()
        page.wait_for_function("n => window.__clicks.length >= n", arg=n, timeout=30_000)
    clicks = page.evaluate("window.__clicks")
    shown = page.locator("#atlas-results > li").count()
    context.close()
    return {"clicks": [c / 1000 for c in clicks], "blocking": blocking / 1000, "shown": shown,
            "click_bytes": sum(chunk_bytes[loaded:])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3, help="fresh pages on the slowed phone, per size")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows, ok, details = [], True, []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size in args.sizes:
            config = make_project(tmp / f"project-{size}", size, seed=size)
            served = tmp / f"served-{size}"
            build(config, served / "atlas")
            server, url = serve(served)
            try:
                laptop = load_bytes(browser, url, LAPTOP, served)
                phone = load_bytes(browser, url, PHONE, served)
                runs = [click_run(browser, url) for _ in range(args.runs)]
            finally:
                server.shutdown()
            clicks = sorted(c for run in runs for c in run["clicks"])
            click = statistics.median(clicks)
            blocking = statistics.median(run["blocking"] for run in runs)
            per_click = statistics.median(run["click_bytes"] / len(CLICKS) for run in runs)
            heaviest = max(laptop["bytes"], phone["bytes"])
            if size == max(args.sizes):
                ok = heaviest / 1000 <= TARGET_KB and click <= TARGET_CLICK_S
            rows.append(
                f"| {size:,} | {laptop['bytes'] / 1000:.0f} KB ({laptop['requests']} requests) | "
                f"{phone['bytes'] / 1000:.0f} KB | {max(laptop['gzip'], phone['gzip']) / 1000:.0f} KB | "
                f"**{click * 1000:.0f} ms** (slowest {clicks[-1] * 1000:.0f} ms) | {per_click / 1000:.1f} KB | "
                f"{blocking * 1000:.0f} ms |"
            )
            details.append((size, laptop["files"][:6]))
            print(f"{size}: laptop {laptop['bytes']} B, phone {phone['bytes']} B, clicks {[round(c * 1000) for c in clicks]} ms, "
                  f"blocking {[round(r['blocking'] * 1000) for r in runs]} ms", flush=True)
        browser.close()
    largest = "; ".join(f"{b / 1000:.0f} KB {urlsplit(u).path.removeprefix('/atlas/') or 'explore/'}"
                        for b, u in details[-1][1])
    text = (
        "## Explore: bytes loaded and a filter click on a slowed phone\n\n"
        f"Written by `bench/explore_bench.py`; {machine()}; Chromium via Playwright; synthetic cases in the "
        "repository's own site (its `mkdocs.yml`), served under `/atlas/` by a static server without "
        "compression. Bytes: everything the Explore page loads before any interaction on a cold cache, headers "
        "and bodies as sent (requests to other hosts blocked; gzip: the same files gzipped, as GitHub Pages "
        f"serves them). Clicks: on a phone (390x844) with its CPU slowed {CPU_SLOWDOWN}x, the filter panel "
        f"open, {len(CLICKS)} checkbox clicks a run, {args.runs} runs on fresh pages: from the click event to "
        "the frame after the new results are drawn, the card chunks fetched included (median over all clicks). "
        "Blocked: the main thread's long tasks over 50 ms, summed, as the page loads on that phone (median run).\n\n"
        "| cases | laptop, as sent | phone, as sent | gzip | filter click, phone 4x slower | fetched per click | blocked at load |\n"
        "|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nLargest files at {max(args.sizes):,} cases: {largest}.\n\n"
        f"Targets at {max(args.sizes):,} cases: at most {TARGET_KB} KB loaded and a click answered within "
        f"{TARGET_CLICK_S} s (the issue measured 2.5 MB, about 0.9 s and 4 s of blocked main thread before). "
        f"Result: {'meets them' if ok else 'MISSES them'}.\n"
    )
    write_section("explore_bench", text)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
