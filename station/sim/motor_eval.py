"""How well each profile serves each motor pattern, through the real station.

Every pattern of ``station.sim.motor`` is played on the simulated station (the real engine,
the real MPR121 driver on the simulated chip, FluidSynth, a real journal file) in
virtual time, once with its matching example profile and once with the no-filter
profile. A note start on pad p at time t *hits* an intended touch on p whose span
contains t (each intended touch can be hit once); every other note start is spurious.

    hit rate      = intended touches that sounded / intended touches
    spurious rate = note starts that were not an intended touch / note starts

The chips are not ideal: every pad carries ``NOISE`` (1.5 counts of data noise) and
``DRIFT`` (a slow drift of up to 20 counts over about 5 minutes), seeded per run, as a
real room would give them (``hardware.chip.electrode``).

``python -m station.sim.motor_eval`` prints the table and rewrites the one in
docs/accessibility.md (a test checks that the committed table is current).
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from station.config.station import load_config
from station.core.clock import VirtualClock
from station.core.events import NOTE_ON
from station.core.paths import CONFIGS, DOCS
from station.sim.motor import PATTERNS, Pattern

CLIENTS = CONFIGS / "clients"
MATCHING = {"tremor": "ex-tremor", "brushing": "ex-brushing", "resting": "ex-resting",
            "spastic": "ex-spastic", "double_tap": "ex-double-tap"}
BASELINE = "ex-no-filter"
SEEDS = (1, 2, 3)
DOC = DOCS / "accessibility.md"
TABLE_START = "<!-- generated: python -m station.sim.motor_eval -->"
TABLE_END = "<!-- end of generated table -->"
PLAYER, BOARD = 1, 0x5A
RATE = 22_050      # audio is rendered (FluidSynth acts on note events only as it renders)
NOISE = 1.5        # counts (standard deviation of the filtered data)
DRIFT = (20.0, 300.0)   # counts, seconds


class Rig:
    """A simulated station in virtual time: ``at(t)`` runs timers and polls up to t."""

    def __init__(self, out_dir: Path, clients: dict[int, str] | None = None,
                 config_path: Path | None = None, physics: dict | None = None) -> None:
        """``physics``: SimulatedHardware's ``noise``/``drift`` (none: ideal chips)."""
        from hardware.mock import use_mock_pins
        from hardware.sim import SimulatedHardware
        from station.engine.runtime import Station
        from station.engine.wiring import hardware_spec
        from station.journal.writer import Journal
        from station.sound.soundfont import find_soundfont
        from station.sound.synth import Synth
        use_mock_pins()
        self.config = load_config(config_path)
        self.clock = VirtualClock()
        self.events: list = []

        def make(emit):
            self.world = SimulatedHardware(hardware_spec(self.config), emit=emit,
                                           clock=self.clock, **(physics or {}))
            return self.world
        self.synth = synth = Synth(find_soundfont(self.config.soundfont), sample_rate=RATE)
        self._frames = 0
        self.station = Station(self.config, synth=synth, clock=self.clock,
                               journal=Journal(Path(out_dir) / "station.db"),
                               hardware_factory=make, clients=clients or {})
        self.station.engine.add_listener("motor_eval", self.events.append)
        self.station.start()

    def at(self, t_ns: int) -> None:
        """Advance virtual time to ``t_ns``, running every timer and poll on the way."""
        st = self.station
        while (due := st.next_wakeup()) <= t_ns:
            self._goto(max(due, self.clock.now_ns()))
            st.step(self.clock.now_ns())
        self._goto(max(t_ns, self.clock.now_ns()))
        st.drain()

    def _goto(self, t_ns: int) -> None:
        target = t_ns * RATE // 1_000_000_000
        if target > self._frames:
            self.synth.render(target - self._frames)
            self._frames = target
        self.clock.set(t_ns)

    def close(self) -> None:
        self.station.close()


