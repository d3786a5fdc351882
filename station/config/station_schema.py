"""The station config (``configs/station.yaml``): wiring, audio, limits. Definitions only.

Units: GPIO numbers are BCM numbers; board addresses are I2C addresses (written as hex
in YAML): 0x5A..0x5D for an MPR121, 0x28..0x2D for a CAP1188 (the chips and their
addresses come from the registry ``hardware.chips.CHIPS``); volumes 0..1; times in
milliseconds or seconds as named.
"""

from __future__ import annotations

from typing import Any

from hardware.chips import CHIPS, DEFAULT_CHIP, all_addresses
from station.config.clinic_schema import CLINIC
from station.config.panel_schema import PANEL
from station.core.logs import LOGGING
from station.core.schema import REQUIRED, Field
from station.interop.schema import MIDI, OSC
from station.turns.schema import TURNS

ADDRESSES = all_addresses()
GPIO: dict[str, Any] = dict(kind="integer", min=0, max=27)
NULL = Field("null")
MOST_ELECTRODES = max(c.electrodes for c in CHIPS.values())


def _address_check(value: int) -> str | None:
    if value not in ADDRESSES:
        return f"{value:#x} is not a touch board's address; " + "; ".join(
            f"{c.title}: " + ", ".join(f"0x{a:02X}" for a in c.addresses)
            for c in CHIPS.values()) + "."
    return None


def _finite(value: float) -> str | None:
    if value != value or value in (float("inf"), float("-inf")):
        return "must be a number of dBFS, not NaN or infinity."
    return None


CHIP_WORDS = ", ".join(f"{name} ({c.electrodes} pads, 0..{c.electrodes - 1})"
                       for name, c in CHIPS.items())
ADDRESS_WORDS = "; ".join(f"{c.a_title()}'s: " + ", ".join(f"0x{a:02X}" for a in c.addresses)
                          + f" ({c.address_pins_words()})" for c in CHIPS.values())

BOARD = Field("section", "One touch board.", fields={
    "chip": Field("choice", f"Its touch chip: {CHIP_WORDS}. A station may mix them.",
                  default=DEFAULT_CHIP, choices=tuple(CHIPS)),
    "address": Field("integer", f"I2C address, one of its chip's: {ADDRESS_WORDS}.",
                     default=REQUIRED, min=0x08, max=0x77),
    "irq_gpio": Field("one_of", "GPIO of the board's IRQ line (boards may share one). "
                      "null: poll this board.", options=(Field("integer", min=0, max=27),
                                                         NULL)),
})

PLAYER = Field("section", "One player position around the station.", fields={
    "player": Field("integer", "Player number, 1..6.", default=REQUIRED, min=1, max=6),
    "role": Field("choice", "client or therapist.", default="client",
                  choices=("client", "therapist")),
    "board": Field("one_of", "Address of the board whose electrodes are this player's pads; "
                   "null for a switch-only player.", default=None,
                   options=(Field("integer", check=_address_check), NULL)),
    "electrodes": Field("list", "Electrodes of that board used as pads, in pad order "
                        "(pad 1 first). Default: all of the board's chip's.",
                        default=lambda: list(range(MOST_ELECTRODES)),
                        item=Field("integer", min=0, max=MOST_ELECTRODES - 1),
                        max=MOST_ELECTRODES),
    "switch_gpio": Field("one_of", "GPIO of this player's own arcade button, played as one "
                         "more pad after the electrodes.", default=None,
                         options=(Field("integer", min=0, max=27), NULL)),
    "light_gpio": Field("one_of", "GPIO of this player's light (LED).", default=None,
                        options=(Field("integer", min=0, max=27), NULL)),
    "channel": Field("integer", "MIDI channel 1..16 (10 is the GM drum channel: avoid it "
                     "unless this player plays drums).", default=None, min=1, max=16),
    "client": Field("one_of", "Client id (profile file name without .yaml) seated here at "
                    "start.", default=None, options=(Field("string"), NULL)),
})

BUTTON_ROLES = ("next_turn", "all_quiet", "session", "next_client")

