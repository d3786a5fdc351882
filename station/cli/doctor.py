"""``station doctor`` (is this Pi set up?) and ``station audio-test`` (play a scale)."""

from __future__ import annotations

import sys
import time

SCALE = (60, 62, 64, 65, 67, 69, 71, 72)      # C major, C4..C5


def register(sub) -> None:
    p = sub.add_parser("doctor", help="check this machine's set-up (I2C, groups, soundfont, "
                       "sound card, config) and say how to fix each problem")
    p.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example)")
    p.add_argument("--user", help="the user the station runs as (default: 'station' if it "
                   "exists, else you)")
    p.set_defaults(func=doctor)
    a = sub.add_parser("audio-test", help="play a short scale on the configured audio device "
                       "and report its latency")
    a.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example)")
    a.add_argument("--driver", help="override audio.driver (alsa, file, ...)")
    a.add_argument("--device", help="override audio.device (e.g. hw:0; a file for 'file')")
    a.add_argument("--note-ms", type=int, default=250, help="length of each note (ms)")
    a.set_defaults(func=audio_test)


def doctor(args) -> int:
    from station.service.doctor import Machine, check_all, report
    text, code = report(check_all(args.config, Machine(user=args.user)))
    print(text)
    return code


def audio_test(args) -> int:
    from station.config.station import load_config
    from station.core.errors import AudioError
    from station.sound.audio_guard import device_problem
    from station.sound.fluid_settings import AudioSettings
    from station.sound.limiter import LOOKAHEAD_S
    from station.sound.soundfont import find_soundfont
    from station.sound.synth import Synth
    from station.sound.timbres import Timbre

    config = load_config(args.config)
    a = dict(config.audio)
    a["driver"] = args.driver or a["driver"]
    a["device"] = args.device or a["device"]
    settings = AudioSettings(driver=a["driver"], device=a["device"],
                             period_size=a["period_size"], periods=a["periods"],
                             sample_rate=a["sample_rate"])
    print(f"Audio: {settings.driver} device '{settings.device}', {settings.periods} periods x "
          f"{settings.period_size} frames at {settings.sample_rate} Hz = "
          f"{settings.latency_ms:.1f} ms of buffering (configured latency).")
    print(f"Loudness ceiling: {a['ceiling_dbfs']:g} dBFS; its limiter adds "
          f"{LOOKAHEAD_S * 1000:g} ms.")
    problem = device_problem(settings.driver, settings.device)
    if problem:
        raise AudioError(f"cannot play: {problem}. Connect a sound card (check 'aplay -l'), "
                         f"then set audio.device in {config.path}.")
    soundfont = find_soundfont(config.soundfont)
    velocity = max(1, int(127 * min(0.6, config.max_volume)))
    with Synth(soundfont, gain=a["gain"], audio=settings,
               ceiling_dbfs=a["ceiling_dbfs"]) as synth:
        synth.set_timbre(0, Timbre("piano", 0, 0))
        for note in SCALE:
            synth.note_on(0, note, velocity)
            time.sleep(args.note_ms / 1000)
            synth.note_off(0, note)
        time.sleep(0.3)                                  # let the last note ring out
    print(f"Played a C major scale ({len(SCALE)} notes). If you heard nothing, check the "
          f"speaker and its volume, then 'station doctor'.")
    sys.stdout.flush()
    return 0
