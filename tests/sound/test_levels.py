"""Equal loudness: the shipped level table, applied by the synth, brings every timbre of
the catalogue to the same integrated loudness (ITU-R BS.1770) at the same velocity, centred;
``station sound calibrate`` writes the table and never overwrites a file it did not write."""

from __future__ import annotations

import os
import subprocess

import numpy as np
import pytest
from conftest import station_command, write

from station.core.errors import ConfigError
from station.sound.calibrate import RATE, render_note, render_range
from station.sound.levels import MARK, Level, find_levels, read_levels
from station.sound.loudness import balance_db, highpass_loss_db, lufs
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.timbres import load_catalogue

FONT = find_soundfont("/usr/share/sounds/sf2/TimGM6mb.sf2")
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def table():
    levels = find_levels(FONT)
    assert levels is not None, "the shipped table for TimGM6mb was not found"
    return levels


def test_the_loudness_meter_reads_the_standard_sine():
    # BS.1770: a full-scale 997 Hz sine in one channel reads -3.01 LUFS
    t = np.arange(RATE * 3) / RATE
    sine = np.zeros((len(t), 2))
    sine[:, 0] = 32767 * np.sin(2 * np.pi * 997 * t)
    assert lufs(sine, RATE) == pytest.approx(-3.01, abs=0.05)
    assert balance_db(sine + 1) > 60 and balance_db(np.ones((10, 2))) == 0.0
    assert highpass_loss_db(sine, RATE) < 0.01                  # 997 Hz passes
    low = sine.copy()
    low[:, 0] = 32767 * np.sin(2 * np.pi * 50 * t)
    assert highpass_loss_db(low, RATE) > 30                     # 50 Hz does not


def test_the_table_belongs_to_the_font_and_covers_the_catalogue(table):
    assert table.soundfont == "TimGM6mb.sf2"
    assert set(table.timbres) == set(CATALOGUE)
    raw = [e.lufs for e in table.timbres.values()]
    assert max(raw) - min(raw) > 10            # the font's own spread, which the table undoes


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_timbre_at_the_same_velocity_is_equally_loud_and_centred(name, table):
    timbre = CATALOGUE[name]
    played = render_note(FONT, timbre, table.timbre(name))          # what the synth applies
    assert lufs(played, RATE) == pytest.approx(table.target_lufs, abs=2.0)
    raw = render_note(FONT, timbre)
    if name in ("ocarina", "marimba", "brush_drums"):                    # the table did the work
        assert abs(lufs(raw, RATE) - table.target_lufs) > 2.0
    if not timbre.percussion:                  # a kit's stereo image is the kit's own
        assert abs(balance_db(render_range(FONT, timbre, table.timbre(name)))) <= 1.0


def test_the_synth_applies_the_table_when_a_timbre_is_selected(table):
    def level(name, levels="auto"):
        with Synth(FONT, ceiling_dbfs=None, levels=levels) as synth:
            synth.set_timbre(3, CATALOGUE[name])
            synth.note_on(3, 60, 100)
            held = synth.render_seconds(1.0)
            synth.note_off(3, 60)
            return lufs(np.concatenate([held, synth.render_seconds(1.0)]), synth.sample_rate)
    harp, marimba = level("harp"), level("marimba")
    assert abs(harp - marimba) <= 1.0
    assert level("harp", None) - level("marimba", None) > 6      # raw: the harp far louder
    with Synth(FONT, ceiling_dbfs=None) as synth:                  # harp then marimba on one
        synth.set_timbre(0, CATALOGUE["harp"])                     # channel: no pan is kept
        synth.set_timbre(0, CATALOGUE["marimba"])
        synth.note_on(0, 60, 100)
        assert abs(balance_db(synth.render_seconds(1.0))) < 0.3


def test_a_broken_or_foreign_table_is_refused_or_ignored(tmp_path, monkeypatch):
    bad = write(tmp_path / "bad.yaml", "timbres:\n  harp: {gain_db: 99}\n")
    with pytest.raises(ConfigError, match=r"timbres.harp.gain_db must be a number from -40"):
        read_levels(bad)
    font = tmp_path / "fonts" / "Other.sf2"
    write(font, "not really a font")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert find_levels(font) is None                              # no table: none applied
    write(tmp_path / "cfg" / "station" / "loudness" / "Other.yaml",
          "soundfont: Other.sf2\nsoundfont_bytes: 1\ntimbres: {harp: {gain_db: 3}}\n")
    assert find_levels(font) is None                              # measured on another file
    write(tmp_path / "cfg" / "station" / "loudness" / "Other.yaml",
          f"soundfont: Other.sf2\nsoundfont_bytes: {font.stat().st_size}\n"
          f"timbres: {{harp: {{gain_db: 3, pan: -20}}}}\n")
    assert find_levels(font).timbre("harp") == Level(3.0, -20.0)


def test_calibrate_writes_the_table_and_never_overwrites_what_it_did_not_write(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg")}

    def calibrate(*extra):
        return subprocess.run([*station_command(), "sound", "calibrate", "--soundfont",
                               str(FONT), *extra], capture_output=True, text=True, env=env,
                              timeout=300)
    theirs = write(tmp_path / "mine.yaml", "# the therapist's own notes\n")
    done = calibrate("--out", str(theirs))
    assert done.returncode != 0 and "was not written by 'station sound calibrate'" in \
        done.stderr and "Traceback" not in done.stderr
    assert theirs.read_text() == "# the therapist's own notes\n"
    out = tmp_path / "table.yaml"
    done = calibrate("--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith(MARK) and out.stat().st_mode & 0o777 == 0o600
    fresh, shipped = read_levels(out), find_levels(FONT)
    for name, level in shipped.timbres.items():       # the shipped table is today's measure
        assert fresh.timbre(name).gain_db == pytest.approx(level.gain_db, abs=0.3), name
    again = calibrate("--out", str(out))
    assert again.returncode != 0 and "--force" in again.stderr
