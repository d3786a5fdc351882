"""End to end: from the IRQ line falling to the first sound frame leaving FluidSynth on JACK.

The stack is the shipped one: the real ``Daemon`` (as in ``bench.rig``: its loop in
this process's main thread, a driver thread playing gpiozero's edge thread), the
simulated MPR121s and the real ``adafruit_mpr121`` driver, and the real FluidSynth
playing through its real ``jack`` driver into a JACK server on the dummy backend
(``bench.jack.JackServer``, started and stopped here). What leaves the station's JACK
ports is recorded by a capture client in a process of its own (``bench.listen``).

* Start: the IRQ line's mock pin ``drive_low`` (``rig.stamp_edges``) in this process;
  in polling mode (no IRQ line) the moment the world touches the chip.
* End: the first frame of the recording above ``bench.jack.SILENCE`` after the start
  (``bench.onsets``), its time = the capture block's monotonic stamp + offset / rate. The audio
  must be silent for ``QUIET_NS`` before the start (the previous tail has died), otherwise the
  sample is dropped and counted.
* 48 pads at once: the first note is found in the audio as above; the 48th note sounds
  in the block that followed its ``note_on`` (stamped in this process), so the last
  note's time = the first note's sound + the capture blocks between the first and the
  48th ``note_on`` (FluidSynth starts every note at a block start).

The clients seated for this run play one note (``NOTE`` in ``TIMBRE``: a 0.4 ms attack,
an 80 ms release tail) on every pad, so the timbre adds the same constant to every
sample and the spread is the station's and the machine's. XRuns are those jackd logged
while the configuration ran. All figures are ms; stamps are CLOCK_MONOTONIC ns.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

from bench.jack import JackServer
from bench.listen import Listener
from bench.onsets import attack_ms, burst_last, latencies, xrun_free_latencies
from bench.rig import barrier, run_daemon, stamp_edges, write_config

PERIODS = (64, 128)               # JACK periods measured (frames at 48 kHz)
TIMBRE, NOTE = "harmonica", "C4"   # attack 21 frames to SILENCE, tail ~80 ms at velocity 101
ELECTRODES = 12
WARMUP = 5
HOLD_S = 0.012          # a short tap
GAP_S = (0.09, 0.1)     # lift -> next touch: the release tail dies, then a random phase
BURST_GAP_S = (0.16, 0.175)


def bench_profile() -> str:
    notes = ", ".join([NOTE] * ELECTRODES)
    return (f"name: Bench\nsound: {{timbre: {TIMBRE}, volume: 1.0}}\n"
            f"music: {{mode: notes, notes: [{notes}]}}\n")


def e2e_config(folder: Path, server: str, period: int, mode: str,
               daemon: dict | None = None) -> Path:
    """``rig.write_config`` (4 boards on one IRQ line, as shipped) with FluidSynth on the
    JACK server ``server`` at ``period`` frames, and the bench profile seated.
    ``daemon``: keys of the ``daemon:`` section to set (e.g. realtime_priority: 0)."""
    import yaml
    path = write_config(folder, mode=mode, quick_start=True)
    raw = yaml.safe_load(path.read_text())
    # gain 0.5 (the level these gaps were tuned at): the shipped 2.5 makes each release
    # tail ~14 dB louder and longer than GAP_S, so onsets would not start from silence.
    # Gain changes level, not timing; the limiter's look-ahead is in the path either way.
    raw["audio"].update(driver="jack", device=server, period_size=period, periods=2, gain=0.5)
    raw["daemon"].update(daemon or {})
    for p in raw["players"]:
        (Path(raw["clients_dir"]) / f"{p['client']}.yaml").write_text(bench_profile())
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _touches(n: int, seed: int, mode: str, seconds: float, server: str, box: dict):
    """A driver for ``run_daemon``: ``n`` single touches; the recording goes to ``box``."""
    def driver(daemon, timed, world):
        rng = random.Random(seed)
        stamps = stamp_edges(world) if mode == "irq" else None
        boards = world.boards
        listener = Listener(server, "station", seconds)
        starts, notes, no_edge = [], [], 0
        try:
            time.sleep(0.2)
            for i in range(n + WARMUP):
                address, e = boards[i % len(boards)], rng.randrange(ELECTRODES)
                timed.expect(1)
                k = len(stamps) if stamps is not None else 0
                world.touch(address, e)
                # the chip sees the hand at its next sample (<= 1 ms): IRQ falls then; a
                # polled station can only find it after that too, so both start there
                seen = world.chip(address).next_deadline()
                if not timed.reached.wait(5):
                    raise TimeoutError("no note-on within 5 s of a touch")
                if stamps is not None and k >= len(stamps):
                    start = None    # no edge stamped (the line fell before the wrapper saw
                else:               # it, on a loaded machine): not a measurable touch
                    start = stamps[k] if stamps is not None else (seen or time.perf_counter_ns())
                if i >= WARMUP and start is None:
                    no_edge += 1
                elif i >= WARMUP:
                    starts.append(start)
                    notes.append(timed.on_ns[-1])
                time.sleep(HOLD_S)
                world.release(address, e)
                barrier(daemon)
                time.sleep(rng.uniform(*GAP_S))
        finally:
            box["rec"] = listener.stop()
        return {"starts": starts, "notes": notes, "no_edge": no_edge}
    return driver


def _bursts(reps: int, seed: int, seconds: float, server: str, box: dict):
    """A driver: ``reps`` times every pad of every board within one chip sample."""
    def driver(daemon, timed, world):
        rng = random.Random(seed)
        stamps = stamp_edges(world)
        pads = [(a, e) for a in world.boards for e in range(ELECTRODES)]
        listener = Listener(server, "station", seconds)
        out = {"starts": [], "first": [], "last": [], "pads": len(pads)}
        try:
            time.sleep(0.2)
            for r in range(reps + 2):
                timed.expect(len(pads))
                k, m = len(stamps), len(timed.on_ns)
                with world.at_once():
                    for a, e in pads:
                        world.touch(a, e)
                if not timed.reached.wait(5):
                    raise TimeoutError("not every note of a burst sounded within 5 s")
                if r >= 2:
                    on = timed.on_ns[m:m + len(pads)]
                    out["starts"].append(stamps[k])
                    out["first"].append(min(on))
                    out["last"].append(max(on))
                time.sleep(HOLD_S)
                with world.at_once():
                    for a, e in pads:
                        world.release(a, e)
                barrier(daemon)
                time.sleep(rng.uniform(*BURST_GAP_S))
        finally:
            box["rec"] = listener.stop()
        return out
    return driver


def start_server(period: int) -> tuple[JackServer, bool]:
    """jackd -d dummy at ``period``: SCHED_FIFO if this machine allows it, else not."""
    try:
        return JackServer(period=period, realtime=True).start(), True
    except RuntimeError:
        return JackServer(period=period, realtime=False).start(), False


def measure_period(tmp: Path, period: int, *, touches: int, bursts: int,
                   polling: int, seed: int = 17, daemon: dict | None = None) -> dict:
    """Every e2e figure for one JACK period: IRQ single touches, 48-pad bursts, polling."""
    server, rt = start_server(period)
    out: dict = {"period": period, "jack_realtime": rt}
    try:
        spacing = HOLD_S + GAP_S[1] + 0.01
        irq = e2e_config(tmp / f"e2e-irq-{period}", server.name, period, "irq", daemon)
        box: dict = {}
        run = run_daemon(irq, _touches(touches, seed, "irq", (touches + WARMUP) * spacing + 5,
                                       server.name, box))
        out["single"], out["single_dropped"] = latencies(box["rec"], run["starts"])
        out["single_dropped"] += run["no_edge"]
        out["single_clean"] = xrun_free_latencies(box["rec"], run["starts"])
        out["single_note_on"] = [n - s for s, n in zip(run["starts"], run["notes"])]
        b_spacing = HOLD_S + BURST_GAP_S[1] + 0.02
        run = run_daemon(irq, _bursts(bursts, seed, (bursts + 2) * b_spacing + 5, server.name,
                                      box))
        out["burst_first"], out["burst_last"], out["burst_dropped"] = burst_last(box["rec"], run)
        out["burst_last_note_on"] = [b - s for s, b in zip(run["starts"], run["last"])]
        out["xruns"] = server.xruns()
        poll = e2e_config(tmp / f"e2e-poll-{period}", server.name, period, "poll", daemon)
        run = run_daemon(poll, _touches(polling, seed + 1, "poll",
                                        (polling + WARMUP) * spacing + 5, server.name, box))
        out["polling"], out["polling_dropped"] = latencies(box["rec"], run["starts"])
        out["polling_clean"] = xrun_free_latencies(box["rec"], run["starts"])
        out["xruns_all"] = server.xruns()
    finally:
        server.stop()
    return out


def _clean(m: dict, x: str) -> dict:
    """The single-touch figures over xrun-free windows only, and how many touches kept."""
    from bench.stats import summary_ms
    irq, poll = summary_ms(m["single_clean"]), summary_ms(m["polling_clean"])
    return {f"e2e_clean_p50_ms{x}": irq["median"], f"e2e_clean_p99_ms{x}": irq["p99"],
            f"e2e_clean_max_ms{x}": irq["max"], f"e2e_clean_n{x}": irq["n"],
            f"e2e_clean_polling_p50_ms{x}": poll["median"],
            f"e2e_clean_polling_p99_ms{x}": poll["p99"],
            f"e2e_clean_polling_n{x}": poll["n"]}


def _suffix(period: int) -> str:
    return "" if period == PERIODS[0] else f"_p{period}"


def measure(tmp: Path, *, touches: int, bursts: int, polling: int, probe: int) -> dict:
    """The e2e section of ``results.json``: the issue's keys for period 64, the same with
    ``_p128`` for period 128, extras, and the machine-noise probe taken around it."""
    from bench import noise
    from bench.stats import summary_ms

    r: dict = {}
    before = noise.probe(probe)
    for period in PERIODS:
        m = measure_period(tmp, period, touches=touches, bursts=bursts, polling=polling)
        x = _suffix(period)
        single, poll = summary_ms(m["single"]), summary_ms(m["polling"])
        last, first = summary_ms(m["burst_last"]), summary_ms(m["burst_first"])
        note_on, last_on = summary_ms(m["single_note_on"]), summary_ms(m["burst_last_note_on"])
        r.update({
            f"e2e_p50_ms{x}": single["median"], f"e2e_p99_ms{x}": single["p99"],
            f"e2e_max_ms{x}": single["max"], f"e2e_jitter_ms{x}": single["jitter"],
            f"e2e_xruns{x}": m["xruns"], f"e2e_polling_p99_ms{x}": poll["p99"],
            f"e2e_48pads_last_p99_ms{x}": last["p99"], f"e2e_period_frames{x}": period,
            # extras: counts, medians, where the time goes
            f"e2e_n{x}": single["n"], f"e2e_dropped{x}": m["single_dropped"],
            f"e2e_min_ms{x}": single["min"],
            f"e2e_polling_p50_ms{x}": poll["median"], f"e2e_polling_max_ms{x}": poll["max"],
            f"e2e_polling_jitter_ms{x}": poll["jitter"], f"e2e_polling_n{x}": poll["n"],
            f"e2e_polling_over_irq_p99{x}": poll["p99"] / single["p99"],
            f"e2e_48pads_last_p50_ms{x}": last["median"], f"e2e_48pads_last_max_ms{x}": last["max"],
            f"e2e_48pads_first_p50_ms{x}": first["median"],
            f"e2e_48pads_first_p99_ms{x}": first["p99"],
            f"e2e_48pads_n{x}": last["n"],
            f"e2e_note_on_p50_ms{x}": note_on["median"], f"e2e_note_on_p99_ms{x}": note_on["p99"],
            f"e2e_48pads_last_note_on_p50_ms{x}": last_on["median"],
            f"e2e_48pads_last_note_on_p99_ms{x}": last_on["p99"],
            f"e2e_xruns_with_polling{x}": m["xruns_all"],
            f"e2e_jack_realtime{x}": int(m["jack_realtime"]),
            f"e2e_block_ms{x}": period / 48.0,
        })
        r.update(_clean(m, x))
    r["e2e_attack_ms"] = attack_ms(TIMBRE, NOTE)
    for period in PERIODS:      # what is left for the station once the block grid and the
        x = _suffix(period)     # timbre's attack are taken out (the floor is block + attack)
        r[f"e2e_above_floor_p99_ms{x}"] = (r[f"e2e_p99_ms{x}"] - r[f"e2e_block_ms{x}"]
                                           - r["e2e_attack_ms"])
    after = noise.probe(probe)
    for name, p in (("start", before), ("end", after)):
        s = p["probe"]
        r[f"e2e_noise_{name}_p50_ms"] = s["median"]
        r[f"e2e_noise_{name}_p99_ms"] = s["p99"]
        r[f"e2e_noise_{name}_load_avg"] = p["load_avg"]
    return r


def table_lines(r: dict) -> list[str]:
    """The e2e rows of the printed table."""
    from bench.stats import fmt_ms

    def row(label, p50, p99, mx, n):
        return (f"  {label:<44} {fmt_ms(p50):>8} {fmt_ms(p99):>8} {fmt_ms(mx):>8} "
                f"{fmt_ms(p99 - p50):>8}  n={n}")
    lines = ["", "  END TO END on JACK (dummy backend): IRQ edge -> first sound frame out",
             f"  {'(ms)':<44} {'median':>8} {'p99':>8} {'max':>8} {'jitter':>8}",
             f"  machine noise around it: fixed 0.05 ms task p50/p99 "
             f"{fmt_ms(r['e2e_noise_start_p50_ms'])}/{fmt_ms(r['e2e_noise_start_p99_ms'])} at "
             f"start, {fmt_ms(r['e2e_noise_end_p50_ms'])}/{fmt_ms(r['e2e_noise_end_p99_ms'])} "
             f"at the end; load {r['e2e_noise_start_load_avg']:.2f} -> "
             f"{r['e2e_noise_end_load_avg']:.2f}"]
    for period in PERIODS:
        x = _suffix(period)
        lines += [
            f"  period {period} frames ({r[f'e2e_block_ms{x}']:.2f} ms), jackd "
            f"{'SCHED_FIFO' if r[f'e2e_jack_realtime{x}'] else 'normal priority'}, "
            f"{r[f'e2e_xruns{x}']} xruns in the IRQ runs ({r[f'e2e_xruns_with_polling{x}']} "
            f"with polling)",
            row("  1 pad, IRQ", r[f"e2e_p50_ms{x}"], r[f"e2e_p99_ms{x}"], r[f"e2e_max_ms{x}"],
                r[f"e2e_n{x}"]),
            row("    ... edge -> note_on in the same run", r[f"e2e_note_on_p50_ms{x}"],
                r[f"e2e_note_on_p99_ms{x}"], math.nan, r[f"e2e_n{x}"]),
            row("  48 pads at once: the 48th note", r[f"e2e_48pads_last_p50_ms{x}"],
                r[f"e2e_48pads_last_p99_ms{x}"], r[f"e2e_48pads_last_max_ms{x}"],
                r[f"e2e_48pads_n{x}"]),
            row("    ... the first note", r[f"e2e_48pads_first_p50_ms{x}"],
                r[f"e2e_48pads_first_p99_ms{x}"], math.nan, r[f"e2e_48pads_n{x}"]),
            row("    ... edge -> the 48th note_on", r[f"e2e_48pads_last_note_on_p50_ms{x}"],
                r[f"e2e_48pads_last_note_on_p99_ms{x}"], math.nan, r[f"e2e_48pads_n{x}"]),
            row("  1 pad, polling every 10 ms", r[f"e2e_polling_p50_ms{x}"],
                r[f"e2e_polling_p99_ms{x}"], r[f"e2e_polling_max_ms{x}"],
                r[f"e2e_polling_n{x}"]),
            row("  1 pad, IRQ, xrun-free windows only", r[f"e2e_clean_p50_ms{x}"],
                r[f"e2e_clean_p99_ms{x}"], r[f"e2e_clean_max_ms{x}"], r[f"e2e_clean_n{x}"]),
            row("  1 pad, polling, xrun-free windows only", r[f"e2e_clean_polling_p50_ms{x}"],
                r[f"e2e_clean_polling_p99_ms{x}"], math.nan, r[f"e2e_clean_polling_n{x}"]),
            f"    polling / IRQ at p99: x{r[f'e2e_polling_over_irq_p99{x}']:.1f}; "
            f"{r[f'e2e_dropped{x}']} touches dropped (sound not silent before the edge); "
            f"p99 above the floor (block + {r['e2e_attack_ms']:.2f} ms attack): "
            f"{fmt_ms(r[f'e2e_above_floor_p99_ms{x}'])}",
        ]
    return lines
