"""Backing and echo on the simulator, through the real engine, FluidSynth and journal:
onsets found in the rendered audio at the journaled beats, the drone's pitch, a tempo
ramp, the echo's notes, a client who follows (or not), and synchronisation metrics."""

import re
import sqlite3
import subprocess
import wave

import numpy as np
import pytest
from conftest import CONFIGS, station_command, write

from station.core.events import BEAT
from station.journal.reader import select_sessions
from station.report.columns import columns
from station.report.data import load_session
from station.report.metrics import synchronisation
from station.report.subject import subject
from station.report.table import session_rows
from station.sim.runner import SAMPLE_RATE, Simulation, simulate
from station.sim.scenario import load_scenario
from station.sound.analysis import cents, fundamental_hz, is_silent, midi_to_hz

S = 1_000_000_000
MS = 1_000_000
BLOCK_S = 64 / SAMPLE_RATE


def station_yaml(tmp_path, plans=None, extra=""):
    text = (CONFIGS / "station.yaml").read_text()
    text = text.replace("clients_dir: clients", f"clients_dir: {CONFIGS / 'clients'}")
    text = text.replace("plans_dir: plans", f"plans_dir: {plans or CONFIGS / 'plans'}")
    for line in extra.splitlines():       # a key written twice is an error: replace it
        key = line.split(":", 1)[0]
        if line and not line.startswith(" ") and f"\n{key}:" in text:
            text = re.sub(rf"(?m)^{re.escape(key)}:.*$", line, text)
            extra = extra.replace(line + "\n", "")
    return write(tmp_path / "station.yaml", text + extra)


def scenario(tmp_path, events, end, clients="{1: alex}", plans=None, extra=""):
    lines = "\n".join(f"  - {e}" for e in events)
    return write(tmp_path / "s.yaml", f"station: {station_yaml(tmp_path, plans, extra)}\n"
                 f"clients: {clients}\nevents:\n{lines}\nend: {end}\n")


def run(tmp_path, events, end, **kw):
    summary = simulate(load_scenario(scenario(tmp_path, events, end, **kw)), tmp_path / "out")
    return summary, read_wav(tmp_path / "out" / "session.wav"), \
        sqlite3.connect(tmp_path / "out" / "station.db")


def read_wav(path):
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.reshape(-1, 2)


def beats(db):
    return [r[0] for r in db.execute("SELECT t_ns FROM events WHERE kind='beat' ORDER BY t_ns")]


def onsets(audio, threshold=2, quiet_s=0.05):
    """Frames where the sound rises above ``threshold`` after at least ``quiet_s`` of
    silence: an onset detector that knows nothing of the journal."""
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)).max(axis=1) > threshold)
    if not loud.size:
        return np.empty(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(loud) > quiet_s * SAMPLE_RATE) + 1]
    return loud[starts]


def test_pulse_onsets_in_the_audio_are_at_the_journaled_beats(tmp_path):
    summary, audio, db = run(tmp_path, [
        "{at: 1.0, action: backing, style: pulse, tempo_bpm: 100}",
        "{at: 11.0, action: backing_stop}"], end=12)
    t = np.array(beats(db))
    assert len(t) == 17 and summary["beats"] == 17             # 1.0 .. 10.6 s at 0.6 s
    assert t[0] == pytest.approx(1.0 * S, abs=BLOCK_S * S)     # the first at the action
    heard = onsets(audio) / SAMPLE_RATE
    assert len(heard) == len(t), "one onset per journaled beat, none extra"
    assert np.max(np.abs(heard - t / S)) < 0.0015              # within 1.5 ms
    assert len(set(np.diff(t))) == 1, "zero jitter offline: every interval identical"
    assert abs(np.diff(t)[0] / S - 0.6) <= BLOCK_S             # 100 BPM to the block
    assert is_silent(audio[int(11.5 * SAMPLE_RATE):]), "stopped cleanly"


@pytest.mark.parametrize("clients, key, midi", [("{1: alex}", None, 57),     # A3
                                                ("{1: sam}", None, 48),      # C3
                                                ("{1: alex}", "D", 50)])     # D3
def test_a_drone_sounds_the_root_of_the_key(tmp_path, clients, key, midi):
    extra = f", key: {key}" if key else ""
    _, audio, db = run(tmp_path, [f"{{at: 0.5, action: backing, style: drone{extra}}}",
                                  "{at: 4.5, action: backing_stop}"], end=5, clients=clients)
    tone = audio[int(1.5 * SAMPLE_RATE):int(4.0 * SAMPLE_RATE)]
    assert abs(cents(fundamental_hz(tone, SAMPLE_RATE), midi_to_hz(midi))) < 20
    assert beats(db) == [], "a drone has no beat"
    assert is_silent(audio[int(6.0 * SAMPLE_RATE):])


