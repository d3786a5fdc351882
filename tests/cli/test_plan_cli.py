"""``station plan`` and ``station song save`` as a user runs them, and the ``plan`` and
``backing`` control commands of a real daemon on the simulator."""

import signal
import sqlite3
import subprocess

import pytest
from conftest import CONFIGS, launch_sim_daemon, station_command, station_config, wait_until, write

from station.service.control import request
from station.sim.runner import simulate
from station.sim.scenario import load_scenario
from station.sound.songs import load_song


def station(*args, env=None):
    return subprocess.run(station_command() + [str(a) for a in args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_plan_check_lists_every_problem_and_exits_1(tmp_path, station_env):
    good = CONFIGS / "plans" / "standard.yaml"
    bad = write(tmp_path / "bad.yaml", "phases:\n  - {name: a, backing: {style: pulze}}\n"
                                       "  - {name: a, turns: free}\n")
    r = station("plan", "check", good, env=station_env)
    assert r.returncode == 0 and "OK (Standard session: welcome -> warm_up -> main" in r.stdout
    r = station("plan", "check", good, bad, env=station_env)
    assert r.returncode == 1, r.stderr
    assert f"{bad}:2: phases[0].backing.style is 'pulze' (did you mean 'pulse'?)" in r.stdout
    assert f"{bad}:3: phases[1].name: 'a' is also the name of phases[0]" in r.stdout
    assert "1 of 2 plan(s) valid." in r.stdout and "Traceback" not in r.stderr


def test_plan_commands_and_the_session_button_on_a_running_station(tmp_path, station_env):
    cfg = station_config(tmp_path, extra="session: {auto_start: false}\n")
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_until(sock.exists, proc, what="daemon did not come up")
        r = station("plan", "list", "--config", cfg, env=station_env)
        assert r.returncode == 0 and "standard             Standard session: welcome" in r.stdout
        plans = request(sock, "plan", op="list")["plans"]
        assert {"name": "standard", "title": "Standard session", "phases": [
            "welcome", "warm_up", "main", "reflection", "goodbye"], "description":
            "Welcome song, warm-up over a drone, main activity over a pulse, reflection, "
            "goodbye."} in plans
        r = station("plan", "start", "../standard", "--config", cfg, env=station_env)
        assert r.returncode == 1 and "is not a plan name" in r.stderr     # refused input
        r = station("plan", "start", "standrd", "--config", cfg, env=station_env)
        assert "did you mean 'standard'" in r.stderr
        r = station("plan", "start", "standard", "--config", cfg, env=station_env)
        assert r.returncode == 0, r.stderr
        assert "Plan standard: phase 1 of 5, welcome" in r.stdout
        r = station("plan", "next", "--config", cfg, env=station_env)
        assert "phase 2 of 5, warm_up" in r.stdout and "Backing: drone in A" in r.stdout
        status = request(sock, "status")["plan"]
        assert status["plan"] == "standard" and status["phase"] == "warm_up"
        assert status["index"] == 1 and status["suggested_s"] == 300.0
        assert status["phases"] == ["welcome", "warm_up", "main", "reflection", "goodbye"]
        assert status["backing"]["style"] == "drone" and status["phase_elapsed_s"] >= 0
        # the therapist's session button: a tap is the next phase
        request(sock, "sim", action="press", name="session")
        request(sock, "sim", action="unpress", name="session")
        wait_until(lambda: request(sock, "plan", op="status")["phase"] == "main", proc)
        backing = request(sock, "plan", op="status")["backing"]
        assert backing["style"] == "pulse" and backing["tempo_source"] == "tempo_bpm"
        assert backing["tempo_bpm"] == 80.0 and backing["holding"] in (True, False)
        r = station("plan", "stop", "--config", cfg, env=station_env)
        assert r.returncode == 0 and "No plan is running." in r.stdout
        r = station("plan", "stop", "--config", cfg, env=station_env)
        assert r.returncode == 1 and "nothing to stop" in r.stderr
        # the backing command, as the panel sends it
        b = request(sock, "backing", op="start", style="pulse", tempo_bpm=90, volume=0.3,
                    tempo=None)
        assert b["style"] == "pulse" and b["tempo_bpm"] == 90.0 and b["by"] == "cli"
        with pytest.raises(Exception, match="tempo_bpm is 300; it must be a number from 30 "
                                            "to 180 BPM"):
            request(sock, "backing", op="start", style="pulse", tempo_bpm=300)
        assert request(sock, "backing", op="status")["tempo_bpm"] == 90.0, "still playing"
        assert request(sock, "backing", op="stop") is None
        r = station("plan", "next", "--config", cfg, env=station_env)
        assert r.returncode == 1 and "no plan is running" in r.stderr
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    db = sqlite3.connect(tmp_path / "j" / "station.db")
    phases = [r[0] for r in db.execute("SELECT detail FROM events WHERE kind='phase' "
                                       "ORDER BY t_ns")]
    assert phases == ["welcome", "warm_up", "main"]
    backings = [r[0].split(":")[0:2] for r in db.execute(
        "SELECT detail FROM events WHERE kind='backing' ORDER BY t_ns, id")]
    assert backings == [["start", "drone"], ["stop", "phase"], ["start", "pulse"],
                        ["stop", "phase"], ["start", "pulse"], ["stop", "cli"]]


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A simulated session: alex plays A4 C#5 E5, then a chord-free F#5 B4, 0.5 s apart."""
    tmp = tmp_path_factory.mktemp("song")
    events = []
    for k, pad in enumerate((0, 2, 3, 4, 1)):
        at = 1.0 + 0.5 * k
        events += [f"  - {{at: {at}, action: touch, board: 0x5A, electrode: {pad}}}",
                   f"  - {{at: {at + 0.3}, action: release, board: 0x5A, electrode: {pad}}}"]
    scenario = write(tmp / "s.yaml", f"station: {CONFIGS / 'station.yaml'}\nclients: "
                     f"{{1: alex}}\nevents:\n" + "\n".join(events) + "\nend: 5\n")
    simulate(load_scenario(scenario), tmp / "out")
    return tmp / "out" / "station.db"


def test_song_save_turns_what_was_played_into_a_song(tmp_path, played, station_env):
    songs = tmp_path / "songs"
    r = station("song", "save", "Our-Song", "--session", 1, "--player", 1, "--db", played,
                "--dir", songs, env=station_env)
    assert r.returncode == 0, r.stderr
    path = songs / "our_song.yaml"
    assert f"wrote {path}: 5 steps at 120 BPM" in r.stdout
    song = load_song(path)
    assert song.steps == ((69,), (73,), (76,), (78,), (71,))
    assert song.beats == (1.0, 1.0, 1.0, 1.0, 2.0) and song.tempo_bpm == 120
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "alex" not in path.read_text().lower() and "c-" not in path.read_text()
    # a part of it, and saving again
    r = station("song", "save", "our_song", "--session", 1, "--player", 1, "--db", played,
                "--dir", songs, "--from", 1.9, "--to", 3.1, env=station_env)
    assert r.returncode == 1 and "add --force to replace it" in r.stderr
    r = station("song", "save", "our_song", "--session", 1, "--player", 1, "--db", played,
                "--dir", songs, "--from", 1.9, "--to", 3.1, "--force", env=station_env)
    assert r.returncode == 0 and load_song(path).steps == ((76,), (78,), (71,))


@pytest.mark.parametrize("args, message", [
    (["welcome"], "was not written by 'station song save'"),
    (["../x"], "cannot be a song name"),
    (["ok", "--player", 2], "player 2 sounded no notes in session 1"),
    (["ok", "--session", 9], "the journal has no session 9"),
    (["ok", "--from", 3, "--to", 2], "must come after --from"),
    (["ok", "--from", "nan"], "--from must be seconds"),
])
def test_song_save_refuses_in_plain_words(tmp_path, played, station_env, args, message):
    songs = tmp_path / "songs"
    write(songs / "welcome.yaml", (CONFIGS / "songs" / "welcome.yaml").read_text())
    base = {"--session": 1, "--player": 1}
    for flag, value in zip(args[1::2], args[2::2]):
        base[flag] = value
    extra = [x for kv in base.items() for x in kv]
    r = station("song", "save", args[0], *extra, "--db", played, "--dir", songs,
                env=station_env)
    assert r.returncode == 1 and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert (songs / "welcome.yaml").read_text() == \
        (CONFIGS / "songs" / "welcome.yaml").read_text(), "never overwritten"


def test_song_save_needs_the_clients_journal_consent(tmp_path, played, station_env):
    """A seat journaled as counts only has no notes to save; a client who withdrew journal
    consent since gets no new file made from their old rows. Nothing is written."""
    import shutil

    from station.core.events import Event
    from station.journal.consent import CONSENT
    from station.journal.writer import Journal
    folder = write(tmp_path / "clients" / "robin.yaml", "name: Robin\nconsent: {date: "
                   "2024-05-02, journal: false, audio: true}\n").parent
    cfg = station_config(tmp_path, folder)
    events = "".join(f"  - {{at: {1 + k / 2}, action: touch, board: 0x5A, electrode: {k}}}\n"
                     f"  - {{at: {1.3 + k / 2}, action: release, board: 0x5A, electrode: {k}}}\n"
                     for k in range(4))
    scenario = write(tmp_path / "s.yaml", f"station: {cfg}\nclients: {{1: robin}}\n"
                     f"events:\n{events}end: 4\n")
    simulate(load_scenario(scenario), tmp_path / "out")
    songs = tmp_path / "songs"
    r = station("song", "save", "robins", "--session", 1, "--player", 1, "--db",
                tmp_path / "out" / "station.db", "--dir", songs, env=station_env)
    assert r.returncode == 1, r.stderr
    assert "player 1 in session 1 was played by a client without journal consent" in r.stderr
    assert "only anonymous counts" in r.stderr and "Traceback" not in r.stderr
    # alex played session 1 with consent, then withdrew it at a later seating
    db = shutil.copy(played, tmp_path / "withdrawn.db")
    journal = Journal(db, station="room-1")
    journal.start_session(10 * 10**9, [(1, "client")])
    journal.record(Event(CONSENT, 10 * 10**9, player=1, client=journal.pseudonym("alex"),
                         detail="date=2024-06-01;journal=no;audio=no;research_export=no"))
    journal.end_session(11 * 10**9)
    journal.close()
    r = station("song", "save", "alexs", "--session", 1, "--player", 1, "--db", db,
                "--dir", songs, env=station_env)
    assert r.returncode == 1, r.stderr
    assert "refused: client alex" in r.stderr and "withdrawn journal consent" in r.stderr
    assert "consent of 2024-06-01: journal no" in r.stderr
    assert not songs.exists(), "nothing written"
