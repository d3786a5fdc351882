"""Therapist swaps: the control socket and CLI, the next_client button, file edits, SIGHUP."""

import os
import shutil
import signal
import sqlite3
import subprocess

import pytest
from conftest import (
    CONFIGS,
    launch_sim_daemon,
    station_command,
    station_config,
    wait_until,
    write,
)

from station.core.details import SeatChange
from station.core.events import PROFILE
from station.sim.motor_eval import Rig

MS = 1_000_000


def clients_dir(tmp_path):
    d = tmp_path / "clients"
    d.mkdir(exist_ok=True)
    for cid in ("alex", "sam", "jo"):
        shutil.copy(CONFIGS / "clients" / f"{cid}.yaml", d)
    return d


def config(tmp_path, extra=""):
    return station_config(tmp_path, clients_dir(tmp_path), extra)


def bump(path, text):
    """Rewrite a profile the way an editor does; the mtime moves on for certain."""
    st = path.stat()
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path / "out", config_path=config(tmp_path))
    r.station.swaps.watch = True
    yield r
    r.close()


def profiles(rig, player=1):
    return [e.detail for e in rig.events if e.kind == PROFILE and e.player == player]


def test_an_edited_profile_reloads_when_valid_and_is_refused_when_not(rig, tmp_path):
    path = tmp_path / "clients" / "alex.yaml"
    seat = rig.station.engine.seats[1]
    first = seat.profile.version
    rig.at(1000 * MS)
    bump(path, path.read_text().replace("volume: 0.6", "volume: 0.3"))
    rig.at(2100 * MS)                   # polled every 0.5 s; taken once it held still
    assert seat.profile.sound["volume"] == 0.3 and seat.profile.version != first
    good = seat.profile.version
    bump(path, path.read_text() + "touch: {dwell_ms: -3}\n")
    rig.at(2700 * MS)
    rig.at(4000 * MS)                                     # refused once, not every poll
    assert seat.profile.version == good
    details = profiles(rig)
    assert details[-2:] == [SeatChange("use", good), details[-1]] \
        and details[-1].what == "refused"
    assert sum(d.what == "refused" for d in details) == 1


def test_the_next_client_button_cycles_the_roster(rig):
    seen = []
    for k in range(4):
        rig.at((1000 + 200 * k) * MS)
        rig.world.press("next_client")
        rig.at((1100 + 200 * k) * MS)
        rig.world.unpress("next_client")
        rig.station.drain()
        seen.append(rig.station.engine.seats[1].profile.client_id)
    assert seen == ["sam", "jo", "alex", "sam"]           # roster: [alex, sam, jo]


def test_a_refused_roster_entry_is_passed_over(rig, tmp_path):
    write(tmp_path / "clients" / "sam.yaml", "name: Sam\nsound: {volume: 9}\n")
    rig.world.press("next_client")
    rig.station.drain()
    assert rig.station.engine.seats[1].profile.client_id == "jo"
    assert profiles(rig)[-2].what == "refused"


def test_reload_all_and_an_unknown_player(rig):
    results = rig.station.swaps.reload_all()
    assert [r["client"] for r in results] == ["alex", "sam"] and all(r["ok"] for r in results)
    from station.core.errors import ProfileError
    with pytest.raises(ProfileError, match="no player 9"):
        rig.station.swaps.use(9, "alex")


# -- through the daemon, its control socket and the CLI ------------------------------------
def station(*args, env):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=60)


def journal_profiles(db):
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute(
            "SELECT detail FROM events WHERE kind='profile' AND player=1 ORDER BY id")]
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def until(predicate, seconds=20.0):
    wait_until(predicate, seconds=seconds)


def test_swaps_through_the_running_daemon(tmp_path, station_env):
    cfg = config(tmp_path)
    sock, db = tmp_path / "station.sock", tmp_path / "j" / "station.db"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        until(sock.exists)
        r = station("profile", "use", "jo", "--player", "1", "--config", str(cfg),
                    env=station_env)
        assert r.returncode == 0, r.stderr
        assert "player 1: now jo (Jo" in r.stdout
        write(tmp_path / "clients" / "bad.yaml",
              "name: Bad\nsound: {volume: 1.5, timbre: marimbba}\n")
        r = station("profile", "use", "bad", "--player", "1", "--config", str(cfg),
                    env=station_env)
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert "bad.yaml:2: sound.volume is 1.5" in r.stderr and "marimba" in r.stderr
        assert "player 1 keeps jo" in r.stderr
        from station.service.control import request
        assert request(sock, "status")["players"]["1"]["client"] == "jo"
        until(lambda: any(d.startswith("refused:") for d in journal_profiles(db)))
        uses = sum(d.startswith("use:") for d in journal_profiles(db))
        proc.send_signal(signal.SIGHUP)                   # reload every seated profile
        until(lambda: sum(d.startswith("use:") for d in journal_profiles(db)) > uses)
        assert request(sock, "status")["players"]["1"]["client"] == "jo"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    log = proc.stderr.read()
    assert "refused" in log and "reloaded 2 profile(s) on SIGHUP" in log
    # the system log names clients by pseudonym: no id, no profile path (privacy.md)
    assert "bad.yaml" not in log and "now jo" not in log and "player 1: now c-" in log


def test_use_without_a_running_station_is_a_plain_error(tmp_path, station_env):
    r = station("profile", "use", "alex", "--player", "1", "--config", str(config(tmp_path)),
                env=station_env)
    assert r.returncode == 6 and "not running" in r.stderr and "Traceback" not in r.stderr


def test_a_half_written_profile_is_never_seated(rig, tmp_path):
    """An editor (or a copy over the network) caught mid-write: the first half is a valid
    profile without its volume lines, so it would play at the default volume."""
    path = tmp_path / "clients" / "alex.yaml"
    seat = rig.station.engine.seats[1]
    whole = path.read_text().replace("volume: 0.6", "volume: 0.2")
    half = whole.split("music:")[0].replace("sound: {timbre: marimba, volume: 0.2}",
                                            "sound: {timbre: marimba}")
    assert "volume" not in half and half.strip()
    rig.at(1000 * MS)
    bump(path, half)
    rig.at(1600 * MS)                  # a poll sees the half file ...
    assert seat.profile.sound["volume"] == 0.6
    bump(path, whole)                  # ... and the writer finishes before the next one
    rig.at(3100 * MS)
    assert seat.profile.sound["volume"] == 0.2
    seated = [d for d in profiles(rig) if d.what == "use"]
    from station.config.profile import parse_profile
    half_version = parse_profile(half.encode(), path).version
    assert SeatChange("use", half_version) not in seated \
        and seated[-1] == SeatChange("use", seat.profile.version)
    assert not any(d.what == "refused" for d in profiles(rig))


def test_a_seated_profile_replaced_by_a_huge_file_is_refused_without_reading_it(rig,
                                                                               tmp_path):
    path = tmp_path / "clients" / "alex.yaml"
    seat = rig.station.engine.seats[1]
    rig.at(1000 * MS)
    path.unlink()
    with open(path, "wb") as f:
        f.truncate(3 << 30)            # 3 GB, sparse: reading it whole would take 3 GB
    rig.at(2600 * MS)
    assert seat.profile.client_id == "alex" and seat.profile.sound["volume"] == 0.6
    # the journal says why in words of its own: never the file's path (it names the client)
    assert any(d.what == "refused" and d.text == "too big" for d in profiles(rig))
    assert not any("alex" in (d.text or "") for d in profiles(rig))
