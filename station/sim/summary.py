"""What a simulated session did: the counts its summary reports, and the summary in words.

``Tally`` listens to the engine as the journal does and counts touches, notes and
held-back touches (per player, and why they were held back), turns, hardware faults, and
each phase's beats, tempo (BPM at its first and last beat) and echoes.
``Simulation.summary`` (``runner``) puts them together with the refused profiles and
plans, the journal's health and the ceiling's work; ``summary_text`` says that summary
in the words a therapist reads after the demo, ``dumps`` writes it as JSON.
"""

from __future__ import annotations

import bisect
import collections
import json

from station.core.details import encode
from station.core.events import (
    BEAT,
    ECHO,
    FAULT,
    NOTE_ON,
    PHASE,
    PROFILE,
    RELEASE,
    SUPPRESSED,
    TOUCH,
    TURN_START,
    Event,
)
from station.sound.limiter import ceiling_words


class Tally:
    """The engine's events of one simulated session, counted."""

    def __init__(self, name_of=None) -> None:
        """``name_of(player)``: the client id seated there now (None: nobody), read at
        each seat change so a swap's touches count for the client who made them."""
        self.counts: collections.Counter[str] = collections.Counter()
        self.per_player: dict[int, collections.Counter] = collections.defaultdict(
            collections.Counter)
        self.name_of = name_of
        self._seated: dict[int, str | None] = {}
        # (player, client id or None) -> counts, in the order the seats were taken
        self.per_seat: dict[tuple[int, str | None], collections.Counter] = {}
        self.faults: list[str] = []       # "20.1 s: board_lost 0x5b", in order
        self.phases: list[dict] = []      # the session's phases, with their beats
        self._phase_ns: list[int] = []

    def __call__(self, e: Event) -> None:
        """A listener of the engine: count ``e``."""
        if e.kind == PROFILE and e.player is not None and self.name_of is not None:
            self._seated[e.player] = self.name_of(e.player)
        if e.kind in (TOUCH, RELEASE, NOTE_ON, SUPPRESSED):
            self.counts[e.kind] += 1
            if e.player is not None:
                self.per_player[e.player][e.kind] += 1
                self._seat_counts(e.player)[e.kind] += 1
                if e.kind == SUPPRESSED:
                    self.per_player[e.player][f"suppressed:{e.detail}"] += 1
                if e.kind == NOTE_ON and e.detail == "out_of_turn":
                    self.per_player[e.player]["out_of_turn_notes"] += 1
        elif e.kind == TURN_START and e.player is not None:
            self.per_player[e.player]["turns"] += 1
        elif e.kind == FAULT:
            where = f" {e.board:#x}" if e.board is not None else ""
            self.faults.append(f"{e.t_ns / 1e9:.1f} s: {encode(FAULT, e.detail)}{where}")
        elif e.kind == PHASE:
            self._phase_ns.append(e.t_ns)
            self.phases.append({"phase": e.detail, "start_s": round(e.t_ns / 1e9, 2),
                                "beats": 0, "tempo_bpm": [], "echoes": 0,
                                "echoes_cut_short": 0})
        if e.kind == BEAT:
            self.counts[BEAT] += 1
        if e.kind in (BEAT, ECHO) and self.phases:
            # beats are journaled once sounded, so look the phase up by the beat's time
            phase = self.phases[max(0, bisect.bisect_right(self._phase_ns, e.t_ns) - 1)]
            if e.kind == ECHO:
                stopped = e.detail.stopped is not None
                phase["echoes_cut_short" if stopped else "echoes"] += 1
            elif e.kind == BEAT:
                phase["beats"] += 1
                bpm = e.detail.bpm
                tempo = phase["tempo_bpm"]
                tempo[:] = [tempo[0], bpm] if tempo else [bpm, bpm]

    def _seat_counts(self, player: int) -> collections.Counter:
        if player not in self._seated and self.name_of is not None:
            self._seated[player] = self.name_of(player)
        key = (player, self._seated.get(player))
        return self.per_seat.setdefault(key, collections.Counter())

    def players(self, config, seats) -> dict:
        """Per player of ``config`` (a StationConfig): who was seated at the end (the
        engine's ``seats``) and what they played."""
        players = {}
        for p in config.players:
            c = self.per_player.get(p.player, collections.Counter())
            seat = seats[p.player]
            players[str(p.player)] = {
                "client": seat.profile.client_id if seat.profile else None,
                "touches": c[TOUCH], "notes": c[NOTE_ON], "suppressed": c[SUPPRESSED],
                "turns": c["turns"], "out_of_turn_notes": c["out_of_turn_notes"],
                "suppressed_by_reason": {k.split(":", 1)[1]: v for k, v in c.items()
                                         if k.startswith("suppressed:")},
                # who played what at this player: one entry per client seated in turn
                "clients": [{"client": who, "touches": n[TOUCH], "notes": n[NOTE_ON]}
                            for (at, who), n in self.per_seat.items() if at == p.player],
            }
        return players


