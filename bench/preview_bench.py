"""Benchmark: from saving a case to the browser showing it under ``atlas serve``, against a full build.

Subject: ``atlas serve`` (``python -m learning_atlas.mkdocs_plugin.serve``, the engine of
``ATLAS_ENGINE``) serving synthetic atlases of 1,000 and 5,000 cases, with Chromium (via
Playwright, /usr/bin/chromium) on a case page. Each round appends a sentence with a new
marker word to that case's file and times, from just before the write: until the served
file holds the marker (HTTP polled every 10 ms), and until the page in Chromium has
reloaded and shows it. Baseline: a full build of the same atlas (a fresh ``build``
process, as ``bench/site_bench.py`` times it), interleaved with the rounds. Between rounds
the server is left to finish every build it began (after a fast render of the saved page the
incremental build runs on; the search index's related lists follow in another build), so a
baseline never shares the machine with the server's work.

Targets: the median time to the browser showing the edit at most 0.1x the median full
build at 1,000 cases, at most 0.05x at 5,000. Writes its section of BENCHMARKS.md.

Usage: python bench/preview_bench.py [--rounds 5] [--sizes 1000,5000]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]
from benchlib import machine, median, write_section  # noqa: E402
from site_bench import build, make_atlas  # noqa: E402
from site_engine import default_engine, engine_environment  # noqa: E402
from synthetic import generate  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return ""


class Server:
    """``atlas serve`` on a free port, its log kept to tell when it is idle."""

    def __init__(self, config: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "learning_atlas.mkdocs_plugin.serve", "-f", str(config),
             "-a", f"127.0.0.1:{self.port}", "--engine", default_engine()],
            stdout=self._log_file, stderr=subprocess.STDOUT, env=engine_environment(), cwd=config.parent,
        )

    def wait_ready(self, path: str, timeout: float = 900) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Serving on" in self.log.read_text() and fetch(self.url + path):
                return
            if self.process.poll() is not None:
                raise SystemExit(f"atlas serve stopped:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        raise SystemExit("atlas serve did not start in time")

    def wait_idle(self, quiet: float = 2.0, timeout: float = 300) -> None:
        """Until every build begun has ended and the log has not grown for ``quiet`` seconds (the follow-up
        builds have finished). A build after a save, or one that follows, begins with "Detected file
        changes"; the rebuild after a fast render writes nothing to the log until it ends."""
        deadline = time.monotonic() + timeout
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = self.log.stat().st_size
            if now != size:
                size, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet and self._builds_ended():
                return
            time.sleep(0.1)

    def _builds_ended(self) -> bool:
        text = self.log.read_text(errors="replace")
        begun = text.count("Detected file changes")
        ended = text.count("Documentation built") - 1 + text.count("the site was not rebuilt") + text.count(
            "atlas serve: the build failed")
        return ended >= begun

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_file.close()


def edit_round(server: Server, page, case_file: Path, slug: str, number: int) -> tuple[float, float]:
    """Seconds from the save to the served file changing, and to Chromium showing the edit."""
    marker = f"zqmarker{number}x{os.getpid()}"
    url = server.url + f"cases/{slug}/"
    served: list[float] = []

    def poll(start: float) -> None:
        while time.perf_counter() - start < 120:
            if marker in fetch(url):
                served.append(time.perf_counter() - start)
                return
            time.sleep(0.01)

    start = time.perf_counter()
    with case_file.open("a", encoding="utf-8") as f:
        f.write(f"\nA sentence about the {marker} change.\n")
    poller = threading.Thread(target=poll, args=(start,))
    poller.start()
    page.wait_for_function(f"document.body && document.body.innerText.includes({marker!r})", timeout=120_000, polling=10)
    shown = time.perf_counter() - start
    poller.join()
    return served[0] if served else float("nan"), shown


def run_size(tmp: Path, count: int, rounds: int, browser) -> dict:
    cases = tmp / f"cases-{count}"
    generate(cases, count, seed=count)
    config = make_atlas(tmp / f"atlas-{count}", cases)
    site = tmp / f"site-{count}"
    build(config, site)  # untimed: the disk cache, and the search index
    server = Server(config, tmp / f"serve-{count}.log")
    builds, served, shown = [], [], []
    try:
        case_file = sorted(cases.glob("*.md"))[count // 2]
        slug = case_file.stem
        server.wait_ready(f"cases/{slug}/")
        server.wait_idle()
        page = browser.new_page()
        page.goto(server.url + f"cases/{slug}/")
        for number in range(rounds):
            builds.append(build(config, site)[0])
            server.wait_idle()
            one, two = edit_round(server, page, case_file, slug, number)
            served.append(one)
            shown.append(two)
            server.wait_idle()
        page.close()
    finally:
        server.stop()
    return {"builds": builds, "served": served, "shown": shown}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="1000,5000")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    targets = {sizes[0]: 0.1, **{size: 0.05 for size in sizes[1:]}}
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size in sizes:
                results[size] = run_size(Path(tmp), size, args.rounds, browser)
        finally:
            browser.close()
    load_after = os.getloadavg()
    rows, checks = [], []
    for size, r in results.items():
        full, served, shown = median(r["builds"]), median(r["served"]), median(r["shown"])
        ratio = shown / full
        checks.append((size, ratio, targets[size]))
        rows.append(f"| {size:,} | {full:.2f} s | {served:.3f} s | {shown:.3f} s | **{ratio:.3f}** | at most "
                    f"{targets[size]:g} | {'meets' if ratio <= targets[size] else 'MISSES'} |")
    rounds = "; ".join(
        f"{size:,}: " + ", ".join(f"{b:.1f} / {s:.2f}" for b, s in zip(r["builds"], r["shown"]))
        for size, r in results.items()
    )
    text = (
        "## Preview: from a save to the browser showing it (`atlas serve`)\n\n"
        f"Written by `bench/preview_bench.py`; {machine()}; engine {default_engine()}; Chromium via Playwright on "
        f"the edited case's page; {args.rounds} interleaved rounds per size, medians. A round appends a sentence "
        "to one case file and times from the save until the served page holds it (HTTP, polled every 10 ms) "
        "and until Chromium has reloaded and shows it; the baseline is a full `build` of the same atlas in a "
        "fresh process, run between the rounds. Load average (1, 5, 15 min) before "
        f"{', '.join(f'{v:.1f}' for v in load_before)}, after {', '.join(f'{v:.1f}' for v in load_after)} "
        "(2 cores, shared).\n\n"
        "| cases | full build | save to served file | save to browser showing it | ratio to the full build "
        "| target | result |\n|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Rounds (full build s / save to browser s): {rounds}.\n"
    )
    write_section("preview_bench", text)
    print(text)
    return 0 if all(ratio <= target for _, ratio, target in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
