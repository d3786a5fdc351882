"""The consent gate's answers: what each output may carry of a seat, the beats that follow a
client, how a log names a client, and what a refused profile's row may say. Real profiles
(parsed from YAML), real events; the engine's end of it is tests/service/test_consent_matrix.py."""

from pathlib import Path

import pytest

from station.config.consent_gate import (
    ANONYMOUS,
    NEEDS,
    ConsentGate,
    refusal_words,
    scrub,
)
from station.config.profile import parse_profile
from station.core.details import SeatChange
from station.core.errors import ProfileError
from station.core.events import BEAT, NOTE_ON, PROFILE, TOUCH, Event


def profile(cid: str, consent: str | None):
    text = f"name: {cid.title()}\n" + (f"consent: {consent}\n" if consent else "")
    return parse_profile(text.encode(), Path(f"/clients/{cid}.yaml"))


PRIVATE = profile("robin", "{date: 2024-05-02, journal: false, audio: true}")
MUTE = profile("lee", "{date: 2024-05-03, journal: true, audio: false, research_export: true}")
OPEN = profile("kai", "{date: 2024-05-01, journal: true, audio: true, research_export: true}")
UNRECORDED = profile("old", None)


def gate_with(seats: dict) -> ConsentGate:
    gate = ConsentGate(lambda p: seats.get(p, (None, "")), pseudonym=lambda c: f"c-{c}")
    for p, (prof, _) in seats.items():
        gate.observe(Event(PROFILE, 0, player=p, client=f"c-{prof.client_id}",
                           detail=SeatChange("use", "v1")))
    return gate


def test_each_output_needs_what_the_policy_says():
    gate = gate_with({1: (PRIVATE, "client"), 2: (MUTE, "client"), 3: (OPEN, "client"),
                      4: (UNRECORDED, "client")})
    allowed = {out: [p for p in (1, 2, 3, 4) if gate.allows(p, out)] for out in NEEDS}
    assert allowed == {"journal": [2, 3, 4], "midi_out": [2, 3, 4], "osc_out": [2, 3, 4],
                       "log": [2, 3, 4], "recording": [1, 3, 4], "export": [2, 3, 4]}
    assert gate.withheld("recording", (1, 2, 3, 4)) == [2]


def test_a_therapist_position_and_an_empty_seat_pass_every_gate():
    gate = gate_with({1: (PRIVATE, "therapist")})
    assert all(gate.allows(1, out) for out in NEEDS) and gate.allows(5, "journal")


def test_the_mirror_hears_nothing_of_a_private_seat_nor_the_beats_that_follow_it():
    gate = gate_with({1: (PRIVATE, "client"), 2: (OPEN, "client")})
    heard = []
    mirror = gate.guard("osc_out", heard.append)
    for p in (1, 2):
        mirror(Event(TOUCH, 1, player=p, pad=0))
        mirror(Event(NOTE_ON, 1, player=p, note=60, velocity=80, channel=p - 1))
    mirror(Event(BEAT, 2, detail="1"))
    gate.follows = lambda: 1                     # the pulse now follows Robin's tempo
    mirror(Event(BEAT, 3, detail="2"))
    gate.follows = lambda: 2
    mirror(Event(BEAT, 4, detail="3"))
    assert [(e.kind, e.player, e.t_ns) for e in heard] == [
        (TOUCH, 2, 1), (NOTE_ON, 2, 1), (BEAT, None, 2), (BEAT, None, 4)]


def test_a_seating_counts_from_its_event_so_the_last_notes_of_a_seat_still_pass():
    seats = {1: (OPEN, "client")}
    gate = gate_with(seats)
    seats[1] = (PRIVATE, "client")             # swapped in the engine, event not yet heard
    assert gate.keeps(Event(NOTE_ON, 5, player=1, note=60, channel=0), "midi_out")
    gate.observe(Event(PROFILE, 6, player=1, client="c-robin", detail=SeatChange("use", "v")))
    assert not gate.keeps(Event(NOTE_ON, 7, player=1, note=60, channel=0), "midi_out")
    gate.observe(Event(PROFILE, 8, player=1, detail=SeatChange("empty")))
    assert gate.keeps(Event(NOTE_ON, 9, player=1, note=60, channel=0), "midi_out")


def test_logs_name_clients_by_pseudonym_and_a_private_one_not_at_all():
    seats = {1: (PRIVATE, "client"), 2: (OPEN, "client")}
    gate = gate_with(seats)
    assert gate.who("kai", OPEN) == "c-kai"
    assert gate.who("robin", PRIVATE) == ANONYMOUS
    assert gate.who("robin") == ANONYMOUS, "a refused file of a client seen private"
    assert gate.private_client("c-robin") and not gate.private_client("c-kai")
    seats[1] = (profile("robin", "{date: 2024-06-01, journal: true}"), "client")
    gate.observe(Event(PROFILE, 10, player=1, client="c-robin", detail=SeatChange("use", "x")))
    assert not gate.private_client("c-robin"), "a change of mind counts from the seating"


def test_a_refusal_is_journaled_as_a_count_never_the_path_or_the_files_words():
    with pytest.raises(ProfileError) as info:
        parse_profile(b"name: Nora Quill\nsound: {timbre: marimbaa, volume: 7}\n",
                      Path("/srv/clients/nora.yaml"))
    words = refusal_words(str(info.value))
    assert words == "2 problem(s)"
    assert refusal_words("/srv/clients/nora.yaml: is 3.0 GB; a client profile must be "
                         "under 256 KB") == "too big"
    assert refusal_words("/srv/clients/nora.yaml: cannot be read (Permission denied)") \
        == "unreadable"
    logged = scrub(str(info.value), "nora", "the profile of c-1234")
    assert "nora" not in logged and "the profile of c-1234" in logged
