"""A build killed outright (``kill -9``) leaves no process running; the next build removes what it
left in the temporary folders, and builds the same site.

Each kill point is a moment of a build of the sample atlas, with synthetic cases added so that the
cases are checked by a pool of processes and each stage lasts long enough to be caught. The build
runs in its own session with a temporary folder of its own (``TMPDIR``), is watched through
``/proc`` until the moment comes, and is then killed with SIGKILL: nothing in it can clean up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from learning_atlas.processes.background import process_start_time
from site_engine import build_command, build_site, engine_environment
from site_helpers import comparable_site, describe_differences, site_differences
from synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("mkdocs.yml", "docs", "cases", "schemas", "CONTRIBUTING.md")
EXTRA_CASES = 150
"""Synthetic cases added to the sample atlas: 50 or more are checked by a pool of processes."""
REACH_WITHIN = 120.0
"""Seconds a build may take to reach a kill point (the machine may be busy): a bound, not a measure."""
GONE_WITHIN = 30.0
"""Seconds a killed build's processes may take to end: a bound, not a measure."""
SHM = Path("/dev/shm")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="children die with a killed build only where Linux's PR_SET_PDEATHSIG exists, and /proc shows them",
)


# --- Processes, read from /proc ------------------------------------------------------------------


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    session: int
    started: int
    exe: str


