"""The running station with a clinic: section replicates its journal on its own thread:
a session's phase and note reach PostgreSQL while it runs, its end follows, and ``station
status`` shows the replication state. The real daemon (simulated boards) as a user runs
it; the wait is for the subprocess, never a timing."""

import signal

from clinic_fixtures import clinic_config, clinic_db, init_clinic, pg_cluster  # noqa: F401
from conftest import control, launch_sim_daemon, wait_until

from station.service.status import status_text


def test_the_daemon_sends_its_journal_while_it_plays(tmp_path, station_env, pg_cluster,
                                                     clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    cfg = clinic_config(tmp_path, pg_cluster.dsn(clinic_db, "clinic_station_room1"),
                        "room1", "  interval_s: 0.1\n")
    cfg.write_text(cfg.read_text() + "session: {auto_start: false}\n")
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    owner = pg_cluster.connect(clinic_db)

    def held(sql):
        return owner.execute(sql).fetchall()
    try:
        wait_until(sock.exists, proc, what="daemon did not come up")
        control(sock, "session", op="start")
        control(sock, "session", op="phase", name="warm-up")
        control(sock, "session", op="note", text="smiled at the harp")
        wait_until(lambda: held("SELECT kind, detail FROM clinic.events WHERE kind IN "
                                "('phase', 'note') ORDER BY row_id") ==
                   [("phase", "warm-up"), ("note", "smiled at the harp")], proc,
                   what="the session's rows did not reach the clinic database")
        assert held("SELECT row_id, ended_ns FROM clinic.sessions") == [(1, None)]
        control(sock, "session", op="stop")
        wait_until(lambda: held("SELECT ended_by FROM clinic.sessions") == [("cli",)], proc,
                   what="the session's end did not reach the clinic database")
        wait_until(lambda: control(sock, "status")["clinic"]["pending"] == 0, proc,
                   what="the status did not catch up")
        status = control(sock, "status")
        assert status["clinic"]["connected"] and status["clinic"]["error"] is None
        assert "Clinic (room1): connected; 0 rows pending" in status_text(status)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        owner.close()
        if proc.poll() is None:
            proc.kill()


def test_an_unreachable_clinic_leaves_the_station_playing(tmp_path, station_env):
    cfg = clinic_config(tmp_path, f"host={tmp_path} port=1 dbname=clinic", "room1")
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_until(sock.exists, proc, what="daemon did not come up")
        wait_until(lambda: control(sock, "status")["clinic"]["error"] is not None, proc,
                   what="the replicator did not report the failure")
        status = control(sock, "status")
        assert status["clinic"]["connected"] is False
        assert "cannot be reached" in status["clinic"]["error"]
        assert "Clinic (room1): NOT CONNECTED" in status_text(status)
        assert control(sock, "session", op="start")        # the station plays on
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
