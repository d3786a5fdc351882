"""The loudness ceiling and the gain staging through the whole station, as a user runs it.

The issue's case: four players press all 48 pads at once in chord mode with the brightest
timbres, every volume and cap at its maximum, full reverb, the highest gain the config
allows; ``station simulate`` writes what the room would hear. And the demo: loud enough
for a room at its loudest, never above the ceiling.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
from conftest import CONFIGS, station_command, station_config_text, write

from station.config.station_schema import STATION
from station.sim.runner import simulate
from station.sim.scenario import load_scenario
from station.sound.analysis import loudest_rms_dbfs, peak
from station.sound.limiter import ceiling_linear
from wav_helpers import read_wav

GAIN_MAX = STATION.fields["audio"].fields["gain"].max
LOUD = """\
name: Loud {n}
sound: {{timbre: {timbre}, volume: 1.0, max_volume: 1.0, velocity: 127, reverb: 1.0}}
music: {{mode: chords, key: C, octave: 4, chords: [I, ii, iii, IV, V, vi, I, ii, iii, IV, V, vi]}}
"""


def test_four_players_pressing_all_48_pads_in_chords_stay_under_the_ceiling(tmp_path):
    text = station_config_text(tmp_path)
    for old, new in (("max_volume: 0.8", "max_volume: 1.0"),
                     ("  gain: 2.5", f"  gain: {GAIN_MAX}")):
        assert old in text
        text = text.replace(old, new)
    station = write(tmp_path / "station.yaml", text)
    clients = {}
    for n, name in enumerate(("xylophone", "kalimba", "harp", "french_horn"), start=1):
        clients[n] = str(write(tmp_path / f"loud{n}.yaml", LOUD.format(n=n, timbre=name)))
    pads = [f"  - {{at: {at}, action: {what}, board: {board:#x}, electrode: {e}}}"
            for at, what in ((0.5, "touch"), (2.5, "release"))
            for board in (0x5A, 0x5B, 0x5C, 0x5D) for e in range(12)]
    seats = ", ".join(f"{n}: {path}" for n, path in clients.items())
    scenario = write(tmp_path / "all-pads.yaml", f"station: {station}\nclients: {{{seats}}}\n"
                     "events:\n" + "\n".join(pads) + "\nend: 4.0\n")
    r = subprocess.run(station_command() + ["simulate", str(scenario), "--out",
                                            str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["touches"] == 48 and summary["notes"] >= 48
    audio = read_wav(tmp_path / "out" / "session.wav")
    limit = ceiling_linear(-6.0) * 32767
    assert peak(audio) <= limit, "no sample above the -6 dBFS ceiling"
    assert peak(audio) >= limit * 10 ** (-1 / 20), "held at the ceiling, not silenced"
    assert not (np.abs(audio.astype(int)) >= 32767).any(), "nothing clipped"
    ceiling = summary["ceiling"]
    assert ceiling["dbfs"] == -6.0 and ceiling["loudest_input_dbfs"] > 20, \
        "the raw mix was far above full scale: this case clips without the limiter"


def test_the_demo_is_loud_enough_for_a_room_and_never_above_the_ceiling(tmp_path):
    summary = simulate(load_scenario(CONFIGS / "scenarios" / "demo.yaml"), tmp_path)
    audio = read_wav(tmp_path / "session.wav")
    assert loudest_rms_dbfs(audio, 48000, 10.0) >= -24.0
    assert peak(audio) <= ceiling_linear(summary["ceiling"]["dbfs"]) * 32767
