"""Fuzzing OSC control with hypothesis: raw datagrams, and bundles of random timetags,
nesting and sizes, sent as real UDP packets on 127.0.0.1 to the real ``OscControl``. None
of them may stop OSC control or print a traceback: after each, all quiet is handled at
once. The cases that once broke something are kept as regular test cases (the corpus)."""

import struct
import time

import pytest
from fuzz_strategies import FUZZ
from hypothesis import given
from hypothesis import strategies as st
from pythonosc.osc_message_builder import build_msg
from test_osc import NOW, Peer, bundle, control  # noqa: F401  (control: the fixture)


def survives(control, peer, datagram: bytes, capfd) -> None:
    before = sum(1 for c, a in control.seen if c == "turn")
    peer.sock.sendto(datagram, control.address)
    peer.send(control.address[1], "/station/quiet", 1)
    deadline = time.monotonic() + 20.0                # a bound, not a speed
    while sum(1 for c, a in control.seen if c == "turn") <= before and \
            time.monotonic() < deadline:
        time.sleep(0.005)
    arrived = sum(1 for c, a in control.seen if c == "turn") > before
    assert arrived, f"OSC control stopped after {datagram[:60]!r}"
    assert "Traceback" not in capfd.readouterr().err


QUIET = build_msg("/station/quiet", [1]).dgram
PHASE = build_msg("/station/phase", ["x"]).dgram
SEAT = b"/station/seat\0\0\0,is\0\0\0\0\x00\x02"          # a missing string argument
ELEMENT = st.sampled_from([QUIET, PHASE, b"", b"#bundle\0", b"\0\0\0\0", SEAT]) \
    | st.binary(max_size=40)
TIMETAG = st.sampled_from([NOW, b"\0" * 8, b"\xff" * 8]) | st.binary(min_size=8, max_size=8)


@st.composite
def bundles(draw, depth=0):
    parts = draw(st.lists(ELEMENT if depth > 2 else ELEMENT | bundles(depth + 1),
                          max_size=4))
    raw = b"#bundle\0" + draw(TIMETAG)
    for part in parts:
        size = draw(st.sampled_from([len(part), len(part), -1, 0, 1 << 30]))
        raw += struct.pack(">i", size) + part
    return raw


@FUZZ
@given(datagram=st.binary(max_size=300) | bundles())
def test_no_datagram_stops_osc_control(control, capfd, datagram):
    peer = Peer()
    try:
        survives(control, peer, datagram, capfd)
    finally:
        peer.sock.close()


def nested(depth: int) -> bytes:
    packet = QUIET
    for _ in range(depth):
        packet = bundle(NOW, packet)
    return packet


CORPUS = [
    nested(2500),                                            # RecursionError before
    bundle(struct.pack(">Q", (0xFFFFFFFF << 32)), PHASE),    # 2036: a far-future timetag
    bundle(NOW, PHASE)[:-3],                                 # truncated element
    b"#bundle\0" + NOW + struct.pack(">i", -8) + PHASE,      # negative size
    b"#bundle\0" + NOW + struct.pack(">i", 1 << 30) + PHASE,  # size past the end
    b"#bundle\0",                                            # no timetag
    b"/station/quiet\0\0,x\0\0",                             # unknown type tag
    b"/station/seat\0\0\0,is\0" + struct.pack(">i", 2),      # a missing argument
    b"\0" * 64,
]


@pytest.mark.parametrize("datagram", CORPUS, ids=range(len(CORPUS)))
def test_the_corpus(control, capfd, datagram):
    peer = Peer()
    try:
        survives(control, peer, datagram, capfd)
    finally:
        peer.sock.close()
