"""The printed table of ``python -m bench``: one block of rows per section.

A section that was not measured prints one row saying why (``bench.sections.lines``),
so a bench whose JACK server or daemon failed still prints every other figure.
"""

from __future__ import annotations

from bench import e2e, pulse
from bench.ratios import table_lines as ratio_lines
from bench.sections import lines
from bench.stats import fmt_ms


def _lat(r: dict, label: str, prefix: str) -> str:
    return (f"  {label:<44} {fmt_ms(r[prefix + '_p50_ms']):>8} {fmt_ms(r[prefix + '_p99_ms']):>8}"
            f" {fmt_ms(r[prefix + '_max_ms']):>8} {fmt_ms(r[prefix + '_jitter_ms']):>8}"
            f"  n={r[prefix + '_n']}")


def _latency(r: dict) -> list[str]:
    out = [f"  {'LATENCY (ms)':<44} {'median':>8} {'p99':>8} {'max':>8} {'jitter':>8}",
           _lat(r, "machine noise: fixed 0.05 ms task, at start", "noise_start")]
    if "noise_end_p50_ms" in r:
        out.append(_lat(r, "  ... at the end", "noise_end"))
    out += lines(r, "pipeline", lambda r: [
        _lat(r, "IRQ edge -> note-on, 1 pad (daemon threads)", "pipeline"),
        _lat(r, "  ... -> journal queued and lights set", "pipeline_sinks"),
        _lat(r, "  ... same code in one thread (no hand-off)", "pipeline_inline"),
        _lat(r, "  ... one IRQ line per board", "pipeline_separate_irq"),
        _lat(r, "IRQ edge -> note-on, 48 pads at once", "pipeline_48pads"),
        _lat(r, "  ... edge -> the 48th note", "pipeline_48pads_last"),
        f"  GC during the pipeline runs: {r['pipeline_gc_collections']} collections "
        f"({r['pipeline_gc_gen2_collections']} full), longest pause "
        f"{r['pipeline_gc_pause_max_ms']:.2f} ms; the daemon's planned one at start-up "
        f"{r['pipeline_gc_planned_max_ms']:.1f} ms (off the touch path)."])
    out += lines(r, "polling", lambda r: [
        _lat(r, "polling every 10 ms (usual approach)", "polling"),
        _lat(r, "  ... cost of one 48-pad scan", "polling_scan"),
        f"  polling / ours: p99 x{r['polling_over_pipeline_p99']:.1f}, median "
        f"x{r['polling_over_pipeline_p50']:.1f}, jitter "
        f"x{r['polling_over_pipeline_jitter']:.1f}"])
    end = r.get("noise_end_load_avg")
    out.append(f"  load average {r['noise_start_load_avg']:.2f} at start, "
               f"{'n/a' if end is None else f'{end:.2f}'} at the end. A noise p99 far above "
               f"its median means other processes took the CPU: the tails then show the "
               f"machine, not us.")
    return out


def _i2c(r: dict) -> list[str]:
    return [
        "", "  I2C (wire time modelled: 9 clocks/byte + start/stop; see bench/i2c.py)",
        f"  IRQ mode: {r['i2c_transactions_per_touch']:g} transactions, "
        f"{r['i2c_bytes_per_touch']:g} bytes per touch (shared IRQ line reads all 4 boards; "
        f"{r['i2c_transactions_per_touch_separate_irq']:g} with one line per board) = "
        f"{r['i2c_wire_ms_per_touch_400k']:.2f} ms at 400 kHz, "
        f"{r['i2c_wire_ms_per_touch_100k']:.2f} ms at 100 kHz",
        f"  IRQ mode idle: {r['irq_idle_i2c_transactions_per_s']:.0f} transactions/s "
        f"(lost-board heartbeat), bus {r['irq_idle_bus_busy_percent_100k']:.1f} % busy at "
        f"100 kHz",
        f"  polling: {r['polling_i2c_transactions_per_scan']:g} transactions per scan, "
        f"{r['polling_i2c_transactions_per_s']:.0f}/s; one scan is "
        f"{r['polling_scan_wire_ms_400k']:.2f} ms on the wire at 400 kHz "
        f"({r['polling_bus_busy_percent_400k']:.0f} % of the bus), "
        f"{r['polling_scan_wire_ms_100k']:.2f} ms at 100 kHz "
        f"({r['polling_bus_busy_percent_100k']:.0f} %: cannot keep 10 ms)"]


