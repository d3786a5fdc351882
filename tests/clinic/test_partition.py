"""Partitions and a kill: the link to the clinic database drops and stalls at random
points mid-push (a proxy of the test's own), and a pushing station is killed with -9
mid-batch. Afterwards every row is in PostgreSQL exactly once, and each session's rows
were committed in their order."""

import signal
import subprocess
import threading

import pytest
from clinic_fixtures import (  # noqa: F401 (fixtures)
    clinic_config,
    clinic_db,
    clinic_rows,
    init_clinic,
    journal_rows,
    make_day,
    pg_cluster,
)
from clinic_proxy import FaultyLink
from conftest import station_command

from station.clinic.replicator import Replicator, push
from station.clinic.settings import ClinicSettings, connect
from station.journal.outbox import pending, read_state
from station.journal.store import connect as open_journal


def assert_in_order(cluster, db, station_id):
    """Within each session, a row with a higher id was never committed in an earlier
    transaction than a lower one (xmin: the inserting transaction's id)."""
    with cluster.connect(db) as pg:
        rows = pg.execute("SELECT session_id, row_id, xmin::text::bigint FROM clinic.events "
                          "WHERE station_id = %s ORDER BY session_id, row_id",
                          (station_id,)).fetchall()
    last: dict = {}
    for session, row_id, xid in rows:
        assert xid >= last.get(session, 0), f"row {row_id} of session {session} out of order"
        last[session] = xid


@pytest.mark.parametrize("seed", [26, 7])
def test_random_drops_and_stalls_lose_and_duplicate_nothing(tmp_path, pg_cluster,
                                                            clinic_db, seed):
    init_clinic(pg_cluster, clinic_db, "room1")
    path = tmp_path / "room1.db"
    make_day(path, sessions=2, touches=25)
    socket = pg_cluster.socket_dir / f".s.PGSQL.{pg_cluster.port}"
    with FaultyLink(socket, seed=seed, drop=0.08, stall=0.1, max_drops=20) as link:
        settings = ClinicSettings(link.dsn(clinic_db, "clinic_station_room1"), "room1",
                                  sslmode="disable", batch_rows=40)
        extra = iter(range(3))
        watch = open_journal(path)

        def wait(_seconds):
            """The replicator's pause: meanwhile the day goes on (more sessions), and
            once all is written and sent after 20 drops, the test stops it."""
            for _ in extra:          # one more session in the journal per pause
                make_day(path, sessions=1, touches=20)
                return False
            caught_up = pending(watch, read_state(watch, "room1")["cursor"])[0] == 0
            if caught_up and link.drops >= link.max_drops:
                replicator.stopping.set()
            return False

        replicator = Replicator(settings, lambda: connect(settings.database,
                                                          dict(connect_timeout=5)),
                                lambda: open_journal(path), wait=wait)
        replicator.run()            # in this thread: it returns once wait() stops it
        watch.close()
    assert link.drops == 20 and link.stalls > 0
    assert clinic_rows(pg_cluster, clinic_db, "room1") == journal_rows(path)
    assert_in_order(pg_cluster, clinic_db, "room1")


def test_a_station_killed_mid_batch_resumes_exactly_once(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    path = make_day(tmp_path / "room1.db", sessions=3, touches=40)
    socket = pg_cluster.socket_dir / f".s.PGSQL.{pg_cluster.port}"
    # the 4th commit: the resume point's, two batches', then the third batch's is held
    with FaultyLink(socket, stall_at=(4, b"COMMIT")) as link:
        cfg = clinic_config(tmp_path, link.dsn(clinic_db, "clinic_station_room1"), "room1",
                            "  sslmode: disable\n  batch_rows: 30\n")
        proc = subprocess.Popen(station_command() + ["clinic", "push", "--db", str(path),
                                                     "--config", str(cfg)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stalled = threading.Thread(target=link.stalled.wait, args=(60,))
        stalled.start()
        stalled.join()
        assert link.stalled.is_set(), proc.communicate(timeout=5)
        with pg_cluster.connect(clinic_db) as owner:     # its batch's rows are in, uncommitted
            assert owner.execute("SELECT state FROM pg_stat_activity WHERE usename = "
                                 "'clinic_station_room1'").fetchall() == [("idle in transaction",)]
        proc.send_signal(signal.SIGKILL)            # mid-batch: its transaction is open
        proc.wait(30)
    with pg_cluster.connect(clinic_db) as owner:
        before = owner.execute("SELECT count(*) FROM clinic.events").fetchone()[0]
    assert before == 2 * 30, "two batches of 30 events committed, the third not"
    r = subprocess.run(station_command() + ["clinic", "push", "--db", str(path), "--config",
                                            str(clinic_config(tmp_path, pg_cluster.dsn(
                                                clinic_db, "clinic_station_room1"),
                                                "room1", name="direct.yaml"))],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert clinic_rows(pg_cluster, clinic_db, "room1") == journal_rows(path)
    assert_in_order(pg_cluster, clinic_db, "room1")
    jconn = open_journal(path)
    try:
        with pg_cluster.connect(clinic_db, "clinic_station_room1") as pg:
            assert push(jconn, pg, "room1").rows == 0       # and a third push sends nothing
    finally:
        jconn.close()
