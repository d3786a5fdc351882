"""A real JACK server (dummy backend) for tests of real-time audio; see bench/jack.py.

Import the fixture where it is used: ``from jack_fixtures import jack_server``.
The server gets a unique name, so tests running side by side never share one.
"""

from __future__ import annotations

import pytest

from bench.jack import JackServer, jackd_path


@pytest.fixture
def jack_server():
    if jackd_path() is None:
        pytest.skip("jackd is not installed (./run.sh test installs jackd2)")
    with JackServer(rate=48000, period=64) as server:
        yield server