def _audio(r: dict) -> list[str]:
    return [
        "", "  AUDIO",
        f"  note-on -> first sound (offline, {r['audio_timbres']} timbres): median "
        f"{r['audio_onset_p50_frames']:.0f} frames ({r['audio_onset_p50_ms']:.2f} ms), max "
        f"{r['audio_onset_max_frames']:.0f} ({r['audio_onset_max_ms']:.2f} ms, "
        f"{r['_audio_onset_slowest']})",
        f"  configured buffer: {r['audio_periods']} x {r['audio_period_size']} frames at "
        f"{r['audio_sample_rate']} Hz = {r['audio_buffer_latency_ms']:.2f} ms; "
        f"render speed x{r['render_x_realtime']:.0f} real time",
        f"  output ceiling {r['limiter_ceiling_dbfs']:g} dBFS: the limiter adds "
        f"{r['limiter_added_latency_frames']} frames ({r['limiter_added_latency_ms']:.2f} ms"
        f", by onset); {r['limiter_cpu_percent_of_core']:.2f} % of a core "
        f"({r['limiter_us_per_64_frames']:.1f} us per 64-frame block); a busy mix renders "
        f"x{r['limiter_render_x_realtime']:.1f} with it, x"
        f"{r['limiter_bypassed_render_x_realtime']:.1f} without (ratio "
        f"{r['limiter_render_ratio']:.2f}); its peak {r['limiter_mix_peak_dbfs']:.2f} dBFS"]


def _storm(r: dict) -> list[str]:
    return [
        "", "  LOAD: tremor storm",
        f"  {r['storm_raw_events']} raw events in {r['storm_seconds_virtual']:g} s "
        f"(offered {r['storm_offered_events_per_s']:.0f}/s at x{r['storm_speed']:g}); capacity "
        f"{r['storm_events_per_s']:.0f} events/s of engine time (busy "
        f"{r['storm_engine_busy_percent']:.0f} %); journal queue high-water "
        f"{r['storm_queue_high_water']}; lost {r['storm_lost_events']} "
        f"({r['storm_journal_rows']} rows counted in SQLite)",
        f"  CPU per raw event: station {r['storm_us_per_event']:.0f} us (best second "
        f"{r['storm_us_per_event_best']:.0f}), simulated chips {r['storm_sim_us_per_event']:.0f}"
        f" us (simulation, not station); one bare note_on {r['bare_noteon_us']:.1f} us; "
        f"{r['storm_gc_collections']} GC passes, longest {r['storm_gc_pause_max_ms']:.2f} ms",
        f"  projected (bench/reference.py: n-body here {r['nbody_s_per_million']:.1f} s per "
        f"million steps): Pi 4 x{r['pi4_factor']:.1f} = {r['pi4_storm_us_per_event']:.0f} us "
        f"per event, {r['pi4_storm_core_percent_2x']:.0f} % of a core at 2x real time; Pi 5 "
        f"x{r['pi5_factor']:.1f} = {r['pi5_storm_us_per_event']:.0f} us, "
        f"{r['pi5_storm_core_percent_2x']:.0f} %"]


def _process(r: dict) -> list[str]:
    return [
        "", "  COST: station run --hardware sim --no-audio",
        f"  start-up to ready {r['startup_s']:.2f} s (socket answers after "
        f"{r['startup_socket_s']:.2f} s; includes the {r['startup_hands_off_s']:g} s "
        f"hands-off cue); RSS {r['rss_mb']:.1f} MB; idle CPU {r['idle_cpu_percent']:.2f} % "
        f"over {r['idle_window_s']:.0f} s"]