def test_a_ramp_from_60_to_90_bpm_over_30_s_gives_intervals_that_follow_it(tmp_path):
    _, _, db = run(tmp_path, [
        "{at: 1.0, action: backing, style: pulse, tempo_bpm: 60, ramp_to_bpm: 90, ramp_s: 30}",
        "{at: 40.0, action: backing_stop}"], end=41)
    t = np.array(beats(db)) / S
    intervals = np.diff(t)
    # by hand: the interval after beat k is 60 / bpm, bpm = 60 + 30 * min(1, progress/30)
    # where progress is the time from the first beat to beat k
    expected = 60.0 / (60.0 + 30.0 * np.minimum(1.0, (t[:-1] - t[0]) / 30.0))
    assert np.max(np.abs(intervals - expected)) <= BLOCK_S / 2 + 1e-9
    assert intervals[0] == pytest.approx(1.0) and intervals[-1] == pytest.approx(2 / 3, abs=BLOCK_S)
    assert np.all(np.diff(intervals) <= 1e-9), "the tempo only rises"
    tempo = [float(r[0].split(":")[1]) for r in
             db.execute("SELECT detail FROM events WHERE kind='beat' ORDER BY t_ns")]
    assert tempo[0] == 60.0 and tempo[-1] == 90.0


def closed_loop(tmp_path, events, end, tap, clients="{1: alex}"):
    """A simulated client who hears each beat and answers: ``tap(beat_ns) -> ns or None``
    (when to touch pad 0, or not at all). Returns the simulation, closed."""
    sim = Simulation(load_scenario(scenario(tmp_path, events, end, clients)), tmp_path / "out")
    due: list[int] = []
    sim.station.engine.add_listener(
        "test", lambda e: e.kind == BEAT and tap(e.t_ns) is not None
        and due.append(tap(e.t_ns)))
    try:
        sim.station.start()
        steps = list(sim.scenario.steps)
        while True:
            nxt = min([s.at_ns for s in steps[:1]] + sorted(due)[:1] + [sim.scenario.end_ns])
            wake = sim.station.next_wakeup()
            if wake < nxt:                    # a beat may come first: hear it, then decide
                sim.advance_to(max(wake, sim.clock.now_ns()))
                continue
            sim.advance_to(nxt)
            if steps and steps[0].at_ns == nxt:
                step = steps.pop(0)
                sim.act(step.action, **step.args)
            elif due and min(due) == nxt:
                due.remove(nxt)
                sim.act("touch", board=0x5A, electrode=0)
                sim.advance_to(nxt + 100 * MS)
                sim.act("release", board=0x5A, electrode=0)
            else:
                break
        sim.finish()
    finally:
        sim.close()
    return sim


FOLLOW = ["{at: 1.0, action: backing, style: pulse, tempo_bpm: 60, ramp_to_bpm: 90, "
          "ramp_s: 30, follow_client: true, follow_player: 1}"]


def tempi(tmp_path):
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    return [(t / S, float(d.split(":")[1])) for t, d in
            db.execute("SELECT t_ns, detail FROM events WHERE kind='beat' ORDER BY t_ns")]


def test_follow_client_a_client_who_follows_lets_the_ramp_finish(tmp_path):
    closed_loop(tmp_path, FOLLOW, 45.0, tap=lambda b: b + 30 * MS)
    bpm = tempi(tmp_path)
    assert bpm[0][1] == 60.0 and bpm[-1][1] == 90.0
    first_90 = next(t for t, b in bpm if b == 90.0)
    assert first_90 < 1.0 + 30 + 6, "the ramp waited only for the first beats to be heard"


def test_follow_client_a_client_who_stops_holds_the_ramp_and_resumes_it(tmp_path):
    # taps with the beat, none between 12 s and 22 s, then with the beat again
    closed_loop(tmp_path, FOLLOW, 60.0,
                tap=lambda b: None if 12 * S <= b <= 22 * S else b + 30 * MS)
    bpm = tempi(tmp_path)
    held = [b for t, b in bpm if 17 <= t <= 22]
    assert len(held) >= 3 and max(held) == min(held), "no progress while not with the beat"
    before = [b for t, b in bpm if t < 12][-1]
    assert held[0] - before < 6, "it stopped moving soon after the touches stopped"
    assert bpm[-1][1] == 90.0, "and finished once the client was with it again"
    reached = next(t for t, b in bpm if b == 90.0)
    assert reached > 1.0 + 30 + 8, "later than a client who never stopped"


def player_subject(db, player=1):
    d = load_session(db, select_sessions(db)[0])
    return subject(d, next(c for c in columns(d) if c.player == player))


