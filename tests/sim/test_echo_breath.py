"""The echo's breath through the real engine and journal on the simulator: one beat of the
running backing (on the audio clock, to the block), and a client who plays during the
breath has answered themselves: that echo is dropped unheard."""

import pytest
from conftest import write
from test_session_music import BLOCK_S, S, run

SEEN = 0.001                  # the touch chip sees a touch at its next 1 ms sample
PLAN = """\
phases:
  - name: mirror
    backing: {style: pulse, tempo_bpm: 100, volume: 0.2}
    players:
      1: {echo: {gap_ms: 800, timbre: vibraphone}}
"""


def touch(at, pad=0):
    return [f"{{at: {at}, action: touch, board: 0x5A, electrode: {pad}}}",
            f"{{at: {at + 0.2}, action: release, board: 0x5A, electrode: {pad}}}"]


def test_the_echo_waits_one_beat_of_the_backing_and_yields_to_the_client(tmp_path):
    plans = tmp_path / "plans"
    write(plans / "mirror.yaml", PLAN)
    events = ["{at: 0.5, action: plan_start, plan: mirror}"]
    events += touch(1.0) + touch(1.5, 2)     # a phrase: over at 1.5 + 0.8 s, echoed 0.6 s on
    events += touch(4.0)                     # over at 4.8 s; its echo would start at 5.4 s,
    events += touch(5.1, 3)                  # but the client plays again in the breath
    _, _, db = run(tmp_path, events, end=9, plans=plans)
    echo = db.execute("SELECT t_ns, detail FROM events WHERE kind='echo' ORDER BY t_ns")\
        .fetchall()
    assert [d for _, d in echo] == ["2 notes", "1 note"], "the second phrase never echoed"
    beat = 60 / 100
    assert echo[0][0] / S == pytest.approx(1.5 + SEEN + 0.8 + beat, abs=BLOCK_S)
    assert echo[1][0] / S == pytest.approx(5.1 + SEEN + 0.8 + beat, abs=BLOCK_S)
