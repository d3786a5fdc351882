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


def touch_boards(started=(0x5A, 0x5B, 0x5C, 0x5D), reset=(), overcurrent=(), shorted=()):
    """The packaged config's four boards as simulated MPR121s on a simulated bus, read
    through the doctor's register interface: ``started`` ones initialised as the running
    station does (hardware.chips.mpr121.MPR121: the driver, auto-configuration), ``reset`` ones
    just powered; ``overcurrent`` boards have their REXT pin shorted, ``shorted`` is
    [(board, electrode)] pads whose wire touches ground. Absent addresses do not answer."""
    from hardware.chips.mpr121 import MPR121 as Board
    from hardware.i2c_dev import BusRegisters
    from hardware.i2c_sim import SimI2C
    from hardware.mpr121_sim import SimMPR121
    from station.core.clock import VirtualClock
    clock, bus = VirtualClock(), SimI2C()
    chips = {}
    for address in (*started, *reset):
        chips[address] = chip = SimMPR121(clock=clock)
        bus.attach(address, chip)
        for board, e in shorted:
            if board == address:
                chip.short(e)
        if address in started:
            Board(bus, address).open()
    clock.advance(5_000_000)
    for address in overcurrent:
        chips[address].set_overcurrent()
    return BusRegisters(bus), chips


def pi(tmp_path, bus=None, **kw):
    defaults = dict(groups=lambda u: {"station", "gpio", "i2c", "audio"},
                    find_module=lambda name: True, user="station", env={},
                    open_i2c=lambda path: bus or touch_boards()[0],
                    try_import=lambda name: None, daemon_status=lambda config: None)
    root = pi_tree(tmp_path, **{k: kw.pop(k) for k in ("model", "i2c", "card") if k in kw})
    return Machine(root=root, **{**defaults, **kw})


def test_doctor_on_a_well_set_up_pi_5_is_happy(tmp_path):
    text, code = report(check_all(CONFIGS / "station.yaml", pi(tmp_path)))
    assert code == 0, text
    assert "Raspberry Pi 5" in text and "lgpio is installed" in text
    assert "board 0x5D answers (an MPR121, started by the station)" in text
    assert "Blinka's board module loads" in text and "'lgpio' pin factory" in text
    assert "Everything needed is in place." in text


def test_doctor_reads_each_board_and_names_what_is_wrong_with_it(tmp_path):
    bus, chips = touch_boards(started=(0x5C, 0x5D), reset=(0x5A,), overcurrent=(0x5C,),
                              shorted=[(0x5D, 7)])
    checks = {c.name: c for c in check_all(CONFIGS / "station.yaml", pi(tmp_path, bus))}
    assert checks["board 0x5A"].ok and "reset state" in checks["board 0x5A"].found
    assert "does not answer" in checks["board 0x5B"].found
    assert "ADDR to 3.3 V" in checks["board 0x5B"].fix
    assert "over-current" in checks["board 0x5C"].found
    assert "electrode(s) 7 out of range" in checks["board 0x5D"].found
    assert "short to ground" in checks["board 0x5D"].fix


def test_with_a_station_running_the_doctor_asks_it_and_leaves_its_interrupt_alone(tmp_path):
    bus, chips = touch_boards(overcurrent=(0x5B,))
    status = {"boards": {"0x5b": {"online": False, "last_fault": "board_overcurrent",
                                  "out_of_range": []},
                         "0x5c": {"online": True, "last_fault": None,
                                  "out_of_range": [{"electrode": 2, "player": 3, "pad": 2}]}}}
    reads = {a: c.status_reads for a, c in chips.items()}
    checks = {c.name: c for c in check_all(CONFIGS / "station.yaml",
                                           pi(tmp_path, bus, daemon_status=lambda cfg: status))}
    assert "over-current" in checks["board 0x5B"].found
    assert "electrode(s) 2 out of range" in checks["board 0x5C"].found
    assert checks["board 0x5A"].ok
    assert {a: c.status_reads for a, c in chips.items()} == reads   # IRQ untouched