def test_synchronisation_of_taps_30_ms_after_each_beat(tmp_path):
    closed_loop(tmp_path, ["{at: 1.0, action: backing, style: pulse, tempo_bpm: 100}",
                           "{at: 21.0, action: backing_stop}"], 22.0,
                tap=lambda b: b + 30 * MS)
    s = player_subject(sqlite3.connect(tmp_path / "out" / "station.db"))
    r, p, asynchrony = synchronisation(s)
    # by hand: every tap lands 30 ms after its beat (a beat's time is when it sounded) and
    # the touch chip sees it at its next 1 ms sample: 30..31 ms; the period 0.6 s to the
    # block: the phases agree within 1 ms, so R is all but 1 and the mean about 30.5 ms
    assert len(s.onsets) == len(s.beats) == 34
    late = s.onsets - s.beats
    assert np.all((late > 0.030 - 1e-9) & (late <= 0.031 + 1e-9))
    period = np.median(np.diff(s.beats))
    phases = 2 * np.pi * late / period
    hand_r = abs(np.mean(np.exp(1j * phases)))
    assert hand_r > 0.999 and r.value == pytest.approx(hand_r)
    assert r.value >= 0.95 and asynchrony.value == pytest.approx(30.5, abs=1.0)
    assert p.value < 1e-6


def test_random_taps_are_not_synchronised(tmp_path):
    rng = np.random.default_rng(7)
    taps = 1.5 + np.cumsum(rng.uniform(0.15, 0.8, 40))       # 40 touches, never overlapping
    assert taps[-1] < 20.5
    events = ["{at: 1.0, action: backing, style: pulse, tempo_bpm: 100}",
              "{at: 21.0, action: backing_stop}"]
    for t in taps:
        events += [f"{{at: {t:.4f}, action: touch, board: 0x5A, electrode: 0}}",
                   f"{{at: {t + 0.05:.4f}, action: release, board: 0x5A, electrode: 0}}"]
    _, _, db = run(tmp_path, events, end=22)
    s = player_subject(db)
    assert len(s.onsets) == 40
    r, p, _ = synchronisation(s)
    # by hand: each tap's phase within its beat interval, then the mean vector
    b = np.array(beats(db)) / S - select_sessions(db)[0].started_ns / S
    k = np.searchsorted(b, s.onsets) - 1
    phase = 2 * np.pi * (s.onsets - b[k]) / (b[k + 1] - b[k])
    hand_r = abs(np.mean(np.exp(1j * phase)))
    n = len(phase)
    hand_p = np.exp(np.sqrt(1 + 4 * n + 4 * (n * n - (n * hand_r) ** 2)) - (1 + 2 * n))
    assert r.value == pytest.approx(hand_r, abs=1e-9) and hand_r < 0.3
    assert p.value == pytest.approx(hand_p, rel=1e-6) and p.value > 0.05


def test_the_demo_reports_synchronisation_in_the_phase_with_the_pulse(tmp_path):
    simulate(load_scenario(CONFIGS / "scenarios" / "demo.yaml"), tmp_path / "demo")
    db = sqlite3.connect(tmp_path / "demo" / "station.db")
    rows = {(r.column.player, r.phase): r for r in
            session_rows(load_session(db, select_sessions(db)[0]))}
    main = rows[(1, "main")]
    assert main.value("vector_strength") >= 0.95
    assert main.value("mean_asynchrony_ms") == pytest.approx(34, abs=8)   # ~30 ms late taps
    assert rows[(1, "warm_up")].value("vector_strength") is None, "a drone has no beat"


