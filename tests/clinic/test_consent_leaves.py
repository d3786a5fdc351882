"""Only what consent allows leaves the station: a client without journal consent sends
nothing but the anonymous counts row, and a client who withdrew their journal consent
sends none of their rows, earlier ones included. On the real simulator and PostgreSQL."""

import json
import sqlite3

from clinic_fixtures import S, clinic_db, init_clinic, pg_cluster  # noqa: F401 (fixtures)
from conftest import station_config, write

from station.clinic.replicator import push
from station.core.events import Event
from station.journal.pseudonym import pseudonym
from station.journal.store import connect
from station.journal.writer import Journal
from station.sim.runner import simulate
from station.sim.scenario import load_scenario

PRIVATE = """\
name: Robin
sound: {timbre: marimba}
consent: {date: 2024-05-02, journal: false, audio: true, research_export: false}
"""
SHARED = """\
name: Kai
goals:
  - {id: reach, text: Reaches out, metric: valid_per_min, direction: higher,
     levels: {-2: never, 0: sometimes, 2: always}}
  - {id: wait, text: Waits for the turn}
consent: {date: 2024-05-01, journal: true, audio: true, research_export: true}
"""
SCENARIO = """\
station: {station}
clients: {{1: robin, 2: kai}}
events:
  - {{at: 1.0, action: touch, board: 0x5A, electrode: 0}}
  - {{at: 1.4, action: release, board: 0x5A, electrode: 0}}
  - {{at: 2.0, action: touch, board: 0x5A, electrode: 2}}
  - {{at: 2.4, action: release, board: 0x5A, electrode: 2}}
  - {{at: 3.0, action: touch, board: 0x5B, electrode: 1}}
  - {{at: 3.4, action: release, board: 0x5B, electrode: 1}}
end: 5.0
"""


def test_a_client_without_journal_consent_sends_nothing_identifying(tmp_path, pg_cluster,
                                                                    clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    folder = tmp_path / "clients"
    write(folder / "robin.yaml", PRIVATE)
    write(folder / "kai.yaml", SHARED)
    cfg = station_config(tmp_path, folder)
    simulate(load_scenario(write(tmp_path / "s.yaml", SCENARIO.format(station=cfg))),
             tmp_path / "out")
    journal = tmp_path / "out" / "station.db"
    secret = sqlite3.connect(journal).execute("SELECT value FROM meta WHERE key='secret'"
                                              ).fetchone()[0]
    jconn = connect(journal)
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as pg:
        assert push(jconn, pg, "room1").rows > 0
    jconn.close()
    with pg_cluster.connect(clinic_db) as owner:
        text = json.dumps(owner.execute("SELECT * FROM clinic.events").fetchall(),
                          default=str) + json.dumps(owner.execute(
                              "SELECT * FROM clinic.sessions").fetchall(), default=str)
        per_touch = owner.execute(
            "SELECT count(*) FROM clinic.events WHERE player = 1 AND kind IN ('touch', "
            "'release', 'note_on', 'note_off', 'suppressed', 'timbre', 'echo')").fetchone()[0]
        counts = owner.execute("SELECT client, detail FROM clinic.events WHERE kind = "
                               "'counts'").fetchall()
        kai = owner.execute("SELECT count(*) FROM clinic.events WHERE player = 2 AND kind = "
                            "'touch' AND client = %s", (pseudonym("kai", secret),)).fetchone()
    assert pseudonym("robin", secret) not in text
    assert "robin" not in text.lower() and "Robin" not in text and secret not in text
    assert per_touch == 0, "no per-touch rows of the client without journal consent"
    assert len(counts) == 1 and counts[0][0] is None
    assert json.loads(counts[0][1])["touches"] == 2
    assert kai == (1,), "the consenting client's touch arrives, under their pseudonym"


def test_a_withdrawn_journal_consent_keeps_all_of_that_clients_rows_home(tmp_path,
                                                                         pg_cluster,
                                                                         clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    yes = "date=2024-05-01;journal=yes;audio=yes;research_export=no"
    no = "date=2024-06-01;journal=no;audio=no;research_export=no"
    j = Journal(tmp_path / "j.db", station="room1")
    sid = j.start_session(0, [(1, "client"), (2, "client")], by="cli")
    for c, p in (("c-aaaaaaaa", 1), ("c-bbbbbbbb", 2)):
        j.record(Event("consent", 0, player=p, client=c, detail=yes))
        j.record(Event("touch", S, player=p, client=c, pad=0))
    j.rate(sid, 2 * S, 1, "c-aaaaaaaa", "reach", 1)
    j.end_session(3 * S, "cli")
    j.start_session(10 * S, [(1, "client")], by="cli")           # a later seating: withdrawn
    j.record(Event("consent", 10 * S, player=1, client="c-aaaaaaaa", detail=no))
    j.end_session(11 * S, "cli")
    assert j.flush()
    j.close()
    jconn = connect(tmp_path / "j.db")
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as pg:
        done = push(jconn, pg, "room1")
        clients = {c for (c,) in pg.execute("SELECT DISTINCT client FROM clinic.events "
                                            "WHERE client IS NOT NULL")}
        ratings = pg.execute("SELECT count(*) FROM clinic.ratings").fetchone()[0]
    jconn.close()
    assert clients == {"c-bbbbbbbb"} and ratings == 0
    assert done.skipped == 4          # a's consent, touch, rating and the withdrawal
