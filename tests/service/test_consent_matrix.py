"""The consent matrix: a client seated with each consent setting, every output checked.

Nora (player 1) plays one note alone, then Sam (player 2, who consents to everything)
plays one; then Nora is swapped for Alex, who plays. One real daemon per setting (the
simulator's boards, real FluidSynth writing ``audio.driver: file``'s WAV in real time,
a real SQLite journal, MIDI out through the real mirror into a port object (no MIDI
system in the test machine: the port is the world outside), OSC out over real UDP, the
system log, the status answer), then the exports as the CLI runs them (subprocess) and
the panel's downloads over HTTP. Each artefact is read as bytes: without the consent an
output needs (``config.consent_gate.NEEDS``), Nora's pseudonym, id, name, profile path
and notes are absent from it; with it, they are there (so every check can fail).
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import sqlite3
import subprocess
import wave

import numpy as np
import pytest
from conftest import CONFIGS, station_command, wait_until, write
from daemon_fixtures import drive, make_daemon, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.core.events import NOTE_ON
from station.interop import ports
from station.journal.pseudonym import pseudonym
from station.sound.analysis import fundamental_hz, is_silent, midi_to_hz

SETTINGS = {   # name -> Nora's consent: journal, audio, research_export
    "all_yes": (True, True, True),
    "journal_no": (False, True, True),
    "audio_no": (True, False, True),
    "research_no": (True, True, False),
}
NORA = ("name: Nora Quill\nsound: {{timbre: soft_piano, volume: 0.7}}\n"
        "music: {{mode: scale, key: C, scale: major_pentatonic, octave: 4}}\n"
        "consent: {{date: 2024-06-01, journal: {}, audio: {}, research_export: {}}}\n")
PIN = "482915"


class Port:
    """MIDI out's far end: every message the mirror sends, as bytes."""

    def __init__(self) -> None:
        self.sent: list[list[int]] = []

    def send_message(self, message) -> None:
        self.sent.append(list(message))

    def close_port(self) -> None:
        pass


