"""Stations play from the clinic's shared profiles and plans (station.clinic.sync, .cache)
on a real PostgreSQL: a text shared by one room is written, private, where the others
play it; an edit in any room (a file, the panel) is published and reaches the others;
a stale edit is refused with what changed and never lands over the newer text; a file
the station did not write is never replaced; every change is a history row."""

import os
import shutil
import stat

import pytest
from clinic_fixtures import clinic_config, clinic_db, init_clinic, pg_cluster  # noqa: F401
from conftest import CONFIGS

from station.clinic.cache import digest
from station.clinic.link import link_for
from station.clinic.settings import ClinicSettings
from station.clinic.shared import fetch, history
from station.config.plan import load_plan_file
from station.config.profile import load_profile
from station.config.station import load_config
from station.panel.clients import Clients
from station.panel.limits import BadRequest


def room(tmp_path, cluster, db, sid, clients=()):
    """A station of its own: clients and plans folders, journal folder, clinic: section."""
    base = tmp_path / sid
    (base / "clients").mkdir(parents=True)
    (base / "plans").mkdir()
    for c in clients:
        shutil.copy(CONFIGS / "clients" / f"{c}.yaml", base / "clients")
    cfg = clinic_config(base, cluster.dsn(db, f"clinic_station_{sid}"), sid)
    text = cfg.read_text().replace(f"clients_dir: {CONFIGS / 'clients'}",
                                   f"clients_dir: {base / 'clients'}")
    cfg.write_text(text.replace(f"plans_dir: {CONFIGS / 'plans'}",
                                f"plans_dir: {base / 'plans'}").replace(
        "roster: [alex, sam, jo]", "roster: []"))
    config = load_config(cfg)
    settings = ClinicSettings.from_config(config)
    from station.clinic.settings import connect_settings
    return config, link_for(config, settings, lambda: connect_settings(settings, quick=True))


@pytest.fixture
def rooms(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    one = room(tmp_path, pg_cluster, clinic_db, "room1", clients=("alex",))
    two = room(tmp_path, pg_cluster, clinic_db, "room2")
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as p1, \
            pg_cluster.connect(clinic_db, "clinic_station_room2") as p2:
        yield one, two, p1, p2


def publish_file(link, pg, kind, name, path, base=None):
    """As ``station clinic profile publish`` does: publish the file, track it."""
    from station.clinic.shared import publish
    text = path.read_text()
    done = publish(pg, kind, name, text, base, "kim")
    link.sync.track(kind, name, done.version, text)
    return done


def test_a_shared_profile_reaches_the_other_room_and_edits_come_back(rooms):
    (c1, l1, ), (c2, l2), p1, p2 = rooms[0], rooms[1], rooms[2], rooms[3]
    alex1 = c1.clients_dir / "alex.yaml"
    publish_file(l1, p1, "profile", "alex", alex1)
    assert l2.sync.sync(p2)["written"] == 1
    alex2 = c2.clients_dir / "alex.yaml"
    assert alex2.read_bytes() == alex1.read_bytes()
    assert stat.S_IMODE(os.stat(alex2).st_mode) == 0o600
    folder = c2.journal.parent / "clinic"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder / "shared.json").st_mode) == 0o600
    assert load_profile("alex", c2.clients_dir).name == "Alex"      # plays from it
    # room 2 edits its copy (as a person or the panel would): published as version 2
    alex2.write_text(alex2.read_text().replace("volume: 0.6", "volume: 0.5"))
    assert l2.sync.sync(p2)["published"] == 1
    assert fetch(p1, "profile", "alex").version == 2
    # room 1's file is one the station published unchanged: it takes version 2
    assert l1.sync.sync(p1)["written"] == 1
    assert "volume: 0.5" in alex1.read_text()
    assert [(v, room) for v, _who, _at, room in history(p1, "profile", "alex")] \
        == [(1, "room1"), (2, "room2")]
    assert l1.sync.sync(p1) == {"published": 0, "written": 0, "held": 0, "conflicts": 0}


def test_a_stale_edit_is_refused_with_what_changed_and_kept_apart(rooms):
    (c1, l1), (c2, l2), p1, p2 = rooms
    alex1, alex2 = c1.clients_dir / "alex.yaml", c2.clients_dir / "alex.yaml"
    publish_file(l1, p1, "profile", "alex", alex1)
    l2.sync.sync(p2)
    alex1.write_text(alex1.read_text().replace("marimba", "harp"))     # both edit v1
    stale = alex2.read_text().replace("volume: 0.6", "volume: 0.3")
    alex2.write_text(stale)
    assert l1.sync.sync(p1)["published"] == 1
    done = l2.sync.sync(p2)
    assert done["conflicts"] == 1 and done["published"] == 0
    assert alex2.read_text() == stale                 # never replaced by the newer text
    assert fetch(p2, "profile", "alex").version == 2
    l2.cycle(p2, _journal(c2))
    seen = l2.state()["conflicts"]["profile/alex"]
    assert seen == {"version": 2, "by": "room1"}
    # the panel of room 2: an edit of the stale text is refused (409) with the diff and
    # undone; the file keeps the therapist's earlier edit
    clients = Clients(c2.clients_dir, (), 1.0)
    clients.shared = l2.sync.publish_edit
    alex2.write_text(alex2.read_text().replace("volume: 0.3", "volume: 0.6"))
    l2.sync.sync(p2)                       # back to the held text: room 2 takes version 2
    assert "harp" in alex2.read_text()
    with pytest.raises(BadRequest) as refused:       # room 1 changes it again meanwhile
        p1_text = alex1.read_text().replace("harp", "kalimba")
        alex1.write_text(p1_text)
        l1.sync.sync(p1)
        clients.edit("alex", None, {"volume": 0.4})
    assert refused.value.status == 409
    assert "changed since version 2 by room1" in str(refused.value)
    assert "+sound: {timbre: kalimba" in str(refused.value)
    assert "volume: 0.4" not in alex2.read_text()
    saved = clients.edit("alex", None, {"volume": 0.4}) if l2.sync.sync(p2) else None
    assert saved["clinic"] == "shared with the clinic's other rooms as version 4."
    assert fetch(p1, "profile", "alex").body == alex2.read_text()


