"""``station doctor`` on this machine (not a Pi: said plainly) and on a prepared Pi 5
file tree; ``station audio-test`` without a sound card (exit 5) and on the file driver."""

import subprocess

import numpy as np
from conftest import CONFIGS, station_command

from station.service.doctor import Machine, check_all, report
from station.sound.analysis import fundamental_hz, midi_to_hz


def station(*args, env=None):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=60)


def test_doctor_off_a_pi_says_so_and_does_not_crash(station_env):
    r = station("doctor", env=station_env)
    assert "not a Raspberry Pi" in r.stdout and "Traceback" not in r.stderr + r.stdout
    assert "ok    config:" in r.stdout and "soundfont" in r.stdout
    assert r.returncode == (1 if "FIX" in r.stdout else 0)


def pi_tree(tmp_path, model="Raspberry Pi 5 Model B Rev 1.0", i2c=True, card=True):
    (tmp_path / "proc" / "device-tree").mkdir(parents=True)
    (tmp_path / "proc" / "device-tree" / "model").write_bytes(model.encode() + b"\0")
    (tmp_path / "dev").mkdir()
    if i2c:
        (tmp_path / "dev" / "i2c-1").touch()
    asound = tmp_path / "proc" / "asound"
    asound.mkdir()
    (asound / "cards").write_text(" 0 [Device]: USB-Audio - USB Audio Device\n" if card
                                  else "--- no soundcards ---\n")
    return tmp_path


def test_doctor_on_a_well_set_up_pi_5_is_happy(tmp_path):
    m = Machine(root=pi_tree(tmp_path), groups=lambda u: {"station", "gpio", "i2c", "audio"},
                find_module=lambda name: True, user="station")
    text, code = report(check_all(CONFIGS / "station.yaml", m))
    assert code == 0, text
    assert "Raspberry Pi 5" in text and "lgpio is installed" in text
    assert "Everything needed is in place." in text


def test_doctor_names_each_problem_and_its_fix(tmp_path):
    m = Machine(root=pi_tree(tmp_path, i2c=False, card=False),
                groups=lambda u: {"station", "audio"},
                find_module=lambda name: name not in ("lgpio", "board"), user="station")
    checks = {c.name: c for c in check_all(CONFIGS / "station.yaml", m)}
    text, code = report(list(checks.values()))
    assert code == 1 and "5 problem(s)" in text
    assert "raspi-config nonint do_i2c 0" in checks["i2c"].fix
    assert "gpio, i2c" in checks["groups"].found and "usermod -aG gpio,i2c station" in \
        checks["groups"].fix
    assert "no sound card" in checks["audio device"].found
    assert "RPi.GPIO does not work" in checks["lgpio"].found and "python3-lgpio" in \
        checks["lgpio"].fix
    assert not checks["blinka"].ok


def test_doctor_reports_a_bad_config(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("boards: []\nplayers: [{player: 1, board: 0x5A}]\ndaemon: {stuck_limt_s: 3}\n")
    checks = {c.name: c for c in check_all(bad, Machine(root=tmp_path))}
    assert not checks["config"].ok and "stuck_limit_s" in checks["config"].found


def test_audio_test_without_a_sound_card_says_so_with_exit_5(station_env):
    r = station("audio-test", "--device", "hw:9", env=station_env)
    assert r.returncode == 5, r.stderr
    assert "cannot play" in r.stderr and ("no sound card" in r.stderr or "'9'" in r.stderr)
    assert "4.0 ms" in r.stdout and "Traceback" not in r.stderr


def test_audio_test_plays_a_scale_through_the_file_driver(tmp_path, station_env):
    out = tmp_path / "scale.raw"
    r = station("audio-test", "--driver", "file", "--device", str(out), "--note-ms", "150",
                env=station_env)
    assert r.returncode == 0, r.stderr
    assert "3 periods x 64 frames at 48000 Hz = 4.0 ms" in r.stdout
    assert "Loudness ceiling: -6 dBFS; its limiter adds 0.75 ms." in r.stdout
    pcm = np.frombuffer(out.read_bytes(), dtype=np.int16).reshape(-1, 2)
    start = int(np.argmax(np.abs(pcm[:, 0]) > 200))     # the first note's onset
    first = pcm[start + 480:start + 480 + 4800]         # 0.1 s of it
    assert abs(fundamental_hz(first, 48000) / midi_to_hz(60) - 1) < 0.01   # C4
