"""Same-run ratios: the figures two machines can compare (issue 28).

Absolute latencies measure the machine as much as the station: a quiet PC of the
project's kind gave figures several-fold from another of the same kind, and a Pi
differs more. A ratio of two figures taken in the same run, under the same noise,
cancels most of that. ``ratios(r)`` derives them from the results (``ratio_*`` keys;
``None`` when a figure it needs was not measured):

* ``ratio_polling_over_irq_p50``/``_p99``: 10 ms polling's latency over the IRQ
  pipeline's (higher is better); ``ratio_pipeline_p99_over_p50``: the IRQ tail;
* ``ratio_48pads_last_over_1pad_p99``: edge -> the 48th note of a 48-pad burst over
  edge -> a single pad's note, at p99;
* ``ratio_e2e_polling_over_irq_p50``/``_p99``: the same at the speaker (JACK, period
  64), raw and over xrun-free windows only (``_clean``);
* ``ratio_render_over_bare``: the station's offline render speed over FluidSynth's
  own for the same notes (``bench.breakdown.bare_render_x``);
* ``ratio_event_over_noteon``: the station's CPU per raw event in the tremor storm over
  one bare ``note_on`` call (``bench.breakdown.bare_noteon_us``): how many note calls'
  worth of work one touch or release costs;
* ``ratio_noise_p99_over_p50``: the noise probe's own tail at the start: near 1 on a
  quiet machine; the other tails are to be read against it.
"""

from __future__ import annotations

PAIRS = (
    # (key, numerator, denominator)
    ("ratio_polling_over_irq_p50", "polling_p50_ms", "pipeline_p50_ms"),
    ("ratio_polling_over_irq_p99", "polling_p99_ms", "pipeline_p99_ms"),
    ("ratio_pipeline_p99_over_p50", "pipeline_p99_ms", "pipeline_p50_ms"),
    ("ratio_48pads_last_over_1pad_p99", "pipeline_48pads_last_p99_ms", "pipeline_p99_ms"),
    ("ratio_e2e_polling_over_irq_p50", "e2e_polling_p50_ms", "e2e_p50_ms"),
    ("ratio_e2e_polling_over_irq_p99", "e2e_polling_p99_ms", "e2e_p99_ms"),
    ("ratio_e2e_clean_polling_over_irq_p99", "e2e_clean_polling_p99_ms", "e2e_clean_p99_ms"),
    ("ratio_e2e_48pads_last_over_1pad_p99", "e2e_48pads_last_p99_ms", "e2e_p99_ms"),
    ("ratio_render_over_bare", "render_x_realtime", "bare_render_x_realtime"),
    ("ratio_event_over_noteon", "storm_us_per_event", "bare_noteon_us"),
    ("ratio_noise_p99_over_p50", "noise_start_p99_ms", "noise_start_p50_ms"),
)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and value == value and value != 0


def ratios(r: dict) -> dict:
    """Every ``ratio_*`` key of ``PAIRS`` whose two figures were measured, else None."""
    out: dict = {}
    for key, top, bottom in PAIRS:
        a, b = r.get(top), r.get(bottom)
        out[key] = a / b if _number(a) and _number(b) else None
    return out


def table_lines(r: dict) -> list[str]:
    """The RATIOS block, printed first: what to compare between machines."""
    def f(key: str) -> str:
        v = r.get(key)
        return "n/a" if v is None else f"x{v:.2f}"
    return [
        "  RATIOS, same run (compare these between machines; docs/performance.md)",
        f"  polling / IRQ, pipeline: p50 {f('ratio_polling_over_irq_p50')}, p99 "
        f"{f('ratio_polling_over_irq_p99')}; IRQ p99 / p50 {f('ratio_pipeline_p99_over_p50')}"
        f"; 48-pad last / 1 pad at p99 {f('ratio_48pads_last_over_1pad_p99')}",
        f"  at the speaker: polling / IRQ p50 {f('ratio_e2e_polling_over_irq_p50')}, p99 "
        f"{f('ratio_e2e_polling_over_irq_p99')} (xrun-free windows: "
        f"{f('ratio_e2e_clean_polling_over_irq_p99')}); 48-pad last / 1 pad p99 "
        f"{f('ratio_e2e_48pads_last_over_1pad_p99')}",
        f"  render / bare FluidSynth {f('ratio_render_over_bare')}; storm CPU per raw event "
        f"/ one bare note_on {f('ratio_event_over_noteon')}; noise probe p99 / p50 "
        f"{f('ratio_noise_p99_over_p50')}",
        ""]
