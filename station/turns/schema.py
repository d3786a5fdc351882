"""The ``turns:`` section of the station config: how a group takes turns. Definitions only.

Times are seconds (fractions allowed). Every key has a default, so a station config
without ``turns:`` runs in ``free`` mode (everyone plays) exactly as before.
See docs/groups.md for what each mode feels like in a session.
"""

from __future__ import annotations

from station.core.schema import Field

TURN_MODES = ("free", "round_robin", "therapist", "call_response")
OUT_OF_TURN = ("mute", "quiet", "allow")
NULL = Field("null")


def _optional(kind: str, doc: str, default, lo: float, hi: float, units: str = "") -> Field:
    return Field("one_of", doc + " null: not used.", default=default,
                 options=(Field(kind, min=lo, max=hi, units=units), NULL), units=units)


def _round_robin_check(section: dict) -> str | None:
    if all(section.get(k) is None for k in ("notes", "seconds", "gap_s")):
        return ("name at least one rule for passing the turn: notes, seconds or gap_s "
                "(for example 'gap_s: 2').")
    return None


ROUND_ROBIN = Field("section", "round_robin: when the turn passes to the next seated player. "
                    "Whichever named rule comes first passes it.", fields={
    "notes": _optional("integer", "Pass after this many accepted notes.", None, 1, 200),
    "seconds": _optional("number", "Pass after this many seconds of turn.", None, 1.0,
                         600.0, "s"),
    "gap_s": _optional("number", "Pass when the player has played and then stayed quiet "
                       "this long (the end of a phrase).", 2.0, 0.2, 60.0, "s"),
    "wait_s": _optional("number", "Pass when the player has not played at all this long "
                        "after the turn started (nobody waits forever).", 20.0, 1.0, 600.0,
                        "s"),
}, check=_round_robin_check)

CALL_RESPONSE = Field("section", "call_response: the therapist player calls, a client "
                      "answers, back to the therapist.", fields={
    "call_gap_s": Field("number", "The therapist's phrase ends after this long a pause; the "
                        "next client then gets the turn.", default=1.5, min=0.2, max=30.0,
                        units="s"),
    "reply_gap_s": Field("number", "The client's reply ends after this long a pause; the "
                         "turn goes back to the therapist.", default=2.0, min=0.2, max=30.0,
                         units="s"),
    "reply_wait_s": Field("number", "If the client has not played this long after their turn "
                          "started, the turn goes back to the therapist.", default=10.0,
                          min=1.0, max=600.0, units="s"),
})

TURNS = Field("section", "Turn-taking in group sessions (see docs/groups.md).", fields={
    "mode": Field("choice", "free: everyone plays; round_robin: one player at a time in "
                  "order; therapist: the next_turn button passes the turn; call_response: "
                  "therapist calls, a client answers.", default="free", choices=TURN_MODES),
    "out_of_turn": Field("choice", "What a touch out of turn does: mute (silent), quiet "
                         "(played softer) or allow (played normally). It is always logged "
                         "as out of turn.", default="mute", choices=OUT_OF_TURN),
    "round_robin": ROUND_ROBIN,
    "call_response": CALL_RESPONSE,
    "hold_s": Field("number", "A therapist button held this long is a 'held press': "
                    "next_turn then steps through the players, all_quiet through the turn "
                    "modes, one step per hold_s.", default=1.0, min=0.3, max=5.0, units="s"),
    "fade_s": Field("number", "How long all-quiet takes to fade the sound out.", default=1.0,
                    min=0.0, max=5.0, units="s"),
    "idle_s": Field("number", "After this long without a touch the lights breathe slowly.",
                    default=60.0, min=5.0, max=3600.0, units="s"),
})
