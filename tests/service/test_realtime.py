"""Real-time scheduling of the engine thread: granted where permitted, refused plainly."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from station.service.realtime import EngineRealtime


def _in_thread(fn):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("v", fn()))
    t.start()
    t.join()
    return box["v"]


def _can_fifo() -> bool:
    def probe():
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
        except OSError:
            return False
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        return True
    return _in_thread(probe)


def test_priority_zero_changes_nothing():
    rt = EngineRealtime(0)
    assert rt.state == "off" and rt.message == ""
    rt.restore()


@pytest.mark.root
@pytest.mark.skipif(not _can_fifo(), reason="this machine permits no SCHED_FIFO")
def test_fifo_for_the_calling_thread_only_and_not_for_threads_it_starts():
    def body():
        rt = EngineRealtime(30)
        mine = (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority)
        child = _in_thread(lambda: os.sched_getscheduler(0))
        rt.restore()
        return rt.state, mine, child, os.sched_getscheduler(0)
    state, mine, child, after = _in_thread(body)
    assert state == "fifo"
    assert mine[0] & ~getattr(os, "SCHED_RESET_ON_FORK", 0) == os.SCHED_FIFO and mine[1] == 30
    assert child == os.SCHED_OTHER, "threads started later must not inherit the priority"
    assert after == os.SCHED_OTHER
    assert os.sched_getscheduler(0) == os.SCHED_OTHER   # the test's own thread untouched


def test_without_permission_it_says_so_and_runs_normally():
    code = (
        "import os, resource\n"
        "from station.service.realtime import EngineRealtime\n"   # before losing /root
        "resource.setrlimit(resource.RLIMIT_RTPRIO, (0, 0))\n"
        "if os.getuid() == 0:\n"
        "    os.setgid(65534); os.setuid(65534)\n"      # nobody: no CAP_SYS_NICE
        "rt = EngineRealtime(40)\n"
        "print(rt.state); print(rt.message); print(os.sched_getscheduler(0))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd="/")
    assert done.returncode == 0, done.stderr
    state, message, policy = done.stdout.splitlines()
    assert state == "refused" and int(policy) == os.SCHED_OTHER
    assert "normal priority" in message and "LimitRTPRIO" in message and "up to 0" in message


@pytest.mark.root
@pytest.mark.skipif(not _can_fifo(), reason="this machine permits no SCHED_FIFO")
def test_threads_that_bring_events_are_raised_once_armed():
    from station.service.realtime import EdgeThreads

    got = []
    edges = EdgeThreads(45)
    emit = edges.wrap(got.append)

    def edge_thread():
        emit("before")                            # not armed yet: left alone
        before = os.sched_getscheduler(0)
        armed.wait()
        emit("after")
        return before, os.sched_getscheduler(0), os.sched_getparam(0).sched_priority

    armed = threading.Event()
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("v", edge_thread()), name="edge")
    t.start()
    edges.arm(threading.get_ident())              # this thread plays the engine
    emit("engine")                                # the engine thread is never changed
    armed.set()
    t.join()
    before, after, priority = box["v"]
    assert got == ["before", "engine", "after"]
    assert before == os.sched_getscheduler(0) == os.SCHED_OTHER
    assert after & ~getattr(os, "SCHED_RESET_ON_FORK", 0) == os.SCHED_FIFO and priority == 45
    assert edges.raised == ["edge"]


def test_edge_priority_zero_never_raises():
    from station.service.realtime import EdgeThreads

    edges = EdgeThreads(0)
    edges.arm(0)
    got = []
    _in_thread(lambda: edges.wrap(got.append)("x"))
    assert got == ["x"] and edges.raised == []