def test_the_csv_export_has_a_row_per_beat(tmp_path, station_env):
    _, _, db = run(tmp_path, ["{at: 1.0, action: backing, style: pulse, tempo_bpm: 120}",
                              "{at: 3.9, action: backing_stop}"], end=5)
    out = subprocess.run(station_command() + ["export", "--format", "csv", "--db",
                                              str(tmp_path / "out" / "station.db")],
                         capture_output=True, text=True, env=station_env, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = [line.split(",") for line in out.stdout.splitlines()[1:]]
    beat_rows = [r for r in rows if r[8] == "beat"]
    assert len(beat_rows) == len(beats(db)) == 6               # 1.0, 1.5 ... 3.5 s
    assert [float(r[1]) for r in beat_rows] == pytest.approx(
        [1.0, 1.5, 2.0, 2.5, 3.0, 3.5], abs=BLOCK_S)
    assert beat_rows[0][11].startswith("pulse:120.0:1/4")


def test_the_backing_obeys_max_volume_and_all_quiet(tmp_path):
    summary, audio, db = run(tmp_path, [
        "{at: 0.5, action: backing, style: pulse, tempo_bpm: 120, volume: 1.0}",
        "{at: 3.0, action: press, button: all_quiet}",
        "{at: 3.1, action: release, button: all_quiet}",
        "{at: 8.0, action: press, button: all_quiet}",
        "{at: 8.1, action: release, button: all_quiet}",
        "{at: 10.0, action: backing_stop}"], end=11, extra="max_volume: 0.5\n")
    rows = db.execute("SELECT t_ns, velocity FROM events WHERE kind='beat'").fetchall()
    assert max(v for _, v in rows) <= 0.5 * 127, "capped by the station's max_volume"
    times = [t / S for t, _ in rows]
    assert not [t for t in times if 3.0 < t < 8.0], "no beat while all-quiet"
    resumed = [t for t in times if t >= 8.0][0]              # a tap resumes on release
    assert resumed == pytest.approx(8.1, abs=BLOCK_S), "a new first beat when play resumes"
    assert is_silent(audio[int(5.0 * SAMPLE_RATE):int(8.1 * SAMPLE_RATE)])
    assert not is_silent(audio[int(8.1 * SAMPLE_RATE):int(9.0 * SAMPLE_RATE)])


ECHO_PLAN = """\
name: Echo test
phases:
  - name: mirror
    players:
      1: {echo: {gap_ms: 800, timbre: vibraphone, transpose: 12, volume: 0.6}}
"""


def test_echo_plays_the_phrase_back_and_stops_when_the_client_plays(tmp_path):
    plans = tmp_path / "plans"
    write(plans / "mirror.yaml", ECHO_PLAN)
    # alex: A major pentatonic from A4: pad 0 A4, pad 2 C#5, pad 3 E5, pad 4 F#5
    events = ["{at: 0.5, action: plan_start, plan: mirror}"]
    for at, pad in ((1.0, 0), (1.5, 2), (2.0, 3)):
        events += [f"{{at: {at}, action: touch, board: 0x5A, electrode: {pad}}}",
                   f"{{at: {at + 0.3}, action: release, board: 0x5A, electrode: {pad}}}"]
    # a second phrase; the client plays again while its echo is under way
    for at, pad in ((6.0, 0), (6.5, 3), (7.0, 4)):
        events += [f"{{at: {at}, action: touch, board: 0x5A, electrode: {pad}}}",
                   f"{{at: {at + 0.3}, action: release, board: 0x5A, electrode: {pad}}}"]
    events += ["{at: 8.7, action: touch, board: 0x5A, electrode: 1}",
               "{at: 8.75, action: release, board: 0x5A, electrode: 1}"]
    summary, audio, db = run(tmp_path, events, end=12, plans=plans)
    echo = db.execute("SELECT t_ns, detail FROM events WHERE kind='echo' ORDER BY t_ns").fetchall()
    assert [d for _, d in echo] == ["3 notes", "3 notes", "stopped:client_played", "1 note"]
    start = echo[0][0] / S
    seen = 0.001                         # the touch chip sees a touch at its next 1 ms sample
    breath = 0.4                         # no backing plays: the echo waits 400 ms
    assert start == pytest.approx(2.0 + seen + 0.8 + breath, abs=BLOCK_S), \
        "the gap after the last touch, then a breath"
    heard = []
    for offset in (0.0, 0.5, 1.0):       # the echo keeps the phrase's rhythm
        tone = audio[int((start + offset + 0.05) * SAMPLE_RATE):
                     int((start + offset + 0.35) * SAMPLE_RATE)]
        heard.append(fundamental_hz(tone, SAMPLE_RATE))
    for f, midi in zip(heard, (81, 85, 88)):                 # an octave up
        assert abs(cents(f, midi_to_hz(midi))) < 20
    played = {69 % 12, 73 % 12, 76 % 12}
    assert {round(69 + 12 * np.log2(f / 440.0)) % 12 for f in heard} == played
    # the second echo starts at 7.0 + 0.8 + 0.4 = 8.2 s; its third note (F#6) would come
    # at 9.2 s, but the client played at 8.7 s: from then on only the client's B4 and tail
    second = echo[1][0] / S
    assert second == pytest.approx(8.2 + seen, abs=BLOCK_S)
    assert echo[2][0] / S == pytest.approx(8.7 + seen)
    late = audio[int(9.25 * SAMPLE_RATE):int(9.7 * SAMPLE_RATE)]
    spectrum = np.abs(np.fft.rfft(late.mean(axis=1) * np.hanning(len(late))))
    freqs = np.fft.rfftfreq(len(late), 1 / SAMPLE_RATE)
    fsharp6 = spectrum[np.abs(freqs - midi_to_hz(90)) < 15].max()
    assert fsharp6 < 0.05 * spectrum.max(), "the echo's last note never sounded"
    assert summary["phases"][0]["echoes"] == 3
