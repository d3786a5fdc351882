"""Soak: 8 hours of virtual time, four players at realistic rates, a fault every three
minutes (a board unplugged and plugged back, a stuck electrode, a broken profile, a
client swap). Through the daemon's own station on the simulator and the real FluidSynth
(offline: a block is rendered per step so its event queue drains; nothing is written).

Checked: no growth of Python memory between hour 2 and hour 8 (tracemalloc), no new
threads, every event the engine emitted is a row in the journal, and the station still
plays and answers at the end. Runs in well under a minute of wall time.
"""

import collections
import gc
import heapq
import os
import random
import sys
import threading
import tracemalloc

from daemon_fixtures import drive, make_daemon, rows, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.core.errors import ProfileError

HOURS = int(os.environ.get("SOAK_HOURS", 8))
FAULT_EVERY_S = 180
BOARDS = {1: 0x5A, 2: 0x5B, 3: 0x5C, 4: 0x5D}
CLIENTS = ("alex", "sam", "jo", "kim")
MAX_GROWTH_BYTES = 256 * 1024     # live in the last hour: current state (new profiles,
                                  # filters) is there; 80 B leaked per touch would exceed it
MAX_NEW_OBJECTS = 2_000           # hours 2..8 (~19,000 touches): a leak per touch shows
MAX_NEW_BLOCKS = 5_000            # a leak of 8 bytes per touch would exceed this
FRAMES = 64                       # one FluidSynth block per step: queued notes take effect


def forget_recordings(d) -> None:
    """Empty what is recorded on purpose and bounded, so only real growth is measured:
    the lights' history (a deque of at most lights.HISTORY writes) and the mock pins'
    state history (gpiozero's MockPin keeps every value, for tests)."""
    d.station.lights.history.clear()
    for pin in d.sim["world"].factory.pins.values():
        del pin.states[:-1]


def measure(d) -> dict:
    """Live Python objects, allocated memory blocks and threads, recordings emptied."""
    forget_recordings(d)
    gc.collect()
    return {"objects": len(gc.get_objects()), "blocks": sys.getallocatedblocks(),
            "threads": sorted(x.name for x in threading.enumerate())}


