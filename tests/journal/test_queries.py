"""The journal's questions for the report and the panel, asked of real journals: one the
station writes now (typed details) and one an older release wrote (its detail text)."""

from __future__ import annotations

import sqlite3

import pytest
from journal_fixtures import S, make_journal, old_journal

from station.core.details import (
    NO_CONSENT,
    Beat,
    ConsentText,
    Fault,
    SeatChange,
    Timbre,
    Turn,
    decode,
)
from station.core.errors import JournalError
from station.journal import queries as Q
from station.journal.reader import open_journal

A, B = "c-aaaaaaaa", "c-bbbbbbbb"
GOALS = [{"id": "reach", "text": "Reaches — unprompted", "metric": None, "direction": None,
          "levels": {"-2": "never"}}]


def _journal(tmp_path):
    first = [(0.0, "timbre", dict(player=1, client=A, channel=0,
                                  detail=Timbre(0, 12, "marimba"))),
             (0.0, "profile", dict(player=1, client=A, detail=SeatChange("use", "v1"))),
             (0.0, "consent", dict(player=1, client=A, detail=ConsentText(
                 True, "2024-03-01", (True, True, False)))),
             (0.0, "goals", dict(player=1, client=A, detail=GOALS)),
             (1.0, "note_on", dict(player=1, client=A, pad=2, note=62, velocity=90)),
             (1.0, "note_on", dict(player=1, client=A, pad=3, note=67, velocity=90)),
             (2.0, "touch", dict(player=1, client=A, pad=2, detail="midi")),
             (3.0, "profile", dict(player=2, client=B, detail=SeatChange("refused", "bad"))),
             (3.0, "profile", dict(player=2, detail=NO_CONSENT)),
             (4.0, "fault", dict(board=0x5A, detail=Fault("board_lost"))),
             (4.5, "turn_start", dict(player=1, client=A, detail=Turn("mode", "therapist"))),
             (5.0, "beat", dict(channel=9, note=42, velocity=70,
                                detail=Beat("pulse", 80.1, 4, 4)))]
    second = [(0.0, "profile", dict(player=1, client=B, detail=SeatChange("use", "v2"))),
              (1.0, "note", dict(detail="calm today"))]
    return make_journal(tmp_path / "j.db", [
        {"start": 0, "end": 10, "players": [(1, "client"), (2, "client")], "events": first},
        {"start": 20, "end": 30, "events": second}])


def test_the_journal_answers_the_report_and_the_panel_with_plain_rows(tmp_path):
    conn = open_journal(_journal(tmp_path))
    rows = Q.report_rows(conn, 1)
    assert [r[1] for r in rows][:4] == ["timbre", "profile", "consent", "goals"]
    assert rows[-1][0] == 5 * S and rows[-1][2] == -1 and rows[-1][6] == -1, "-1: none"
    assert rows[-1][7] == -1, "no electrode: -1"
    values = {kind: decode(kind, text) for _, kind, _, _, _, text, _, _ in rows}
    assert values["timbre"] == Timbre(0, 12, "marimba") and values["beat"] == Beat(
        "pulse", 80.1, 4, 4)
    assert values["fault"] == Fault("board_lost") and values["goals"] == GOALS
    assert values["turn_start"] == Turn("mode", "therapist") and values["touch"] == "midi"
    assert Q.latest_goals(conn, A) == GOALS and Q.latest_goals(conn, B) == []
    assert Q.client_session_ids(conn, A) == [1] and Q.client_session_ids(conn, B) == [1, 2]
    assert Q.sounded_notes(conn, 1, 1) == [(1 * S, 62), (1 * S, 67)]
    assert Q.clients_who_played(conn, 1, 1) == [A] and Q.clients_who_played(conn, 1, 2) == []
    assert Q.seated_without_consent(conn, 1, 2) and not Q.seated_without_consent(conn, 1, 1)
    assert [s.id for s in Q.recent_sessions(conn, 5)] == [2, 1]
    assert [s.id for s in Q.recent_sessions(conn, 1)] == [2]
    assert Q.kind_counts(conn, [1, 2], ("note_on", "note")) == {(1, "note_on"): 2,
                                                                (2, "note"): 1}
    assert Q.seated_clients(conn, [1, 2]) == {1: [A], 2: [B]}, "not the refused file"
    assert Q.kind_counts(conn, [], ("note",)) == {} and Q.seated_clients(conn, []) == {}
    assert Q.session_ratings(conn, 1) == [] and Q.stored_secret(conn)
    conn.close()


def test_a_read_only_connection_never_creates_a_journal(tmp_path):
    with pytest.raises(JournalError):
        Q.open_read_only(tmp_path / "none.db").execute("SELECT 1")
    assert not (tmp_path / "none.db").exists()
    path = _journal(tmp_path)
    conn = Q.open_read_only(path)
    with pytest.raises(Q.ReadError):
        conn.execute("DELETE FROM events")
    conn.close()


def test_an_older_journals_detail_text_reads_as_typed_values_and_in_the_report(tmp_path):
    path = old_journal(tmp_path / "old.db", 1)
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO events(session_id, t_ns, kind, player, client, board, detail) VALUES "
        "(1, ?, ?, ?, ?, ?, ?)",
        [(0, "profile", 1, "c-aaaaaaaa", None, "use:0123456789ab"),
         (2 * S, "profile", 1, "c-aaaaaaaa", None,
          "refused:/c/too-loud.yaml: 3 problem(s) in this client profile:"),
         (2 * S, "fault", None, None, 0x5A, "board_lost"),
         (3 * S, "fault", None, None, 0x5A, "board_recovered"),
         (4 * S, "turn_start", 1, "c-aaaaaaaa", None, "mode:call_response")])
    conn.commit()
    conn.close()
    conn = open_journal(path)                 # migrated to the current schema
    values = [decode(kind, text) for _, kind, *_, text, _, _ in Q.report_rows(conn, 1)
              if text]
    assert values == [SeatChange("use", "0123456789ab"),
                      SeatChange("refused", "/c/too-loud.yaml: 3 problem(s) in this client "
                                            "profile:"),
                      Fault("board_lost"), Fault("board_recovered"),
                      Turn("mode", "call_response")]
    from station.journal.reader import select_sessions
    from station.report.data import load_session
    from station.report.marks import marks
    texts = [m.text for m in marks(load_session(conn, select_sessions(conn, 1)[0]))]
    # the path an older journal kept is not shown: the client is named by the row's pseudonym
    assert "player 1: profile of c-aaaaaaaa (3 problems) refused; the seated client played " \
        "on" in texts and not any("too-loud" in t for t in texts)
    assert "turn mode: call response" in texts
    assert any(t.startswith("board 0x5a") and "offline" in t for t in texts)
    conn.close()