def _session_processes(session: int) -> dict[int, Process]:
    """The live processes (not zombies) in ``session``."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as file:
                line = file.read()
            fields = line[line.rindex(b")") + 2 :].split()
            if int(fields[3]) != session or fields[0] in (b"Z", b"X"):
                continue
            exe = os.readlink(f"/proc/{name}/exe")
        except (OSError, ValueError):
            continue  # it ended while we looked
        found[int(name)] = Process(int(name), int(fields[1]), int(fields[3]), int(fields[19]), exe)
    return found


def _is_alive(process: Process) -> bool:
    return process_start_time(process.pid) == process.started  # None once it has ended or been reaped


# --- A build, watched and killed ---------------------------------------------------------------


def _build(project: Path, tmpdir: Path) -> subprocess.CompletedProcess[str]:
    """A build of ``project`` that nobody kills, with ``tmpdir`` as its temporary folder."""
    return build_site(project / "mkdocs.yml", project / "site", env={**os.environ, "TMPDIR": str(tmpdir)})


class WatchedBuild:
    """The engine's build of ``project`` in a session of its own, every process of which is remembered."""

    def __init__(self, project: Path, tmpdir: Path) -> None:
        self.project = project
        self.log = open(project.parent / f"{project.name}-build.log", "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            build_command(project / "mkdocs.yml", project / "site"), cwd=project,
            env=engine_environment(TMPDIR=str(tmpdir)),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.pid = self.popen.pid
        self.seen: dict[int, Process] = {}

    def processes(self) -> dict[int, Process]:
        """Its live processes now (and remember them)."""
        now = _session_processes(self.pid)
        self.seen.update(now)
        return now

    def children(self) -> list[Process]:
        return [p for p in self.processes().values() if p.ppid == self.pid]

    def run_until(self, point: "KillPoint") -> None:
        deadline = time.monotonic() + REACH_WITHIN
        while not point.reached(self):
            if self.popen.poll() is not None:
                pytest.fail(f"the build ended (exit status {self.popen.returncode}) before {point.name}; "
                            f"its output:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the build did not reach {point.name} within {REACH_WITHIN:g} s")
            time.sleep(0.002)

    def kill(self) -> None:
        """kill -9 the build's own process, and nothing else."""
        self.processes()
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait()

    def survivors(self) -> list[Process]:
        """Its processes still running: in its session, or seen while it ran."""
        alive = dict(_session_processes(self.pid))
        alive.update({p.pid: p for p in self.seen.values() if _is_alive(p)})
        return list(alive.values())

    def wait_until_all_gone(self) -> None:
        deadline = time.monotonic() + GONE_WITHIN
        while (left := self.survivors()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not left, f"processes of the killed build still run {GONE_WITHIN:g} s later: " + ", ".join(
            f"{p.pid} ({p.exe})" for p in left
        )

    def stop(self) -> None:
        """Kill whatever is left of it, whatever happened to the test."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        for process in self.seen.values():
            if _is_alive(process):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(process.pid, signal.SIGKILL)
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()
        self.log.close()

    def output(self) -> str:
        self.log.flush()
        return (self.project.parent / f"{self.project.name}-build.log").read_text(errors="replace")


@dataclass(frozen=True)
class KillPoint:
    name: str
    reached: Callable[[WatchedBuild], bool]
    stops_pagefind: bool = False
    """Whether Pagefind is killed there, part-way through its index, leaving its records folder behind."""


def _index_being_written(build: WatchedBuild) -> bool:
    index = build.project / ".atlas" / "index"
    try:
        names = os.listdir(index)
    except OSError:
        return False
    return bool(names) and "atlas-index.json" not in names  # a cold index's state file is written last


def _checked_by_a_pool(build: WatchedBuild) -> bool:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the cases are checked without a pool of processes")
    return len(build.children()) >= 3  # the related-lists process and two or more pool workers


KILL_POINTS = [
    KillPoint("its first child process has started", lambda build: bool(build.children())),
    KillPoint("its cases are checked by a pool of processes", _checked_by_a_pool),
    KillPoint("the search index is being written", _index_being_written),
    KillPoint("Pagefind is indexing",
              lambda build: any(Path(p.exe).name.startswith("pagefind") for p in build.processes().values()),
              stops_pagefind=True),
    KillPoint("the case pages are being written", lambda build: (build.project / "site" / "cases").is_dir()),
]


# --- The atlas, and what is left of a build ----------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The sample atlas's project with synthetic cases added (never built: copies of it are)."""
    project = tmp_path_factory.mktemp("killed-build") / "template"
    project.mkdir()
    for name in PROJECT_FILES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, project / name)
    for path in generate(project.parent / "synthetic", EXTRA_CASES):
        shutil.move(path, project / "cases" / path.name)
    return project


@pytest.fixture(scope="module")
def reference_site(template) -> dict[str, object]:
    """The site a build that nobody kills makes of the template."""
    project = template.parent / "reference"
    shutil.copytree(template, project)
    tmpdir = template.parent / "reference-tmp"
    tmpdir.mkdir()
    done = _build(project, tmpdir)
    assert done.returncode == 0, done.stderr
    return comparable_site(project / "site")


def _temp_folders_of(pid: int, tmpdir: Path) -> list[Path]:
    """The atlas's temporary folders named after process ``pid``, in memory and in ``tmpdir``."""
    places = [SHM, tmpdir] if SHM.is_dir() else [tmpdir]
    return [p for place in places for p in place.glob(f"atlas-*-{pid}-*")]


# --- The test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("point", KILL_POINTS, ids=lambda point: point.name.replace(" ", "-"))
def test_a_build_killed_outright_leaves_nothing_behind_after_the_next_build(point, template, reference_site, tmp_path):
    project = tmp_path / "atlas"
    shutil.copytree(template, project)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    build = WatchedBuild(project, tmpdir)
    try:
        build.run_until(point)
        build.kill()
        build.wait_until_all_gone()
        if point.stops_pagefind:
            assert not (project / "site" / "pagefind" / "pagefind-entry.json").exists(), (
                "Pagefind finished its index after the build was killed: it should have died with the build"
            )
            assert _temp_folders_of(build.pid, tmpdir), "Pagefind ran, so its records folder should be left"

        done = _build(project, tmpdir)
        assert done.returncode == 0, done.stderr
        assert _temp_folders_of(build.pid, tmpdir) == []
        assert list(tmpdir.iterdir()) == []
        assert sorted(p.name for p in project.iterdir()) == sorted([*PROJECT_FILES, ".atlas", "site"])
        rebuilt = comparable_site(project / "site")
        assert not site_differences(reference_site, rebuilt), describe_differences(
            reference_site, rebuilt, ("reference", "rebuilt")
        )
    finally:
        build.stop()
