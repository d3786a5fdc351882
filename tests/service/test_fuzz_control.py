"""Fuzzing the control socket of a real daemon (simulator, virtual clock): any request,
well-formed JSON or not, any command with any arguments, gets one JSON reply that is
either a result or a plain refusal; never "internal error", and the station still
answers afterwards."""

import json

from daemon_fixtures import ask, served  # noqa: F401  (served: a fixture)
from fuzz_strategies import EXAMPLES, FUZZ, JSON
from hypothesis import given, settings
from hypothesis import strategies as st

from station.service.control import request

COMMANDS = ["status", "session", "turn", "use_client", "forget", "sim", "stop", "nope", ""]
ARG_NAMES = ["op", "name", "text", "mode", "player", "client", "action", "address",
             "electrode", "strength", "x"]
ARGS = st.dictionaries(st.sampled_from(ARG_NAMES) | st.text(max_size=6),
                       JSON | st.sampled_from(["start", "stop", "phase", "note", "status",
                                               "next", "set", "mode", "round_robin",
                                               "touch", "release", "unplug", "press",
                                               "alex", "c-1234abcd", 1, 2, 0x5A, 99]),
                       max_size=4)
REQUESTS = st.one_of(
    st.fixed_dictionaries({"cmd": st.sampled_from(COMMANDS), "args": ARGS}),
    st.fixed_dictionaries({"cmd": JSON, "args": JSON}),
    JSON,
).map(lambda r: json.dumps(r).encode() + b"\n") | st.binary(max_size=200).map(
    lambda b: b + b"\n")


@settings(FUZZ, max_examples=max(20, EXAMPLES))
@given(data=REQUESTS)
def test_any_request_gets_a_result_or_a_plain_refusal(served, data):
    if b'"stop"' in data:
        data = data.replace(b'"stop"', b'"status"')      # keep the station up meanwhile
    reply = ask(served.config.control_socket, data)
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), reply
    if not reply["ok"]:
        assert isinstance(reply["error"], str) and reply["error"]
        assert "internal error" not in reply["error"], (data, reply)
    assert request(served.config.control_socket, "status")["station"]


def test_known_tricky_requests(served):
    for data in (b'{"cmd": "sim", "args": {"action": "explode"}}\n',
                 b'{"cmd": "sim", "args": {"action": "touch"}}\n',
                 b'{"cmd": "sim", "args": {"action": "touch", "address": 99, "electrode": 1}}\n',
                 b'{"cmd": "sim", "args": {"action": "_lines_ready"}}\n',
                 b'{"cmd": "turn", "args": {"op": "set", "player": 99}}\n',
                 b'{"cmd": "turn", "args": {"op": "mode", "mode": "chaos"}}\n',
                 b'{"cmd": "session", "args": {"op": "phase", "name": ""}}\n',
                 b'{"cmd": "use_client", "args": {"player": 99, "client": "alex"}}\n',
                 b'{"cmd": "forget", "args": {"client": "../x"}}\n'):
        reply = ask(served.config.control_socket, data)
        assert reply["ok"] is False and "internal error" not in reply["error"], (data, reply)
