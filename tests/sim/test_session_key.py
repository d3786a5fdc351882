"""One session key and levels that fit, on the simulator (real engine, FluidSynth, journal):
the drone and a chord in the session key (within 20 cents in the rendered audio), the
welcome song moved into it, a profile with key: session following it, a plan phase
setting it, a clash offered a follow, and a 12-pad chord over a drone kept under 6 dB of
output limiting."""

import numpy as np
import pytest
from conftest import write
from test_session_music import run, scenario

from station.sim.runner import SAMPLE_RATE, Simulation
from station.sim.scenario import load_scenario
from station.sound.analysis import cents, midi_to_hz
from station.sound.keys import SessionKey

S = 1_000_000_000
A_MAJOR = SessionKey("A", "major").pitch_classes


def peak_cents(audio, midi):
    """Cents between ``midi``'s frequency and the strongest spectral peak within 50 cents
    of it (Hann window, 4x zero padding, parabolic refinement), and that peak's share of
    the loudest peak of the spectrum."""
    data = audio.astype(np.float64).mean(axis=1)
    n = 1 << int(np.ceil(np.log2(len(data) * 4)))
    mag = np.abs(np.fft.rfft(data * np.hanning(len(data)), n))
    hz = SAMPLE_RATE / n
    f = midi_to_hz(midi)
    lo, hi = int(f * 2 ** (-50 / 1200) / hz), int(f * 2 ** (50 / 1200) / hz) + 1
    k = lo + int(np.argmax(mag[lo:hi]))
    a, b, c = np.log(mag[k - 1:k + 2] + 1e-12)
    found = (k + 0.5 * (a - c) / (a - 2 * b + c)) * hz
    return cents(found, f), mag[k] / mag.max()


def notes(db, player=1):
    return [r[0] for r in db.execute("SELECT note FROM events WHERE kind='note_on' AND "
                                     "player=? ORDER BY t_ns", (player,))]


def test_the_drone_and_a_chord_sound_in_the_session_key(tmp_path):
    profile = write(tmp_path / "chords.yaml", "name: Chords\nsound: {timbre: soft_piano}\n"
                    "music: {mode: chords, key: session, octave: 4, chords: [I, IV, V]}\n")
    _, audio, db = run(tmp_path, [
        "{at: 0.2, action: session_key, root: Eb, mode: major}",
        "{at: 0.5, action: backing, style: drone}",
        "{at: 3.0, action: touch, board: 0x5A, electrode: 0, strength: 0.8}",
        "{at: 4.5, action: release, board: 0x5A, electrode: 0}",
        "{at: 5.5, action: backing_stop}"], end=6, clients=f"{{1: {profile}}}")
    drone = audio[int(1.0 * SAMPLE_RATE):int(2.9 * SAMPLE_RATE)]
    for midi in (51, 58):                                   # Eb3 and its fifth Bb3
        off, share = peak_cents(drone, midi)
        assert abs(off) < 20 and share > 0.1
    assert notes(db) == [63, 67, 70]                        # I in Eb: Eb4 G4 Bb4
    chord = audio[int(3.2 * SAMPLE_RATE):int(4.4 * SAMPLE_RATE)]
    for midi in (63, 67, 70):
        off, share = peak_cents(chord, midi)
        assert abs(off) < 20 and share > 0.05


def test_the_welcome_song_moves_into_the_session_key_and_back(tmp_path):
    presses = []
    for k in range(15):
        t = 1.0 + 0.4 * k
        presses += [f"{{at: {t:.1f}, action: press, button: p1_switch}}",
                    f"{{at: {t + 0.2:.1f}, action: release, button: p1_switch}}"]
    plan = write(tmp_path / "plans" / "song.yaml", "phases:\n  - name: welcome\n"
                 "    key: {root: A, mode: major}\n"
                 "    players: {all: {music: {mode: song, song: welcome}}}\n")
    _, _, db = run(tmp_path, ["{at: 0.5, action: plan_start, plan: song}", *presses],
                   end=8, plans=plan.parent)
    played = notes(db)
    assert len(played) >= 15
    assert {n % 12 for n in played} <= A_MAJOR              # every note in A major
    assert played[:3] == [64, 61, 64]                       # G4 E4 G4 in C -> E4 C#4 E4
    plain = write(tmp_path / "c" / "plans" / "song.yaml", "phases:\n  - name: welcome\n"
                  "    players: {all: {music: {mode: song, song: welcome}}}\n")
    _, _, db = run(tmp_path / "c", ["{at: 0.5, action: plan_start, plan: song}",
                                    *presses[:6]], end=3, plans=plain.parent)
    assert notes(db) == [67, 64, 67]                        # no session key: as written


