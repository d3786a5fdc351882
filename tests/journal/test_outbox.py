"""The journal's outbox for the clinic (station.journal.outbox), on a real journal file and
without any database: batches in id order above the cursor, consent applied, the cursor
and the last error kept in the journal's meta, nothing written when nothing changed."""

from clinic_fixtures import S, make_day

from station.core.events import Event
from station.journal import outbox
from station.journal.store import connect
from station.journal.writer import Journal

START = dict.fromkeys(outbox.TABLES, 0)


def test_batches_cover_every_row_once_in_id_order(tmp_path):
    conn = connect(make_day(tmp_path / "j.db", sessions=2, touches=5))
    try:
        cursor, seen = dict(START), {t: [] for t in outbox.TABLES}
        while True:
            batch = outbox.read_batch(conn, cursor, 7, set())
            if batch.empty(cursor):
                break
            for t in outbox.TABLES:
                seen[t] += [row["id"] for row in getattr(batch, t)]
            cursor = batch.cursor
        for t in outbox.TABLES:
            ids = [i for (i,) in conn.execute(f"SELECT id FROM {t} ORDER BY id")]
            assert seen[t] == ids and ids
        assert outbox.pending(conn, cursor) == (0, None)
    finally:
        conn.close()


def test_the_cursor_and_the_last_error_live_in_the_journal(tmp_path):
    conn = connect(make_day(tmp_path / "j.db", sessions=1, touches=2))
    try:
        uid = outbox.journal_uid(conn)
        assert outbox.journal_uid(conn) == uid and len(uid) == 16
        outbox.record_error(conn, "room1", "the clinic database cannot be reached")
        state = outbox.read_state(conn, "room1")
        assert state["cursor"] == START and state["error"].startswith("the clinic")
        outbox.acknowledge(conn, "room1", {"sessions": 1, "events": 3, "ratings": 0})
        state = outbox.read_state(conn, "room1")
        assert state["cursor"]["events"] == 3 and state["error"] is None
        changes = conn.total_changes
        outbox.acknowledge(conn, "room1", {"sessions": 1, "events": 3, "ratings": 0})
        assert conn.total_changes == changes, "an idle acknowledgement writes nothing"
        assert outbox.read_state(conn, "room2")["cursor"] == START   # per station id
    finally:
        conn.close()


def test_a_withdrawn_consent_keeps_the_clients_rows_out_of_every_batch(tmp_path):
    j = Journal(tmp_path / "j.db", station="room1")
    sid = j.start_session(0, [(1, "client")], by="cli")
    j.record(Event("touch", S, player=1, client="c-aaaaaaaa", pad=0))
    j.record(Event("phase", S, detail="main"))
    j.rate(sid, 2 * S, 1, "c-aaaaaaaa", "reach", 1)
    j.record(Event("consent", 3 * S, player=1, client="c-aaaaaaaa",
                   detail="date=2024-06-01;journal=no;audio=no;research_export=no"))
    j.end_session(4 * S, "cli")
    assert j.flush()
    j.close()
    conn = connect(tmp_path / "j.db")
    try:
        refused = outbox.refused_clients(conn)
        assert refused == {"c-aaaaaaaa"}
        batch = outbox.read_batch(conn, dict(START), 100, refused)
        assert [e["kind"] for e in batch.events] == ["phase"]
        assert batch.ratings == [] and batch.skipped == 3
        assert batch.cursor["events"] == 3 and batch.cursor["ratings"] == 1
    finally:
        conn.close()


def test_a_refused_profiles_path_in_an_older_journal_never_leaves(tmp_path):
    """Journals before the consent gate kept ``refused:<path to the profile>: ...``; the
    clinic gets the count of problems only (a path names the client)."""
    j = Journal(tmp_path / "j.db", station="room1")
    j.start_session(0, [(1, "client")], by="cli")
    j.record(Event("profile", S, player=1, client="c-aaaaaaaa",
                   detail="refused:/srv/clients/nora.yaml: 3 problem(s) in this client "
                          "profile:"))
    j.record(Event("profile", 2 * S, player=1, client="c-aaaaaaaa", detail="use:0a1b2c3d4e5f"))
    j.end_session(3 * S, "cli")
    assert j.flush()
    j.close()
    conn = connect(tmp_path / "j.db")
    try:
        batch = outbox.read_batch(conn, dict(START), 100, set())
        assert [e["detail"] for e in batch.events] == ["refused:3 problem(s)",
                                                       "use:0a1b2c3d4e5f"]
    finally:
        conn.close()
