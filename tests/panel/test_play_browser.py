"""The Play screen in a real browser against a real ``station run --hardware sim`` whose
audio goes to a WAV file (FluidSynth's file driver through the ceiling): the therapist's
pads sound, the journal keeps their notes as the therapist's (position 7, role
therapist; no client column in the report), and the notes in the WAV are the pads'
pitches, in the client's key."""

import re
import shutil
import sqlite3
import subprocess
import wave

import numpy as np
import pytest
from browser_fixtures import browser  # noqa: F401  (the fixture)
from conftest import CONFIGS, station_command, station_config_text, wait_until
from panel_fixtures import PANEL, Running
from test_panel_browser import sign_in, tab, wait_js

from station.journal.reader import select_sessions
from station.report.columns import columns
from station.report.data import load_session
from station.service.control import request
from station.sound.analysis import cents, fundamental_hz, midi_to_hz

PRESSED = (0, 2, 4)                       # A4, C#5, E5 in alex's A major


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("play-browser")
    clients = tmp / "clients"
    clients.mkdir()
    for cid in ("alex", "sam"):
        shutil.copy(CONFIGS / "clients" / f"{cid}.yaml", clients)
    wav = tmp / "room.wav"
    text = station_config_text(tmp, clients).replace("  driver: alsa", "  driver: file")
    text = re.sub(r"(?m)^  device: default.*$", f"  device: {wav}", text)
    config = tmp / "station.yaml"
    config.write_text(text + PANEL)
    env = {k: v for k, v in __import__("os").environ.items() if k != "GPIOZERO_PIN_FACTORY"}
    env["XDG_RUNTIME_DIR"] = str(tmp)
    out = subprocess.run(station_command() + ["panel", "pin", "--new", "--config", str(config)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    pin = re.search(r"New panel PIN: (\d{6})", out.stdout).group(1)
    proc = subprocess.Popen(station_command() + ["run", "--config", str(config), "--hardware",
                                                 "sim"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    running = Running(proc, config, tmp / "station.sock", 0, pin, clients,
                      tmp / "j" / "station.db", tmp)
    running.wav = wav

    def ready():
        try:
            s = request(running.socket, "status")
        except Exception:
            return False
        running.port = (s.get("panel") or {}).get("port") or 0
        return s.get("startup") == "ready" and bool((s.get("panel") or {}).get("running"))
    try:
        wait_until(ready, proc, what="the station with its panel did not start")
        yield running
    finally:
        running.stop()


def test_the_play_screen_sounds_in_key_and_is_journaled_as_the_therapists(browser, station):
    page, errors = sign_in(browser, station, 820)
    tab(page, "play")
    page.wait_for_selector("#play-key:has-text('A major')")
    names = [page.inner_text(f".play-pad[data-pad='{p}']") for p in range(8)]
    assert names == ["A4", "B4", "C#5", "D5", "E5", "F#5", "G#5", "A5"]
    for pad in PRESSED:                   # a press, held 0.3 s, then a pause
        box = page.locator(f".play-pad[data-pad='{pad}']").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.wait_for_timeout(300)
        page.mouse.up()
        page.wait_for_timeout(900)
    wait_js(page, f"window.__play.sent >= {2 * len(PRESSED)}")
    assert not errors
    station.command("session", op="stop")
    page.close()
    station.stop()                        # the WAV is complete once the daemon has closed

    db = sqlite3.connect(station.journal)
    assert db.execute("SELECT role FROM players WHERE player = 7").fetchall() == \
        [("therapist",)]
    rows = db.execute("SELECT kind, pad, note, detail FROM events WHERE player = 7 AND "
                      "kind IN ('note_on', 'note_off') ORDER BY t_ns").fetchall()
    assert [r for r in rows if r[0] == "note_on"] == [
        ("note_on", 0, 69, "tablet"), ("note_on", 2, 73, "tablet"), ("note_on", 4, 76, "tablet")]
    assert len([r for r in rows if r[0] == "note_off"]) == 3
    d = load_session(db, select_sessions(db)[-1])
    assert all(c.player != 7 for c in columns(d)), "no client column for the tablet"

    with wave.open(str(station.wav)) as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    mono = audio.astype(np.float64).mean(axis=1)
    loud = np.abs(mono) > 0.05 * np.abs(mono).max()
    edges = np.flatnonzero(np.diff(loud.astype(int)) == 1)
    starts = [e for i, e in enumerate(edges) if i == 0 or e - edges[i - 1] > 0.5 * rate]
    assert len(starts) == len(PRESSED), f"three notes in the WAV, not {len(starts)}"
    for start, midi in zip(starts, (69, 73, 76)):
        f = fundamental_hz(mono[start + rate // 50:start + rate // 4], rate)
        assert abs(cents(f, midi_to_hz(midi))) < 20, (f, midi)
        assert round(69 + 12 * np.log2(f / 440.0)) % 12 in {9, 11, 1, 2, 4, 6, 8}   # A major
