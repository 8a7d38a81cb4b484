"""Background work runs at low priority, dies with the build, and leaves no temporary folder behind for long."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from learning_atlas.processes.background import (
    NICENESS,
    TEMP_PREFIX,
    die_with_parent,
    lower_priority,
    make_temp_folder,
    process_start_time,
    remove_leftovers,
)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no Unix priorities here")
def test_a_background_thread_and_what_it_starts_run_lower_the_caller_does_not():
    seen = {}

    def work():
        lower_priority()
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        seen["child"] = int(subprocess.run(["sh", "-c", "nice"], capture_output=True, text=True).stdout)

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["thread"] == min(19, before + NICENESS) or seen["thread"] == NICENESS
    assert seen["child"] == seen["thread"]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


# --- Dying with the build ------------------------------------------------------------------------

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")


def _wait_until_gone(pid: int, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process_start_time(pid) is None:
            return True
        time.sleep(0.01)
    return False


@linux_only
def test_a_module_command_dies_with_the_process_that_started_it_even_by_sigkill(tmp_path):
    (tmp_path / "sleeper.py").write_text("import time\ntime.sleep(600)\n")
    starter = (
        "import subprocess, sys, time\n"
        "from learning_atlas.processes.background import module_command\n"
        "child = subprocess.Popen(module_command('sleeper'))\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    parent = subprocess.Popen([sys.executable, "-c", starter], stdout=subprocess.PIPE, text=True, env=env,
                              start_new_session=True)
    try:
        child = int(parent.stdout.readline())
        deadline = time.monotonic() + 30
        while "sleeper" not in Path(f"/proc/{child}/cmdline").read_text(errors="replace"):
            assert time.monotonic() < deadline, "the child never started its module"
            time.sleep(0.01)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert _wait_until_gone(child), "the child outlived its killed parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()


@linux_only
def test_a_child_whose_parent_died_before_it_asked_goes_at_once():
    # A parent that has already gone is one whose pid is no longer the child's parent's.
    child = multiprocessing.get_context("fork").Process(target=die_with_parent, args=(os.getpid() + 4_000_000,))
    child.start()
    child.join(30)
    assert child.exitcode == -signal.SIGKILL


def test_without_prctl_a_child_carries_on(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert die_with_parent(os.getppid()) is False


# --- Temporary folders a later build removes -----------------------------------------------------


def _name(pid: int, started: int, namespace: int) -> str:
    return f"atlas-pagefind-{pid}-{started}-{namespace}-x1y2z3"


@linux_only
def test_only_folders_of_processes_that_have_ended_are_removed(tmp_path):
    mine = make_temp_folder("pagefind", str(tmp_path))
    assert mine.name.startswith(f"{TEMP_PREFIX}pagefind-{os.getpid()}-")
    pid, started = os.getpid(), process_start_time(os.getpid())
    namespace = int(mine.name.split("-")[4])
    ended = subprocess.Popen(["true"])
    ended.wait()
    zombie = subprocess.Popen(["true"])  # ended, not yet reaped
    while Path(f"/proc/{zombie.pid}/stat").read_text().split(") ")[1][0] != "Z":
        time.sleep(0.01)
    gone = {
        _name(ended.pid, 12345, namespace),
        _name(pid, started + 1, namespace),  # this pid, given earlier to another process
        _name(zombie.pid, 1, namespace),
    }
    kept = {
        mine.name,
        _name(ended.pid, 12345, namespace + 1),  # another pid namespace's: not ours to judge
        "atlas-pagefind-made-by-an-older-atlas",
        "something-else",
    }
    for name in gone | kept - {mine.name}:
        (tmp_path / name).mkdir()
        (tmp_path / name / "record.html").write_text("<p>x</p>")
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = _name(ended.pid, 12346, namespace)
    (tmp_path / link).symlink_to(target)
    kept.add(link)

    removed = remove_leftovers([str(tmp_path)])

    assert {p.name for p in removed} == gone
    assert {p.name for p in tmp_path.iterdir()} == kept | {"elsewhere"}
    zombie.wait()


def test_a_later_process_removes_the_folder_a_killed_one_left_in_the_temporary_folder(tmp_path, monkeypatch):
    maker = "import os\nfrom learning_atlas.processes.background import make_temp_folder\n" \
            "make_temp_folder('pagefind')\nos.kill(os.getpid(), 9)\n"
    subprocess.run([sys.executable, "-c", maker], env={**os.environ, "TMPDIR": str(tmp_path)})
    [left] = tmp_path.iterdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr("learning_atlas.processes.background.memory_folder", lambda: None)
    assert remove_leftovers() == [left]
    assert list(tmp_path.iterdir()) == []


def test_a_purpose_that_would_make_the_name_ambiguous_is_refused(tmp_path):
    with pytest.raises(ValueError, match="one lower-case word"):
        make_temp_folder("site-staging", str(tmp_path))
    assert list(tmp_path.iterdir()) == []