def test_eight_hours_of_four_players_with_faults(tmp_path, mock_pins):
    cfg = station_yaml(tmp_path, daemon={"stuck_limit_s": 30}, poll_ms=1000,
                       audio={"sample_rate": 22050})
    d = make_daemon(cfg, VirtualClock())
    emitted = collections.Counter()

    def count(event):
        emitted[event.kind] += 1
    d.station.engine.add_listener("test", count)
    rng = random.Random(5)
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: Broken\nmusic: {mode: scael}\n")
    # Profile files do not change here; polling them every 0.5 s of virtual time would only
    # measure os.stat (the daemon's real-time cost of it is ~8 stats a second).
    d.station.swaps.watch = False
    try:
        start(d)
        w = world(d)
        for player in (3, 4):
            d.station.use_client(player, CLIENTS[player - 1])
        # (time, order, action, args): touches per player, releases, faults, repairs
        queue, order = [], 0

        def at(t_ns, action, *args):
            nonlocal order
            order += 1
            heapq.heappush(queue, (t_ns, order, action, args))
        for player in BOARDS:
            at(s_to_ns(rng.uniform(0, 3)), "touch", player)
        for k, t in enumerate(range(FAULT_EVERY_S, HOURS * 3600, FAULT_EVERY_S)):
            at(s_to_ns(t), "fault", k)
        marks, touches = {}, 0
        end = s_to_ns(HOURS * 3600)
        while queue and queue[0][0] < end:
            t, _, action, args = heapq.heappop(queue)
            for hour, label in ((2, "base"), (HOURS - 1, "trace")):
                if t >= s_to_ns(hour * 3600) and label not in marks:
                    drive(d, s_to_ns(hour * 3600), synth_frames=FRAMES)
                    marks[label] = measure(d)
                    if label == "trace":    # tracing costs 3x: the last hour only
                        tracemalloc.start()
                        marks["snapshot"] = tracemalloc.take_snapshot()
            drive(d, t, synth_frames=FRAMES)
            if action == "touch":
                player = args[0]
                e = rng.randrange(12)
                w.touch(BOARDS[player], e, strength=rng.uniform(0.4, 1.0))
                touches += 1
                at(t + s_to_ns(rng.uniform(0.08, 0.9)), "release", BOARDS[player], e)
                # bouts of play and rests: mostly 0.5-4 s apart, now and then a pause
                gap = rng.uniform(0.5, 4) if rng.random() < 0.9 else rng.uniform(10, 40)
                at(t + s_to_ns(gap), "touch", player)
            elif action == "release":
                w.release(*args)
            elif action == "fault":
                kind = args[0] % 4
                player = rng.choice(list(BOARDS))
                if kind == 0:
                    w.unplug(BOARDS[player])
                    at(t + s_to_ns(20), "plug", BOARDS[player])
                elif kind == 1:
                    w.stick(BOARDS[player], 11)
                    at(t + s_to_ns(60), "unstick", BOARDS[player], 11)
                elif kind == 2:
                    try:
                        d.station.use_client(player, str(bad))
                    except ProfileError:
                        pass
                else:
                    d.station.use_client(player, rng.choice(CLIENTS))
            else:
                getattr(w, action)(*args)
            d.station.drain()
        drive(d, end, synth_frames=FRAMES)
        last = measure(d)
        grown = tracemalloc.take_snapshot().compare_to(marks["snapshot"], "filename")
        growth = sum(s.size_diff for s in grown)
        tracemalloc.stop()
        threads = sorted(x.name for x in threading.enumerate())
        # still alive: a touch plays, status answers
        w.touch(0x5A, 0)
        drive(d, end + s_to_ns(0.5), synth_frames=FRAMES)
        assert 0 in d.station.engine.seats[1].sounding
        status = d.status()
        assert all(b["online"] for b in status["boards"].values())
        d.station.journal.flush()
        sent = dict(emitted)          # closing will emit more (the final notes off)
        journal_rows = dict(rows(tmp_path / "j" / "station.db",
                                 "SELECT kind, COUNT(*) FROM events GROUP BY kind"))
        faults = rows(tmp_path / "j" / "station.db",
                      "SELECT detail, COUNT(*) FROM events WHERE kind='fault' GROUP BY detail")
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        d.close()
    base = marks["base"]
    print(f"soak: {touches} touches, {sum(sent.values())} events, "
          f"{sum(journal_rows.values())} rows, faults {faults}; last hour +{growth} B; "
          f"hours 2-{HOURS}: objects {base['objects']} -> "
          f"{last['objects']}, blocks {base['blocks']} -> {last['blocks']}")
    assert touches > HOURS * 3000                 # each player: a touch every ~4.5 s
    assert growth < MAX_GROWTH_BYTES, [str(s) for s in grown[:5]]
    assert last["threads"] == base["threads"] == threads
    assert last["objects"] - base["objects"] < MAX_NEW_OBJECTS
    assert last["blocks"] - base["blocks"] < MAX_NEW_BLOCKS
    # Every event the engine emitted is a row. (The journal also holds rows no engine
    # event made: each new session notes who is seated and their timbres.)
    assert status["journal"]["lost"] == 0
    snapshot_kinds = ("profile", "timbre")
    assert {k: journal_rows.get(k, 0) for k in sent if k not in snapshot_kinds} == \
        {k: n for k, n in sent.items() if k not in snapshot_kinds}
    assert all(journal_rows.get(k, 0) >= sent.get(k, 0) for k in snapshot_kinds)
    assert sent["touch"] > 0.95 * touches      # not those on a board that was unplugged
    found = dict(faults)
    assert found.get("board_lost", 0) >= 35 and found.get("board_recovered", 0) >= 35
    assert found.get("stuck_electrode:30s", 0) >= 35
