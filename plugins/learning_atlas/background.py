"""Work a build does beside its pages, that nothing waits for until the end, runs at low priority.

A build's own thread renders the pages and is what the reader waits for; work
started beside it (Pagefind and its records, removing the last site) may use any
spare core, but should not take one from it when the machine is busy. The search
index and related lists are not lowered: the case pages wait for them.
"""

from __future__ import annotations

import os
import threading

NICENESS = 10
"""How much lower background work runs (Unix nice values: 0 is normal, 19 the lowest)."""


def lower_priority() -> None:
    """Lower the priority of the calling thread (on Linux, each thread has its own) or process.

    What the thread starts (a process, say) inherits it. Where priorities cannot be set,
    nothing happens: the work runs all the same.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (AttributeError, OSError):
        pass
