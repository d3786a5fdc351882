"""One MPR121 board and one CAP1188 board at one station (configs/scenarios/mixed.yaml):
both chips' touches sound, through their real drivers, the engine and real FluidSynth."""

import sqlite3

import numpy as np
import pytest
from conftest import CONFIGS
from wav_helpers import read_wav, window

from station.sim.runner import SAMPLE_RATE, simulate
from station.sim.scenario import load_scenario
from station.sound.analysis import cents, fundamental_hz, is_silent, midi_to_hz

MPR, CAP = 0x5A, 0x29
CAP_CYCLE_S = 0.035


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    out = tmp_path_factory.mktemp("mixed")
    summary = simulate(load_scenario(CONFIGS / "scenarios" / "mixed.yaml"), out)
    db = sqlite3.connect(out / "station.db")
    rows = db.execute("SELECT kind, t_ns, board, electrode, player, note FROM events "
                      "WHERE kind IN ('touch', 'note_on', 'fault') ORDER BY id").fetchall()
    return summary, read_wav(out / "session.wav"), rows


def test_both_boards_touches_become_notes_in_the_journal(mixed):
    summary, _, rows = mixed
    touches = [(r[2], r[3]) for r in rows if r[0] == "touch"]
    assert touches == [(MPR, 0), (CAP, 0), (CAP, 7), (MPR, 2), (CAP, 4), (CAP, 2)]
    notes = [(r[4], r[5]) for r in rows if r[0] == "note_on"]
    # alex (MPR121): A major pentatonic from A4; sam (CAP1188): C major from C4
    assert notes == [(1, 69), (2, 60), (2, 72), (1, 73), (2, 67), (2, 64)]
    assert summary["notes"] == 6


def test_each_chip_sees_a_hand_at_its_own_next_sample(mixed):
    _, _, rows = mixed
    seen = {(r[2], r[3], round(r[1] / 1e9, 1)): r[1] / 1e9 for r in rows if r[0] == "touch"}
    assert seen[(MPR, 0, 1.0)] == pytest.approx(1.001)          # the MPR121's 1 ms sample
    for key, at in (((CAP, 0, 2.0), 2.0), ((CAP, 7, 3.0), 3.0), ((CAP, 4, 4.0), 4.0)):
        assert at < seen[key] <= at + CAP_CYCLE_S                # within one 35 ms cycle


def test_the_unplugged_cap1188_is_lost_and_comes_back_by_itself(mixed):
    _, _, rows = mixed
    faults = [(r[2], round(r[1] / 1e9, 1)) for r in rows if r[0] == "fault"]
    assert faults == [(CAP, 5.0), (CAP, 6.0)]


@pytest.mark.parametrize("start, midi, chip", [
    (1.0, 69, "MPR121"), (2.0, 60, "CAP1188"), (3.0, 72, "CAP1188"), (7.0, 64, "CAP1188")])
def test_each_note_sounds_at_its_pitch(mixed, start, midi, chip):
    _, audio, _ = mixed

    def rms(a, b):
        return float(np.sqrt(np.mean(window(audio, a, b)[:, 0].astype(float) ** 2)))

    # the onset: the note rises over what rang before (the last note's tail, or silence)
    assert rms(start + 0.05, start + 0.15) > 4 * rms(start - 0.1, start), f"{chip} onset"
    tone = window(audio, start + 0.1, start + 0.55)[:, 0]
    assert not is_silent(tone)
    assert abs(cents(fundamental_hz(tone, SAMPLE_RATE), midi_to_hz(midi))) < 20


def test_the_chord_across_both_chips_sounds_both_notes(mixed):
    _, audio, _ = mixed
    tone = window(audio, 4.1, 4.55)[:, 0].astype(float)
    spectrum = np.abs(np.fft.rfft(tone * np.hanning(len(tone))))
    freqs = np.fft.rfftfreq(len(tone), 1 / SAMPLE_RATE)

    def peak_near(hz):
        band = (freqs > hz * 0.97) & (freqs < hz * 1.03)
        return spectrum[band].max()

    floor = np.median(spectrum)
    for midi in (73, 67):                    # alex's C#5 on the MPR121, sam's G4 on the CAP1188
        assert peak_near(midi_to_hz(midi)) > 50 * floor
    assert peak_near(midi_to_hz(70)) < peak_near(midi_to_hz(67)) / 5   # not a neighbour