def test_a_file_the_station_did_not_write_is_never_replaced(rooms, tmp_path):
    (c1, l1), (c2, l2), p1, p2 = rooms
    mine = "# room 2's own alex, made by hand\n" + (CONFIGS / "clients" / "alex.yaml"
                                                    ).read_text().replace("Alex", "Alexa")
    (c2.clients_dir / "alex.yaml").write_text(mine)
    publish_file(l1, p1, "profile", "alex", c1.clients_dir / "alex.yaml")
    done = l2.sync.sync(p2)
    assert done == {"published": 0, "written": 0, "held": 1, "conflicts": 0}
    assert (c2.clients_dir / "alex.yaml").read_text() == mine
    l2.cycle(p2, _journal(c2))
    assert l2.state()["held"] == ["profile/alex"]
    assert l2.sync.sync(p2)["published"] == 0          # a held file is not published


def test_plans_are_shared_too(rooms):
    (c1, l1), (c2, l2), p1, p2 = rooms
    plan1 = c1.journal.parent.parent / "plans" / "calm.yaml"
    plan1.write_text((CONFIGS / "plans" / "standard.yaml").read_text())
    publish_file(l1, p1, "plan", "calm", plan1)
    assert l2.sync.sync(p2)["written"] == 1
    plan2 = c2.journal.parent.parent / "plans" / "calm.yaml"
    assert load_plan_file(plan2).phases
    # an invalid text is never written over a valid one
    from station.clinic.shared import publish
    publish(p1, "plan", "calm", "phases: 3\n", 1, "someone")
    assert l2.sync.sync(p2)["written"] == 0
    assert digest(plan2.read_bytes()) == digest(plan1.read_bytes())


def _journal(config):
    from station.journal.store import connect
    return connect(config.journal)


def test_the_running_station_picks_up_a_shared_change_and_says_so(tmp_path, station_env,
                                                                  pg_cluster, clinic_db):
    """The real daemon: a profile another room shares appears in its clients folder
    while it runs (the wait is for the subprocess, bounded, never a timing)."""
    import signal

    from conftest import control, launch_sim_daemon, wait_until

    from station.clinic.shared import publish
    from station.service.status import status_text
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    config, _link = room(tmp_path, pg_cluster, clinic_db, "room1", clients=("alex",))
    config.path.write_text(config.path.read_text().replace(
        "  station_id: room1\n", "  station_id: room1\n  interval_s: 0.1\n"))
    sock = tmp_path / "room1" / "station.sock"
    proc = launch_sim_daemon(config.path, station_env)
    lee = config.clients_dir / "lee.yaml"
    try:
        wait_until(sock.exists, proc, what="daemon did not come up")
        with pg_cluster.connect(clinic_db, "clinic_station_room2") as other:
            publish(other, "profile", "lee", (CONFIGS / "clients" / "lee.yaml").read_text(),
                    None, "jo")
        wait_until(lee.exists, proc, seconds=60, what="the shared profile did not arrive")
        assert lee.read_text() == (CONFIGS / "clients" / "lee.yaml").read_text()
        wait_until(lambda: control(sock, "status")["clinic"].get("shared") == 1, proc)
        status = control(sock, "status")["clinic"]
        assert status["pseudonyms"] == "clinic-wide" and status["conflicts"] == {}
        assert "Clinic (room1): connected" in status_text(control(sock, "status"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_client_forgotten_in_the_clinic_leaves_the_copies_the_stations_made(rooms):
    """Room 1 shared alex's profile (its therapist's file); room 2 got a copy. Forgotten
    in the clinic: room 2's copy, made by the station, goes; room 1's file stays (it is
    the therapist's), no longer kept in step."""
    from station.clinic.forget import forget_now
    (c1, l1), (c2, l2), p1, p2 = rooms
    publish_file(l1, p1, "profile", "alex", c1.clients_dir / "alex.yaml")
    l2.sync.sync(p2)
    copy = c2.clients_dir / "alex.yaml"
    assert copy.exists()
    for link, pg in ((l1, p1), (l2, p2)):
        link.connected(pg)
    forget_now(p1, {"pseudonyms": [], "profile": "alex"}, l1.key)
    for link, pg, config in ((l1, p1, c1), (l2, p2, c2)):
        link.cycle(pg, _journal(config))
    assert not copy.exists()
    assert (c1.clients_dir / "alex.yaml").exists()
    assert l1.state()["shared"] == l2.state()["shared"] == 0
