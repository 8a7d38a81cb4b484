"""Work a build does beside its pages: at low priority, dying with the build, leaving nothing behind.

*Priority.* A build's own thread renders the pages and is what the reader waits
for; work started beside it (Pagefind and its records, removing the last site)
may use any spare core, but should not take one from it when the machine is
busy. The search index and related lists are not lowered: the case pages wait
for them.

*Dying with the build.* A build can be killed outright (``kill -9``, a CI job
cancelled, the machine out of memory), with no chance to stop what it started.
So every process it starts asks the kernel to kill it when the build dies
(:func:`die_with_parent`, Linux's ``PR_SET_PDEATHSIG``); a command line such as
Pagefind's is run through this module (:func:`module_command`) to do the same
before it starts. Elsewhere (macOS, say) there is no such request: a child
finishes its work and ends on its own.

*Temporary folders* are named ``atlas-<purpose>-<pid>-<start time>-<pid namespace>-<random>``
after the process that made them (:func:`make_temp_folder`), so that a later build can remove
those whose process has gone (:func:`remove_leftovers`), and only those: the process's start
time tells it from a later process given the same number, and a folder made in another pid
namespace (another container sharing the folder) is never judged.
"""

from __future__ import annotations

import ctypes
import os
import re
import runpy
import shutil
import signal
import stat
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterable

NICENESS = 10
"""How much lower background work runs (Unix nice values: 0 is normal, 19 the lowest)."""

TEMP_PREFIX = "atlas-"
"""How the name of every temporary folder of the atlas begins."""

_TEMP_NAME = re.compile(r"^\.?atlas-[a-z]+-(?P<pid>[0-9]+)-(?P<started>[0-9]+)-(?P<namespace>[0-9]+)-")
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def lower_priority() -> None:
    """Lower the priority of the calling thread (on Linux, each thread has its own) or process.

    What the thread starts (a process, say) inherits it. Where priorities cannot be set,
    nothing happens: the work runs all the same.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (AttributeError, OSError):
        pass


# --- Child processes that die with the build ------------------------------------------------


def die_with_parent(parent_pid: int) -> bool:
    """In a child process, first thing: be killed (SIGKILL) when ``parent_pid``, which started it, dies.

    Strictly, Linux sends the signal when the *thread* that started the child ends, so
    a child started from a short-lived thread must have that thread wait for it.
    Returns False where this cannot be asked for (only Linux has it): the child then
    outlives a parent that is killed outright, until its work is done.
    """
    if not _ask_for_signal_on_parent_death(signal.SIGKILL):
        return False
    # The parent may have died after the fork and before the request above, and then no
    # signal will ever come: the child was handed to another process (init, or a subreaper),
    # so a different parent means it must go now, as the signal would have made it.
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGKILL)
    return True


def _ask_for_signal_on_parent_death(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        return prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):  # no C library to load, or one without prctl
        return False


def module_command(module: str, *args: str) -> list[str]:
    """The command line that runs ``python -m module args`` in a process that dies with this one.

    The process asks for :func:`die_with_parent` before the module runs; what the module
    ``exec``\\s into (Pagefind's binary, for ``pagefind``) keeps the request.
    """
    return [sys.executable, "-m", __name__, str(os.getpid()), module, *args]


def _run_module_dying_with_parent(argv: list[str]) -> None:
    """``python -m learning_atlas.processes.background PARENT_PID MODULE [ARG ...]`` (see :func:`module_command`)."""
    parent_pid, module, *args = argv
    die_with_parent(int(parent_pid))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


# --- Temporary folders a later build can clean up --------------------------------------------


def memory_folder() -> str | None:
    """A folder in memory (Linux's /dev/shm) for temporary files, if there is one: a thousand small files
    are written ten times faster there than on a disk here; else None, for the usual temporary folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def make_temp_folder(purpose: str, folder: str | Path | None = None, *, hidden: bool = False) -> Path:
    """A new temporary folder in ``folder`` (default: the system's), named after this process.

    ``purpose`` is a lower-case word (``pagefind``); the name says which process made the
    folder, so that :func:`remove_leftovers` in a later build can remove it if this
    process dies without doing so. A ``hidden`` folder's name starts with a dot.
    """
    if not re.fullmatch("[a-z]+", purpose):
        raise ValueError(f"a temporary folder's purpose is one lower-case word, not {purpose!r}")
    pid = os.getpid()
    owner = f"{pid}-{process_start_time(pid) or 0}-{_pid_namespace()}"
    dot = "." if hidden else ""
    return Path(tempfile.mkdtemp(prefix=f"{dot}{TEMP_PREFIX}{purpose}-{owner}-", dir=folder))


def remove_leftovers(folders: Iterable[str | Path | None] | None = None) -> list[Path]:
    """Remove the atlas's temporary folders whose process has ended (killed, say) and return them.

    Looks in ``folders`` (default: the memory folder and the system's temporary folder).
    A folder is kept when its process still runs, when it was made in another pid
    namespace, and when it is not this user's own folder.
    """
    if folders is None:
        folders = (memory_folder(), tempfile.gettempdir())
    removed = []
    for folder in {str(f) for f in folders if f}:
        try:
            names = [n for n in os.listdir(folder) if n.lstrip(".").startswith(TEMP_PREFIX)]
        except OSError:
            continue
        for name in names:
            path = Path(folder) / name
            if _is_left_over(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _is_left_over(path: Path) -> bool:
    match = _TEMP_NAME.match(path.name)
    if match is None or int(match["namespace"]) != _pid_namespace():
        return False
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():  # never a link, never another's
        return False
    return not _is_running(int(match["pid"]), int(match["started"]))


def _is_running(pid: int, started: int) -> bool:
    """Whether the process that had number ``pid`` and started at ``started`` still runs."""
    if started and os.path.isdir("/proc/self"):
        return process_start_time(pid) == started  # a later process given the same number is not it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, and is someone else's
    return True


def process_start_time(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux's ``/proc/<pid>/stat``).

    None when there is no such process, it has ended (a zombie, not yet reaped), or the
    system does not say.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            line = file.read()
    except OSError:
        return None
    # The command name (field 2) is in brackets and may hold spaces and brackets itself.
    fields = line[line.rindex(b")") + 2 :].split()
    if fields[0] in (b"Z", b"X"):
        return None
    return int(fields[19])  # field 22, starttime


def _pid_namespace() -> int:
    """The number of this process's pid namespace (0 where the system does not say)."""
    try:
        link = os.readlink("/proc/self/ns/pid")  # pid:[4026531836]
    except OSError:
        return 0
    digits = re.sub(r"[^0-9]", "", link)
    return int(digits) if digits else 0


if __name__ == "__main__":
    _run_module_dying_with_parent(sys.argv[1:])
