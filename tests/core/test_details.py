"""Event details: every kind's value round-trips through its journal text, and the texts
that journals already hold read back as typed values and write back unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from station.core.details import (
    COUNT_FIELDS,
    NO_CONSENT,
    NOT_RECORDED,
    BackingMeet,
    BackingStart,
    BackingStop,
    Beat,
    ConsentText,
    Echo,
    Fault,
    SeatChange,
    Timbre,
    Turn,
    Unparsed,
    decode,
    encode,
)

WORD = st.text(st.characters(codec="utf-8", exclude_characters=":\x00"), min_size=1)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
NAME = st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True)
BPM = st.floats(1.0, 400.0).map(lambda b: round(b, 1))

VALUES = {
    "profile": st.builds(SeatChange, st.sampled_from(("use", "refused", "empty")),
                         st.none() | TEXT),
    "fault": st.builds(Fault, NAME, st.none() | TEXT),
    "turn_start": st.builds(Turn, NAME, st.none() | TEXT),
    "turn_end": st.builds(Turn, NAME, st.none() | TEXT),
    "echo": st.builds(Echo, st.integers(0, 500)) | st.builds(Echo, stopped=TEXT),
    "backing": st.builds(BackingStart, NAME, NAME,   # "who" may hold ':' (plan:warm_up)
                         TEXT.filter(lambda s: not s.split(":")[0].endswith("bpm")))
    | st.builds(BackingStart, NAME, NAME, TEXT, BPM, NAME) | st.builds(BackingStop, TEXT)
    | st.builds(BackingMeet, st.integers(1, 64), BPM, BPM),
    "beat": st.builds(Beat, WORD, BPM, st.integers(1, 16), st.integers(1, 16)),
    "timbre": st.builds(Timbre, st.integers(0, 128), st.integers(0, 127), TEXT),
    "consent": st.just(NOT_RECORDED) | st.builds(
        ConsentText, st.just(True), st.dates().map(str),
        st.tuples(st.booleans(), st.booleans(), st.booleans())),
    "counts": st.fixed_dictionaries({k: st.integers(0, 10**6) for k in COUNT_FIELDS[1:]}).map(
        lambda d: {"seated_s": 12.5, **d}),
    "goals": st.lists(st.fixed_dictionaries({"id": WORD, "text": TEXT,
                                             "levels": st.dictionaries(WORD, TEXT)})),
}
WORD_KINDS = ("touch", "release", "press", "unpress", "note_on", "note_off", "suppressed",
              "pad_on", "pad_off", "phase", "note")


@given(st.sampled_from(sorted(VALUES)).flatmap(lambda k: st.tuples(st.just(k), VALUES[k])))
def test_every_kind_round_trips_through_its_journal_text(kind_value):
    kind, value = kind_value
    text = encode(kind, value)
    assert isinstance(text, str)
    assert decode(kind, text) == value
    if not isinstance(value, (dict, list)):
        assert str(value) == text          # str() of a value is its journal text


@given(st.sampled_from(WORD_KINDS), st.none() | TEXT)
def test_word_kinds_keep_their_text_as_it_is(kind, text):
    assert encode(kind, text) is text and decode(kind, text) == text


# What the journals of the station have always held (the demo's and older sessions').
OLD_ROWS = [
    ("profile", "use:fe072d08a129", SeatChange("use", "fe072d08a129")),
    ("profile", "use:no_journal_consent", NO_CONSENT),
    ("profile", "empty", SeatChange("empty")),
    ("profile", "refused:/c/too-loud.yaml: 3 problem(s) in this client profile:",
     SeatChange("refused", "/c/too-loud.yaml: 3 problem(s) in this client profile:")),
    ("fault", "board_lost", Fault("board_lost")),
    ("fault", "stuck_electrode:12s", Fault("stuck_electrode", "12s")),
    ("fault", "audio_lost:hw:1 gone: no such device",
     Fault("audio_lost", "hw:1 gone: no such device")),
    ("fault", "journal_not_writing:disk_full", Fault("journal_not_writing", "disk_full")),
    ("turn_start", "gap", Turn("gap")),
    ("turn_end", "mode:call_response", Turn("mode", "call_response")),
    ("echo", "1 note", Echo(1)),
    ("echo", "4 notes", Echo(4)),
    ("echo", "stopped:client_played", Echo(stopped="client_played")),
    ("backing", "start:drone:A:plan:warm_up", BackingStart("drone", "A", "plan:warm_up")),
    ("backing", "start:pulse:A:100.0bpm:follow:plan:main",
     BackingStart("pulse", "A", "plan:main", 100.0, "follow")),
    ("backing", "start:drone:C:cli", BackingStart("drone", "C", "cli")),
    ("backing", "stop:phase", BackingStop("phase")),
    ("backing", "meet:8:62.5:84.0", BackingMeet(8, 62.5, 84.0)),
    ("beat", "pulse:80.1:4/4", Beat("pulse", 80.1, 4, 4)),
    ("timbre", "0:12:marimba", Timbre(0, 12, "marimba")),
    ("consent", "date=2024-03-01;journal=yes;audio=no;research_export=yes",
     ConsentText(True, "2024-03-01", (True, False, True))),
    ("consent", "not_recorded", NOT_RECORDED),
    ("counts", '{"seated_s": 12.5, "touches": 3, "valid_touches": 2, "suppressed": 1, '
               '"echoes": 0, "followed_beats": 4}',
     {"seated_s": 12.5, "touches": 3, "valid_touches": 2, "suppressed": 1, "echoes": 0,
      "followed_beats": 4}),
    ("goals", '[{"id": "reach", "text": "Reaches — unprompted", "levels": {"-2": "never"}}]',
     [{"id": "reach", "text": "Reaches — unprompted", "levels": {"-2": "never"}}]),
]


def test_texts_journals_already_hold_read_as_typed_values_and_write_back_unchanged():
    for kind, text, value in OLD_ROWS:
        assert decode(kind, text) == value, (kind, text)
        assert encode(kind, value) == text, (kind, text)


def test_text_that_does_not_parse_is_kept_as_it_is():
    for kind, text in (("echo", "many notes"), ("beat", "pulse"), ("timbre", "marimba"),
                       ("backing", "resumed"), ("counts", "{oops")):
        value = decode(kind, text)
        assert value == Unparsed(text) and encode(kind, value) == text and str(value) == text
    assert decode("fault", None) is None and encode("fault", None) is None