def summary_text(summary: dict) -> str:
    """The short plain-text summary a therapist reads after the demo."""
    lines = [f"Session of {summary['seconds']:.0f} s: {summary['touches']} touches, "
             f"{summary['notes']} notes, {summary['suppressed']} touches held back."]
    for n, p in summary["players"].items():
        if not p["client"] and not p["touches"]:
            continue
        why = ", ".join(f"{k} {v}" for k, v in sorted(p["suppressed_by_reason"].items()))
        turns = f", {p['turns']} turns" if p.get("turns") else ""
        seated = [c for c in p.get("clients", []) if c["client"] or c["touches"]]
        if len(seated) > 1:     # a swap: each client's own counts, in the order they sat
            lines.append(f"  Player {n}: {p['touches']} touches, {p['notes']} notes{turns}"
                         + (f", held back: {why}" if why else ""))
            lines.extend(f"    {c['client'] or 'nobody seated'}: {c['touches']} touches, "
                         f"{c['notes']} notes" for c in seated)
            continue
        lines.append(f"  Player {n} ({p['client'] or 'no client'}): {p['touches']} touches, "
                     f"{p['notes']} notes{turns}" + (f", held back: {why}" if why else ""))
    for p in summary.get("phases", []):
        tempo = p.get("tempo_bpm") or []
        beat = (f", {p['beats']} beats at {tempo[0]:.0f}" + (f" -> {tempo[1]:.0f}"
                if round(tempo[1]) != round(tempo[0]) else "") + " BPM") if p["beats"] else ""
        echo = f", {p['echoes']} phrases echoed" if p.get("echoes") else ""
        if p.get("echoes_cut_short"):
            echo += f" ({p['echoes_cut_short']} stopped when the client played again)"
        lines.append(f"  Phase {p['phase']} from {p['start_s']:.1f} s{beat}{echo}")
    if summary.get("beats") and not summary.get("phases"):
        lines.append(f"  Backing: {summary['beats']} beats")
    for fault in summary.get("faults", []):
        lines.append(f"  Hardware: {fault}")
    for r in summary.get("refused_plans", []):
        lines.append("  Plan not started: " + r.splitlines()[0])
    for r in summary["refused_profiles"]:
        first, *problems = r.splitlines()
        lines.append("  Refused profile (the previous client kept playing): " + first)
        lines.extend("    " + p.strip() for p in problems)
    if summary.get("ceiling"):
        lines.append(ceiling_words(summary["ceiling"]))
    heard = {k: v for k, v in (summary.get("loudness_lufs") or {}).items() if v is not None}
    if heard:            # each part before the ceiling (station.sim.stems)
        lines.append("Loudness (ITU-R BS.1770, integrated): " + ", ".join(
            f"{name} {value:.1f} LUFS" for name, value in heard.items()))
    lines.append(f"Audio: {summary['wav']}\nJournal: {summary['db']}")
    return "\n".join(lines)


def dumps(summary: dict) -> str:
    return json.dumps(summary, indent=2, sort_keys=False)