def wav_frames(path) -> int:
    return max(0, (path.stat().st_size - 44) // 4) if path.exists() else 0


def play(d, electrode: int, board: int, at_s: float, wav, frames: int = 14400) -> None:
    """Touch, let the file driver record ``frames`` of it (real time), release."""
    w = world(d)
    w.touch(board, electrode)
    drive(d, s_to_ns(at_s))
    before = wav_frames(wav)
    wait_until(lambda: wav_frames(wav) > before + frames, seconds=30,
               what="the file driver did not write")
    w.release(board, electrode)
    drive(d, s_to_ns(at_s + 0.3))


@pytest.fixture(scope="module", params=list(SETTINGS))
def run(request, tmp_path_factory):
    """One session per consent setting; returns what every output made."""
    from gpiozero import Device

    from hardware.mock import use_mock_pins
    factory = use_mock_pins()
    try:
        yield session(request.param, tmp_path_factory)
    finally:
        factory.reset()
        Device.pin_factory = None


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session(name, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp(name)
    clients = tmp / "clients"
    for cid in ("alex", "sam"):
        write(clients / f"{cid}.yaml", (CONFIGS / "clients" / f"{cid}.yaml").read_text())
    write(clients / "nora.yaml", NORA.format(*(str(v).lower() for v in SETTINGS[name])))
    osc_in = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    osc_in.bind(("127.0.0.1", 0))
    osc_in.settimeout(0.05)
    wav = tmp / "room.wav"
    peer = f"127.0.0.1:{osc_in.getsockname()[1]}"
    extra = ("midi: {enabled: true, out: true}\n"
             f"osc: {{enabled: true, port: {free_udp_port()}, send_to: ['{peer}'],"
             f" events: [touch, note, turn, phase, beat]}}\n"
             f"panel: {{enabled: true, port: 0, bind: 127.0.0.1}}\n")
    config = station_yaml(tmp, audio={"driver": "file", "device": str(wav)}, extra=extra,
                          clients_dir=clients)
    journal = tmp / "j" / "station.db"
    midi = Port()
    mp = pytest.MonkeyPatch()
    mp.setattr(ports, "open_port", lambda *a, **k: midi)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logging.getLogger("station").addHandler(handler)
    truth: list = []
    try:
        d = make_daemon(config, VirtualClock(), audio=True)
        d.station.engine.add_listener("truth", truth.append)    # what was really played
        start(d)
        drive(d, s_to_ns(0.05))
        midi_seat = len(midi.sent)
        assert d.station.swaps.use(1, "nora")["ok"]
        d.session("start")
        drive(d, s_to_ns(0.2))
        nora_start = wav_frames(wav)
        play(d, 0, 0x5A, 1.0, wav, 24000)                  # Nora alone
        nora_end = wav_frames(wav)
        # an edit breaks Nora's file while she is seated: refused, she plays on
        write(clients / "nora.yaml", "name: Nora Quill\nsound: {timbre: marimbaa}\n")
        drive(d, s_to_ns(2.6))
        play(d, 3, 0x5B, 3.0, wav)                 # Sam
        status = json.dumps(d.status())
        midi_cut, datagrams = len(midi.sent), drain(osc_in)    # Nora's part ends here
        assert d.station.swaps.use(1, "alex")["ok"]
        drive(d, s_to_ns(4.0))
        alex_start = wav_frames(wav)
        play(d, 1, 0x5A, 4.5, wav)                 # Alex
        d.session("stop")
        drive(d, s_to_ns(5.5))
        d.station.journal.flush()
        panel = download_all(d, journal)
        d.close()
    finally:
        logging.getLogger("station").removeHandler(handler)
        mp.undo()
    osc_in.close()
    conn = sqlite3.connect(journal)
    secret = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()[0]
    conn.close()
    nora = [e for e in truth if e.kind == NOTE_ON and e.player == 1 and e.t_ns < s_to_ns(2.5)]
    assert nora, "Nora played"
    with wave.open(str(wav)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    return dict(name=name, consent=dict(zip(("journal", "audio", "research_export"),
                                            SETTINGS[name])),
                tmp=tmp, journal=journal, config=config, pseud=pseudonym("nora", secret),
                notes={e.note for e in nora}, channel=nora[0].channel,
                midi=midi.sent[midi_seat:midi_cut],
                osc=datagrams, logs="\n".join(r.getMessage() for r in records),
                status=status, panel=panel, rate=rate,
                nora_audio=pcm[nora_start + rate // 10:nora_end],
                alex_audio=pcm[alex_start + rate // 10:])


def drain(sock) -> list[bytes]:
    """The OSC datagrams that have arrived (the station sent them before it returned)."""
    out = []
    while True:
        try:
            out.append(sock.recv(65536))
        except OSError:
            return out


def download_all(d, journal) -> dict:
    """The panel's downloads of the session over HTTP, as a signed-in therapist gets them."""
    from station.panel.pin import pin_path, store_pin
    store_pin(pin_path(journal), PIN)
    d.panel.start()
    port = d.panel.http.port
    cookie, csrf = None, None

    def call(method, path, body=None):
        nonlocal cookie
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json"}
        if cookie:
            headers["Cookie"] = cookie
        if csrf:
            headers["X-CSRF-Token"] = csrf
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.getheader("Set-Cookie"):
            cookie = r.getheader("Set-Cookie").split(";", 1)[0]
        conn.close()
        return r.status, data
    status, data = call("POST", "/api/login", json.dumps({"pin": PIN}).encode())
    assert status == 200, data
    csrf = json.loads(data)["csrf"]
    sessions = json.loads(call("GET", "/api/sessions")[1])["sessions"]
    out = {"sessions": json.dumps(sessions).encode()}
    for kind in ("csv", "midi", "metrics"):
        out[kind] = call("GET", f"/api/sessions/{sessions[0]['id']}/{kind}")
    d.panel.close()
    return out


def needs(run, *what) -> bool:
    return all(run["consent"][w] for w in what)


def traces(run, data: bytes) -> list[str]:
    """Which marks of Nora's identity ``data`` holds."""
    marks = {"pseudonym": run["pseud"], "id": "nora", "name": "Nora Quill"}
    low = data.lower()
    return [k for k, v in marks.items() if v.lower().encode() in low]


def test_journal(run):
    db = run["journal"]
    raw = b"".join(p.read_bytes() for p in db.parent.glob("station.db*") if p.is_file())
    conn = sqlite3.connect(db)
    notes = {n for (n,) in conn.execute("SELECT note FROM events WHERE kind='note_on' AND "
                                        "player=1 AND t_ns < ?", (s_to_ns(2.5),))}
    refused = conn.execute("SELECT detail, client FROM events WHERE kind='profile' AND "
                           "player=1 AND detail LIKE 'refused%'").fetchall()
    conn.close()
    assert [r[0] for r in refused] == ["refused:1 problem(s)"], "no path, no words of it"
    assert (refused[0][1] is None) == (not needs(run, "journal"))
    assert "id" not in traces(run, raw) and "name" not in traces(run, raw)
    if needs(run, "journal"):
        assert "pseudonym" in traces(run, raw) and notes == run["notes"]
    else:
        assert traces(run, raw) == [] and notes == set()


def test_recording(run):
    quiet = is_silent(run["nora_audio"])
    if needs(run, "audio"):
        assert not quiet
        hz = fundamental_hz(run["nora_audio"][:run["rate"] // 2], run["rate"])
        assert any(abs(hz / midi_to_hz(n) - 1) < 0.03 for n in run["notes"]), hz
    else:
        assert quiet, "paused: silence while Nora is seated"
    assert not is_silent(run["alex_audio"]), "the recording goes on once Nora has left"


def test_midi_out(run):
    ch = run["channel"]
    nora = [m for m in run["midi"] if m[0] == 0x90 | ch and m[1] in run["notes"]]
    if needs(run, "journal"):
        assert nora
    else:
        assert nora == [] and not any(m[0] == 0xC0 | ch for m in run["midi"]), \
            "not even Nora's instrument at her seating"
    assert any(m[0] & 0xF0 == 0x90 and m[0] & 0x0F != ch for m in run["midi"]), \
        "Sam's notes are mirrored"


def test_osc_out(run):
    from pythonosc.osc_message import OscMessage
    msgs = [OscMessage(d) for d in run["osc"]]
    nora = [m for m in msgs if m.address in ("/station/touch", "/station/note")
            and m.params[0] == 1 and (m.address == "/station/touch"
                                      or m.params[1] in run["notes"])]
    assert any(m.params[0] == 2 for m in msgs), "Sam's touches are sent"
    assert all(not traces(run, d) for d in run["osc"])
    if needs(run, "journal"):
        assert nora
    else:
        assert nora == []


def test_logs(run):
    logs = run["logs"].encode()
    assert "id" not in traces(run, logs) and "name" not in traces(run, logs)
    assert b"nora.yaml" not in logs
    assert ("pseudonym" in traces(run, logs)) == needs(run, "journal")


def test_status(run):
    # The live status names the seated client for the care team (it is an answer, never
    # stored); it never carries a pseudonym or a profile's path.
    assert "pseudonym" not in traces(run, run["status"].encode())
    assert "nora.yaml" not in run["status"]
    s = json.loads(run["status"])            # it says what is kept, and the recording's pause
    assert s["players"]["1"]["journal"] == needs(run, "journal")
    assert s["audio"]["recording_paused"] == (not needs(run, "audio"))


@pytest.mark.parametrize("fmt", ["csv", "midi", "metrics"])
def test_exports_by_the_cli(run, fmt, tmp_path):
    out = tmp_path / ("x.mid" if fmt == "midi" else "x.csv")
    done = subprocess.run(station_command() + ["export", "--db", str(run["journal"]),
                                               "--format", fmt, "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    if needs(run, "research_export") and needs(run, "journal") or not needs(run, "journal"):
        assert done.returncode == 0, done.stderr
        data = out.read_bytes()
        assert ("pseudonym" in traces(run, data)) == needs(run, "journal")
        assert "id" not in traces(run, data) and b".yaml" not in data
        if fmt == "csv":
            nora = [r for r in data.decode().splitlines()[1:]
                    if r.split(",")[2] == "1" and r.split(",")[8] == "note_on"
                    and float(r.split(",")[1]) < 2.5]
            assert bool(nora) == needs(run, "journal")
    else:
        assert done.returncode == 1 and not out.exists(), done.stderr
        assert "did not consent" in done.stderr and "Traceback" not in done.stderr


def test_an_export_for_another_client_leaves_nora_out(run, tmp_path):
    if needs(run, "research_export"):
        pytest.skip("only a refusal of the whole session needs the way round it")
    out = tmp_path / "sam.csv"
    done = subprocess.run(station_command() + ["export", "--db", str(run["journal"]),
                                               "--client", "sam", "--config", str(run["config"]),
                                               "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert traces(run, out.read_bytes()) == []


def test_panel_downloads(run):
    panel = run["panel"]
    for kind in ("csv", "midi", "metrics"):
        status, body = panel[kind]
        if needs(run, "journal", "research_export") or not needs(run, "journal"):
            assert status == 200, (kind, body[:200])
            assert ("pseudonym" in traces(run, body)) == needs(run, "journal"), kind
        else:
            # no file: the therapist is told why (naming the client, as the CLI does)
            assert status != 200 and b"did not consent" in body, (kind, body[:200])
            assert not body.startswith((b"session,", b"MThd")), kind
        assert b".yaml" not in body
    # the Reports screen's list of sessions names only clients the journal kept
    assert bool(traces(run, panel["sessions"])) == needs(run, "journal")


def test_a_profile_refused_at_start_up_is_logged_without_its_path(tmp_path, mock_pins, caplog):
    clients = tmp_path / "clients"
    write(clients / "alex.yaml", (CONFIGS / "clients" / "alex.yaml").read_text())
    write(clients / "sam.yaml", "name: Sam Broken\nsound: {timbre: marimbaa}\n")
    caplog.set_level(logging.INFO, logger="station")
    d = make_daemon(station_yaml(tmp_path, clients_dir=clients), VirtualClock())
    try:
        start(d)
        drive(d, s_to_ns(0.1))
    finally:
        d.close()
    refused = [r.getMessage() for r in caplog.records if "player 2" in r.getMessage()]
    assert refused and "the profile of c-" in refused[0] and "1 problem" in refused[0]
    assert not any("sam" in r.getMessage().lower() for r in caplog.records)