def test_doctor_names_the_missing_gpiod_and_the_pin_library(tmp_path):
    m = pi(tmp_path, model="Raspberry Pi 4 Model B Rev 1.4",
           try_import=lambda name: "ModuleNotFoundError: No module named 'gpiod'",
           find_module=lambda name: name not in ("lgpio", "RPi.GPIO", "pigpio"))
    checks = {c.name: c for c in check_all(CONFIGS / "station.yaml", m)}
    assert "'gpiod' is missing" in checks["board module"].found
    assert "python3-libgpiod" in checks["board module"].fix
    assert not checks["pins"].ok and "cannot dim the lights" in checks["pins"].found
    assert "lgpio" not in checks                       # a Pi 4 does not need it
    m = pi(tmp_path / "b", model="Raspberry Pi 4 Model B", env={"GPIOZERO_PIN_FACTORY": "pigpio"})
    checks = {c.name: c for c in check_all(CONFIGS / "station.yaml", m)}
    assert "'pigpio' pin factory" in checks["pins"].found


def test_doctor_cannot_open_a_bus_it_may_not_use(tmp_path):
    import errno

    def denied(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    checks = {c.name: c for c in check_all(CONFIGS / "station.yaml",
                                           pi(tmp_path, open_i2c=denied))}
    assert "permission denied" in checks["i2c bus"].found
    assert "usermod -aG i2c" in checks["i2c bus"].fix


def test_doctor_names_each_problem_and_its_fix(tmp_path):
    m = pi(tmp_path, i2c=False, card=False, groups=lambda u: {"station", "audio"},
           find_module=lambda name: name not in ("lgpio", "board"))
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


def mixed_boards(cap_chip="cap1188", cap_started=True):
    """The mixed station's boards (configs/scenarios/mixed-station.yaml): an MPR121 at
    0x5A and, at 0x29, a CAP1188 (or, ``cap_chip="mpr121"``, the wrong chip; None: none),
    each started as the running station does, through its real driver."""
    from hardware.cap1188_sim import SimCAP1188
    from hardware.chips import chip_class
    from hardware.i2c_dev import BusRegisters
    from hardware.i2c_sim import SimI2C
    from hardware.mpr121_sim import SimMPR121
    from station.core.clock import VirtualClock
    clock, bus = VirtualClock(), SimI2C()
    bus.attach(0x5A, SimMPR121(clock=clock))
    chip_class("mpr121")(bus, 0x5A).open()
    if cap_chip == "cap1188":
        bus.attach(0x29, SimCAP1188(clock=clock))
        if cap_started:
            chip_class("cap1188")(bus, 0x29).open()
    elif cap_chip == "mpr121":
        bus.attach(0x29, SimMPR121(clock=clock))
    clock.advance(100_000_000)
    return BusRegisters(bus)


MIXED = CONFIGS / "scenarios" / "mixed-station.yaml"


def test_the_doctor_names_each_boards_chip(tmp_path):
    checks = {c.name: c for c in check_all(MIXED, pi(tmp_path, mixed_boards()))}
    assert checks["board 0x5A"].ok and checks["board 0x29"].ok
    assert checks["board 0x5A"].found == "board 0x5A answers (an MPR121, started by the station)"
    assert checks["board 0x29"].found == "board 0x29 answers (a CAP1188, started by the station)"
    reset = {c.name: c for c in check_all(MIXED, pi(tmp_path / "b",
                                                    mixed_boards(cap_started=False)))}
    assert reset["board 0x29"].found == "board 0x29 answers (a CAP1188, in its reset state)"


def test_the_doctor_says_when_a_board_is_not_the_chip_the_config_names(tmp_path):
    checks = {c.name: c for c in check_all(MIXED, pi(tmp_path, mixed_boards("mpr121")))}
    wrong = checks["board 0x29"]
    assert not wrong.ok and "answers but is not a CAP1188 as expected" in wrong.found
    assert "product ID 0x00" in wrong.found and "'chip:' under 'boards'" in wrong.fix
    gone = {c.name: c for c in check_all(MIXED, pi(tmp_path / "b",
                                                   mixed_boards(None)))}["board 0x29"]
    assert gone.found == "board 0x29 (CAP1188) does not answer on I2C bus 1"
    assert "AD unconnected" in gone.fix