def test_key_session_follows_and_a_clash_is_offered_a_follow(tmp_path):
    profile = write(tmp_path / "follower.yaml", "name: Follower\nsound: {timbre: marimba}\n"
                    "music: {mode: scale, key: session, scale: major_pentatonic, octave: 4}\n")
    sim = Simulation(load_scenario(scenario(
        tmp_path, ["{at: 0.1, action: note, text: start}"], 3,
        clients=f"{{1: {profile}, 2: sam}}")), tmp_path / "out")
    try:
        sim.station.start()
        keys = sim.station.music.keys
        assert keys.status(0)["key"] is None
        sim.act("session_key", root="F", mode="minor")
        assert sim.station.engine.seats[1].mapping.notes_for(1) == (68,)   # Ab4: F minor
        status = keys.status(0)
        assert status["words"] == "F minor" and [c["player"] for c in status["clashes"]] \
            == [2]                                          # sam: C major
        assert status["clashes"][0]["notes"] == ["D", "E", "A", "B"]
        keys.follow(2, sim.clock.now_ns())
        assert keys.status(0)["clashes"] == [] and keys.status(0)["following"] == [2]
        assert sim.station.engine.seats[2].mapping.notes_for(2) == (68,)   # Ab4 in F minor
        sim.act("backing", style="drone")
        assert sim.station.music.backing.status(0)["key"] == "F"
        sim.act("session_key", root="G", mode="major")     # the drone moves with the key
        assert sim.station.music.backing.status(0)["key"] == "G"
        with pytest.raises(Exception, match="did you mean 'major'"):
            keys.set("G", "majr", 0)
    finally:
        sim.close()


@pytest.mark.parametrize("client", ["alex", "jo"])         # marimba, harp
def test_a_twelve_pad_chord_over_a_drone_keeps_limiting_under_6_db(tmp_path, client):
    events = ["{at: 0.5, action: backing, style: drone}"]
    events += [f"{{at: 2.0, action: touch, board: 0x5A, electrode: {e}, strength: 1.0}}"
               for e in range(12)]
    events += [f"{{at: 4.0, action: release, board: 0x5A, electrode: {e}}}" for e in range(12)]
    summary, _, db = run(tmp_path, events, 6, clients=f"{{1: {client}}}")
    assert summary["ceiling"]["peak_reduction_db"] >= -6.0
    velocity = [r[0] for r in db.execute("SELECT velocity FROM events WHERE kind='note_on' "
                                         "ORDER BY id")]
    assert len(velocity) == 12 and velocity[0] == 60 and velocity[-1] < velocity[0] / 3
    legato = [f"{{at: {1 + 0.3 * e:.1f}, action: touch, board: 0x5A, electrode: {e}}}"
              for e in range(4)]                           # 300 ms apart, held: not a chord
    _, _, db = run(tmp_path / "legato", legato, 3, clients=f"{{1: {client}}}")
    assert len({r[0] for r in db.execute("SELECT velocity FROM events WHERE "
                                         "kind='note_on'")}) == 1


def test_the_bass_click_voice_plays_the_session_root_under_its_click(tmp_path):
    _, audio, db = run(tmp_path, [
        "{at: 0.2, action: session_key, root: D, mode: minor}",
        "{at: 0.5, action: backing, style: pulse, tempo_bpm: 60, voice: bass_click}",
        "{at: 4.4, action: backing_stop}"], end=5)
    assert {r[0] for r in db.execute("SELECT note FROM events WHERE kind='beat'")} == {37}
    beat = audio[int(1.52 * SAMPLE_RATE):int(1.95 * SAMPLE_RATE)]     # the second beat
    # the bass's D2 (channel 16) speaks mostly through its second partial, D3 (147 Hz),
    # which is also what a small speaker keeps: the loudest partial of the beat
    off, share = peak_cents(beat, 50)
    assert abs(off) < 20 and share == 1.0
