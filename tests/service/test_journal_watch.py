"""The journal's writer is watched: if it stops, a fault is journaled and logged, every
light shows the journal pattern (over everything at first, then while idle), and
``station status`` says what to do."""

import pytest
from daemon_fixtures import drive, make_daemon, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.core.details import Fault
from station.core.events import FAULT
from station.service.status import status_text


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writer_that_stops_is_shown_on_every_light_and_in_status(tmp_path, mock_pins):
    d = make_daemon(station_yaml(tmp_path), VirtualClock())
    faults = []
    d.station.engine.add_listener(
        "test", lambda e: faults.append(e.detail) if e.kind == FAULT else None)
    try:
        start(d)
        drive(d, s_to_ns(2))
        assert all(li["pattern"] != "journal" for li in d.station.lights.status().values())
        journal = d.station.journal

        def die():
            raise SystemExit("the writer thread ended")
        journal._cycle = die               # taken at the writer's next turn of its loop
        journal.flush(timeout=1)
        journal._thread.join(timeout=5)
        drive(d, s_to_ns(4))
        assert faults == [Fault("journal_not_writing", "writer_stopped")]
        assert {li["pattern"] for li in d.station.lights.status().values()} == {"journal"}
        text = status_text(d.status())
        assert "Journal: PROBLEM: the journal writer has stopped" in text
        assert "Restart the station" in text and "All is well." not in text
        world(d).touch(0x5A, 1)            # play resumes the turn lights after the first 6 s
        drive(d, s_to_ns(12))
        patterns = {li["player"]: li["pattern"] for li in d.station.lights.status().values()}
        assert patterns[1] == "on", "turn-taking stays readable while the group plays"
        drive(d, s_to_ns(80))              # idle again: the journal pattern is back
        assert {li["pattern"] for li in d.station.lights.status().values()} == {"journal"}
    finally:
        d.close()