STATION = Field("section", "The station config.", fields={
    "name": Field("string", "A name for this station (written to the journal).",
                  default="station"),
    "soundfont": Field("one_of", "Path of the .sf2 soundfont; null: Debian's default GM font.",
                       default=None, options=(Field("string"), NULL)),
    "max_volume": Field("number", "Hard volume cap for every client and the therapist.",
                        default=0.8, min=0.0, max=1.0, units="0..1"),
    "audio": Field("section", "Real-time audio output (the daemon on a Pi).", fields={
        "driver": Field("choice", "FluidSynth audio driver. pipewire only if FluidSynth was "
                        "built with it (Debian 12's was not: use pulseaudio or jack there; the "
                        "station names the drivers it has).", default="alsa",
                        choices=("alsa", "pulseaudio", "pipewire", "jack", "file")),
        "device": Field("string", "Where the sound goes. alsa: the device (hw:CARD for the "
                        "lowest latency); pulseaudio: the sink; jack: the JACK server's name; "
                        "pipewire: not used; file: the WAV file. default: the driver's own "
                        "default.", default="default"),
        "sample_rate": Field("integer", "Sample rate.", default=48000, min=22050, max=96000,
                             units="Hz"),
        "period_size": Field("integer", "Frames per ALSA period.", default=64, min=64,
                             max=4096, units="frames"),
        "periods": Field("integer", "Number of ALSA periods.", default=3, min=2, max=16),
        "gain": Field("number", "FluidSynth master gain: how loud ordinary playing is. The "
                      "default puts a session of two players at about -21 dBFS RMS; the "
                      "ceiling still bounds the loudest moments.", default=2.5, min=0.0,
                      max=10.0),
        "ceiling_dbfs": Field("number", "The loudness ceiling: no sample the station plays "
                              "exceeds this level, whatever is played. A limiter on the "
                              "output turns the loudest moments down (it adds 0.75 ms of "
                              "latency). 0 dBFS is the output's full scale.",
                              default=-6.0, min=-30.0, max=0.0, units="dBFS",
                              check=_finite),
    }),
    "input": Field("section", "How pads are read.", fields={
        "mode": Field("choice", "irq: read a board when its IRQ line falls (fast, idle CPU "
                      "near zero); poll: read every poll_interval_ms.", default="irq",
                      choices=("irq", "poll")),
        "poll_interval_ms": Field("number", "Polling period, and how often offline boards are "
                                  "retried.", default=10.0, min=1.0, max=1000.0, units="ms"),
        "i2c_frequency": Field("integer", "I2C bus clock.", default=400_000, min=10_000,
                               max=1_000_000, units="Hz"),
    }),
    "boards": Field("list", "The touch boards (up to 4; each names its chip).",
                    default=REQUIRED, item=BOARD, max=4),
    "players": Field("list", "The player positions (1 to 6).", default=REQUIRED, item=PLAYER,
                     min=1, max=6),
    "buttons": Field("map", "Therapist buttons: role -> GPIO. Roles: "
                     + ", ".join(BUTTON_ROLES) + ".", default=dict,
                     key=Field("choice", choices=BUTTON_ROLES), item=Field(**GPIO)),
    "turns": TURNS,
    "clients_dir": Field("string", "Folder of client profiles, relative to this file.",
                         default="clients"),
    "plans_dir": Field("string", "Folder of session plans (docs/session-music.md), relative "
                       "to this file.", default="plans"),
    "backings_dir": Field("string", "Folder of backing patterns (docs/session-music.md), "
                          "relative to this file. Left out: the packaged configs/backings.",
                          default=None),
    "session_music": Field("section", "MIDI channels of the station's own music (backing and "
                           "echo, docs/session-music.md). No player may use them; channel 16 "
                           "is the start-up cue's.", fields={
        "backing_channel": Field("integer", "MIDI channel of the backing (drone, pulse, "
                                 "ostinato).", default=14, min=1, max=15),
        "pulse_layer_channel": Field("integer", "MIDI channel of a pulse voice's bass "
                                     "layer (voice: bass_click); 16 is shared with the "
                                     "start-up cue, which sounds only while the station "
                                     "starts.", default=16, min=1, max=16),
        "echo_channels": Field("list", "MIDI channels of the echo: the first for the first "
                               "player, and so on.", default=lambda: [7, 8, 9, 11, 12, 13],
                               item=Field("integer", min=1, max=15), min=1, max=6),
        "tablet_channel": Field("integer", "MIDI channel of the therapist's own pads on the "
                                "panel's Play screen (journaled as position 7, role "
                                "therapist).", default=15, min=1, max=15),
    }),
    "roster": Field("list", "Client ids the next_client button cycles through.",
                    default=list, item=Field("string")),
    "journal": Field("string", "SQLite journal file (relative paths: to the working folder).",
                     default="out/station.db"),
    "session": Field("section", "When journal sessions start and end, and how long they are "
                     "kept.", fields={
        "auto_start": Field("boolean", "The first touch while no session is running starts "
                            "one (besides the session button and 'station session start').",
                            default=True),
        "idle_end_min": Field("one_of", "End the session after this many minutes without a "
                              "touch; null: only the button or the CLI ends it.", default=15.0,
                              options=(Field("number", min=0.5, max=24 * 60, units="min"),
                                       NULL)),
        "resume_window_min": Field("number", "After a restart (the service restarted, a "
                                   "crash, a power cut) within this many minutes, the same "
                                   "session goes on: same clients, plan phase, turns and "
                                   "backing; later, the old session is closed at its last "
                                   "event and the station starts fresh. 0: never resume.",
                                   default=10.0, min=0, max=24 * 60, units="min"),
        "retention_days": Field("one_of", "Delete sessions older than this many days (at "
                                "start and at each new session); null: keep them.",
                                default=None, options=(Field("number", min=1, max=36500,
                                                             units="days"), NULL)),
    }),
    "control_socket": Field("one_of", "Unix socket for the station CLI; null: "
                            "$RUNTIME_DIRECTORY/station.sock (the service), "
                            "/run/station/station.sock (the config in /etc/station), "
                            "$XDG_RUNTIME_DIR/station.sock or "
                            "/tmp/station-$UID/station.sock (a private folder).",
                            default=None, options=(Field("string"), NULL)),
    "logging": LOGGING,
    "midi": MIDI,
    "osc": OSC,
    "daemon": Field("section", "The headless service: start-up cues, fault limits, watchdog.",
                    fields={
        "stuck_limit_s": Field("number", "A pad touched without a break for this long is "
                               "taken as stuck (a hand resting, a wet pad, a fault): its note "
                               "is released and the pad recalibrated. 0: never.",
                               default=120.0, min=0.0, max=3600.0, units="s"),
        "hands_off_s": Field("number", "How long the 'hands off' cue lasts at start-up before "
                             "the pads are calibrated.", default=1.5, min=0.0, max=10.0,
                             units="s"),
        "chime": Field("boolean", "Play the 'hands off' cue and the ready chime at start-up "
                       "(the only feedback a station without a screen gives).", default=True),
        "chime_volume": Field("number", "Loudness of the start-up cues (also capped by "
                              "max_volume).", default=0.4, min=0.0, max=1.0, units="0..1"),
        "stall_limit_s": Field("number", "If the engine loop stops answering this long, the "
                               "station silences every note, saves the journal and exits so "
                               "systemd restarts it.", default=10.0, min=1.0, max=300.0,
                               units="s"),
        "audio_retry_max_s": Field("number", "Longest wait between attempts to reopen a failed "
                                   "audio device (waits double from 1 s up to this).",
                                   default=30.0, min=1.0, max=600.0, units="s"),
        "realtime_priority": Field("integer", "SCHED_FIFO priority of the engine thread (the "
                                   "touch-to-sound path), below FluidSynth's audio thread (60). "
                                   "Needs LimitRTPRIO (the service unit sets it); without it the "
                                   "station says so and runs at normal priority. 0: off.",
                                   default=40, min=0, max=89),
    }),
    "panel": PANEL,
    "clinic": CLINIC,
})