def _scale(r: dict) -> list[str]:
    out = ["", "  SCALE  players  pads  1-pad p50/p99 ms   all-pads p99/max ms   RSS MB"]
    for n in (1, 2, 3, 4):
        out.append(f"         {n:>7} {12 * n:>5}  {fmt_ms(r[f'scale_{n}p_pipeline_p50_ms']):>7}"
                   f" / {fmt_ms(r[f'scale_{n}p_pipeline_p99_ms']):<7}"
                   f"  {fmt_ms(r[f'scale_{n}p_all_pads_p99_ms']):>8} / "
                   f"{fmt_ms(r[f'scale_{n}p_all_pads_max_ms']):<8}  {r[f'scale_{n}p_rss_mb']:6.1f}")
    return out


def _budget(r: dict) -> list[str]:
    out = ["", "  PI BUDGET (modelled; docs/performance.md): touch -> sound "
           f"{r['budget_touch_to_sound_best_ms']:.1f}..{r['budget_touch_to_sound_worst_ms']:.1f}"
           f" ms + timbre attack (median {r['budget_attack_p50_ms']:.2f} ms); jitter "
           f"peak-to-peak {r['budget_jitter_peak_to_peak_ms']:.2f} ms, sd "
           f"{r['budget_jitter_sd_ms']:.2f} ms"]
    if r.get("budget_touch_to_speaker_p99_ms") is not None:
        out.append(f"  with the measured end to end (p99 {r['budget_measured_e2e_p99_ms']:.2f} "
                   f"ms, attack included) + 1 ms chip sample + the read on the wire + the "
                   f"card's buffer: touch -> speaker p99 "
                   f"{r['budget_touch_to_speaker_p99_ms']:.1f} ms")
    return out


def _clinic(r: dict) -> list[str]:
    e2e_line = ("  touch -> sound on JACK (p64): not measured (" + r["not_measured"].get(
        "clinic_e2e_p99_on_over_off", "?") + ")") if r.get("clinic_e2e_p99_on_over_off") \
        is None else (f"  touch -> sound on JACK (p64), n={r['clinic_e2e_n']}: p50 "
                      f"{fmt_ms(r['clinic_e2e_p50_off_ms'])} / {fmt_ms(r['clinic_e2e_p50_on_ms'])}"
                      f" ms, p99 {fmt_ms(r['clinic_e2e_p99_off_ms'])} / "
                      f"{fmt_ms(r['clinic_e2e_p99_on_ms'])} ms (off / on)")
    return [
        "", "  CLINIC: 4 rooms on PostgreSQL (bench/clinic_section.py)",
        f"  {r['clinic_rows_per_room']} rows per room (a virtual day each), "
        f"{r['clinic_partitions']} partitions, {r['clinic_kills']} kills: "
        f"{r['clinic_rows_lost']} lost, {r['clinic_rows_duplicated']} duplicated",
        f"  lag event -> committed, connected: p50 {r['clinic_lag_p50_s']:.2f} s, p99 "
        f"{r['clinic_lag_p99_s']:.2f} s ({r['clinic_lag_events']} events)",
        f"  cross-room metrics, {r['clinic_report_clients']} clients, "
        f"{r['clinic_report_sessions']} sessions, {r['clinic_report_events']} events: "
        f"{r['clinic_report_total_s']:.1f} s (gather {r['clinic_report_gather_s']:.1f} s)",
        f"  touch path with replication off / on (same run): IRQ edge -> note-on p99 "
        f"{fmt_ms(r['clinic_touch_p99_off_ms'])} / {fmt_ms(r['clinic_touch_p99_on_ms'])} ms",
        e2e_line]


def table(r: dict) -> str:
    """The same-run ratios first, then every section's rows in the order they ran."""
    out = ratio_lines(r) + lines(r, "noise", _latency)
    for name, make in (("i2c", _i2c), ("audio", _audio), ("storm", _storm),
                       ("process", _process), ("scale", _scale), ("e2e", e2e.table_lines),
                       ("pulse", pulse.table_lines), ("budget", _budget),
                       ("clinic", _clinic)):
        out += lines(r, name, make)
    return "\n".join(out)
