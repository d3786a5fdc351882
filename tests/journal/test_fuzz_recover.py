"""Fuzzing ``station journal recover`` with hypothesis: a real journal with bytes changed at
random places (a failing SD card, or a crafted file), and files that only look like one.
Each is either recovered into a new journal that passes SQLite's integrity check, or
refused with a plain ``JournalError``; nothing else, nothing left behind, within a time
limit. The cases that once broke something are kept as regular test cases (the corpus)."""

import sqlite3

import pytest
from fuzz_strategies import FUZZ
from hypothesis import given
from hypothesis import strategies as st
from test_integrity import big_journal

from station.core.errors import JournalError
from station.journal.recover import recover


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    path = tmp_path_factory.mktemp("pristine") / "station.db"
    big_journal(path, sessions=3, touches=60)
    return path          # a path: hypothesis prints the arguments of a failing case


def attempt(folder, data: bytes) -> None:
    src, dst = folder / "damaged.db", folder / "new.db"
    src.write_bytes(data)
    try:
        done = recover(src, dst, time_limit_s=20)
    except JournalError as exc:
        assert "Traceback" not in str(exc)
        assert not dst.exists()
    else:
        assert done.rows.get("events", 0) >= 0
        with sqlite3.connect(dst) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not [p for p in folder.iterdir() if "recovering" in p.name]
    assert src.read_bytes() == data                    # the damaged file is never changed


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(min_value=0, max_value=1 << 20),
                                st.binary(min_size=1, max_size=64)), min_size=1, max_size=6),
       cut=st.none() | st.integers(min_value=0, max_value=1 << 20))
def test_a_damaged_journal_is_recovered_or_refused(tmp_path_factory, pristine, edits, cut):
    data = bytearray(pristine.read_bytes())
    for offset, chunk in edits:
        offset %= len(data)
        data[offset:offset + len(chunk)] = chunk
    if cut is not None:
        data = data[:cut % (len(data) + 1)]
    attempt(tmp_path_factory.mktemp("fuzz"), bytes(data))


CORPUS = [
    lambda p: p[:1268] + b"\x80" + p[1269:],            # a text that is not UTF-8
    lambda p: b"",                                     # an empty file
    lambda p: b"SQLite format 3\0",                    # a header and nothing else
    lambda p: p[:100],                                 # the header page cut short
    lambda p: p[:4096 * 2],                            # the schema page and no more
    lambda p: p[:16] + b"\xff" * 84 + p[100:],         # a garbled database header
    lambda p: p[:4096] + b"\0" * 4096 + p[8192:],      # a zeroed page
]


@pytest.mark.parametrize("make", CORPUS, ids=range(len(CORPUS)))
def test_the_corpus(tmp_path, pristine, make):
    attempt(tmp_path, make(pristine.read_bytes()))