@dataclass(frozen=True)
class Score:
    intended: int
    hits: int
    notes: int
    spurious: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.intended if self.intended else 1.0

    @property
    def spurious_rate(self) -> float:
        return self.spurious / self.notes if self.notes else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.intended + other.intended, self.hits + other.hits,
                     self.notes + other.notes, self.spurious + other.spurious)


def physics(seed: int) -> dict:
    """The room's noise and drift for one run (``seed``: the pattern's)."""
    from hardware.chip.electrode import Drift, Noise
    return {"noise": Noise(NOISE, seed), "drift": Drift(*DRIFT, seed=seed)}


def play(pattern: Pattern, client: str | Path, out_dir: Path, seed: int = 0) -> Score:
    """Play ``pattern`` on player 1 with ``client`` seated at ``pattern.swap_ns``, on
    chips with the noise and drift of ``physics(seed)``."""
    client = str(CLIENTS / f"{client}.yaml") if "/" not in str(client) else str(client)
    rig = Rig(out_dir, clients={PLAYER: None if pattern.swap_ns else client},
              physics=physics(seed))
    electrodes = rig.config.player(PLAYER).electrodes
    try:
        seated = not pattern.swap_ns
        for t, kind, pad, strength in pattern.actions():
            if not seated and t >= pattern.swap_ns:
                rig.at(pattern.swap_ns)
                rig.station.use_client(PLAYER, client)
                seated = True
            rig.at(t)
            if kind == "touch":
                rig.world.touch(BOARD, electrodes[pad], strength)
            else:
                rig.world.release(BOARD, electrodes[pad])
            rig.station.drain()
        rig.at(pattern.end_ns)
    finally:
        rig.close()
    starts = sorted({(e.t_ns, e.pad) for e in rig.events
                     if e.kind == NOTE_ON and e.player == PLAYER and e.t_ns >= pattern.swap_ns})
    return score(pattern, starts)


def score(pattern: Pattern, starts: list[tuple[int, int]]) -> Score:
    """Match note starts (t_ns, pad) to intended touches (see the module docstring)."""
    open_touches = list(pattern.intended)
    hits = 0
    for t, pad in starts:
        for c in open_touches:
            if c.pad == pad and c.t0 <= t <= c.t1:
                open_touches.remove(c)
                hits += 1
                break
    return Score(len(pattern.intended), hits, len(starts), len(starts) - hits)


def evaluate(seeds=SEEDS, n: int = 60, names=None) -> dict[str, tuple[Score, Score]]:
    """pattern -> (matching profile's score, no-filter score), summed over ``seeds``."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="motor-eval-") as tmp:
        for name in names or PATTERNS:
            matched = baseline = Score(0, 0, 0, 0)
            for seed in seeds:
                pattern = PATTERNS[name](random.Random(seed), n)
                matched += play(pattern, MATCHING[name], Path(tmp) / f"{name}-{seed}-m", seed)
                baseline += play(pattern, BASELINE, Path(tmp) / f"{name}-{seed}-b", seed)
            results[name] = (matched, baseline)
    return results


def table(results: dict[str, tuple[Score, Score]]) -> str:
    rows = ["| pattern | profile | intended touches | hit rate | spurious notes | "
            "no-filter hit rate | no-filter spurious |", "|---|---|---|---|---|---|---|"]
    for name, (m, b) in results.items():
        rows.append(f"| {name} | `{MATCHING[name]}` | {m.intended} | {m.hit_rate:.1%} | "
                    f"{m.spurious_rate:.1%} ({m.spurious}/{m.notes}) | {b.hit_rate:.1%} | "
                    f"{b.spurious_rate:.1%} ({b.spurious}/{b.notes}) |")
    return "\n".join(rows)


def render_doc(current: str, text: str) -> str:
    start, end = current.index(TABLE_START), current.index(TABLE_END)
    return current[:start + len(TABLE_START)] + "\n" + text + "\n" + current[end:]


def main() -> int:
    text = table(evaluate())
    print(text)
    DOC.write_text(render_doc(DOC.read_text(), text))
    print(f"\nupdated {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
