"""Background work runs at low priority; the build's own thread keeps its priority."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest

from learning_atlas.background import NICENESS, lower_priority


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
