"""systemd's notify protocol over a real datagram socket, and the loop watchdog's
emergency stop (silence, journal saved, exit code for a restart) in-process."""

import socket

import numpy as np
import pytest
from daemon_fixtures import drive, make_daemon, rows, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.service.daemon import EXIT_STALLED
from station.service.notify import LoopWatchdog, Notifier


@pytest.fixture
def listener(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(5)
    yield sock, str(tmp_path / "notify")
    sock.close()


def test_notifier_sends_ready_status_watchdog_and_stopping(listener):
    sock, path = listener
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000000"})
    assert n.enabled and n.watchdog_ns == s_to_ns(20)
    assert n.ready("ready: 4 of 4 boards online")
    assert sock.recv(4096) == b"READY=1\nSTATUS=ready: 4 of 4 boards online"
    assert n.ping(0) and sock.recv(100) == b"WATCHDOG=1"
    assert not n.ping(s_to_ns(9.9))              # at most every WatchdogSec / 2
    assert n.next_ping_ns() == s_to_ns(10)
    assert n.ping(s_to_ns(10)) and sock.recv(100) == b"WATCHDOG=1"
    assert n.stopping() and sock.recv(100) == b"STOPPING=1\nSTATUS=stopping"
    n.close()


def test_notifier_abstract_socket_and_no_systemd():
    name = f"station-test-{id(object())}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        n = Notifier({"NOTIFY_SOCKET": "@" + name})
        assert n.status("hello") and sock.recv(100) == b"STATUS=hello"
        assert not n.ping(0)                     # no WATCHDOG_USEC: no watchdog
    finally:
        sock.close()
    off = Notifier({})
    assert not off.enabled and not off.ready() and not off.ping(0)
    other = Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"})
    assert other.watchdog_ns == 0                # meant for another process


def test_loop_watchdog_fires_once_after_the_limit():
    clock = VirtualClock()
    fired = []
    w = LoopWatchdog(s_to_ns(10), clock, fired.append)
    w.beat(s_to_ns(5))
    assert not w.check(s_to_ns(14.9))
    assert w.check(s_to_ns(15)) and fired == [s_to_ns(10)]
    assert not w.check(s_to_ns(30)) and len(fired) == 1


def test_a_stalled_loop_silences_saves_the_journal_and_exits_for_a_restart(tmp_path,
                                                                        mock_pins):
    exits = []
    d = make_daemon(station_yaml(tmp_path), VirtualClock(), exits=exits)
    try:
        start(d)
        drive(d, s_to_ns(0.1))
        world(d).touch(0x5A, 5)
        drive(d, s_to_ns(0.5), synth_frames=512)
        synth = d.station.synth
        assert synth.active_voices() > 0
        d.watchdog.beat(d.clock.now_ns())
        d.clock.advance(s_to_ns(10))              # the loop stops beating for 10 s
        assert d.watchdog.check(d.clock.now_ns())
        assert exits == [EXIT_STALLED]
        audio = synth.render(4800)                # the next 0.1 s: silent
        assert np.abs(audio[2400:]).max() <= 2 and synth.active_voices() == 0
        faults = [r[4] for r in rows(tmp_path / "j" / "station.db") if r[0] == "fault"]
        assert faults == ["watchdog_stall:10s"]   # committed before exiting
    finally:
        d.close()
