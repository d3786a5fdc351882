"""Fuzzing the ``station`` command line: any command with any arguments (files that are
journals, garbage, folders, devices or missing; ids, paths, numbers, stray options) ends
with a plain message and an exit code for its kind (0, 1, 2, 3, 4, 5, 6), never a
traceback, never 70. Most examples run in-process through ``station.cli.main``; a few run
the real ``station`` command as a user would."""

import os
import subprocess

import pytest
from conftest import CONFIGS, station_command, station_config
from fuzz_strategies import EXAMPLES, FUZZ, YAMLISH
from hypothesis import given, settings
from hypothesis import strategies as st
from journal_fixtures import make_journal, touch

import station.cli as cli

FILES = ["journal", "garbage", "profile", "folder", "missing", "devnull", "config"]
TEMPLATES = [
    ["status", "--socket", "{sock}"], ["status", "--config", "{file}"],
    ["turn", "{word}", "{word}", "--socket", "{sock}"],
    ["session", "{word}", "{word}", "--config", "{config}"],
    ["profile", "check", "{file}", "{file}"], ["profile", "list", "--config", "{file}"],
    ["profile", "new", "{word}", "--dir", "{dir}"],
    ["profile", "use", "{word}", "--player", "{word}", "--config", "{config}"],
    ["report", "--db", "{file}", "-o", "{out}"], ["report", "--db", "{file}", "--session",
                                                   "{word}", "-o", "{out}"],
    ["export", "--format", "{word}", "--db", "{file}", "-o", "{out}"],
    ["export", "--db", "{file}", "--client", "{word}"],
    ["forget", "{word}", "--db", "{file}"],
    ["journal", "recover", "{file}", "--out", "{out}"], ["journal", "{word}"],
    ["doctor", "--config", "{file}"], ["simulate", "{file}", "--out", "{dir}"],
    ["{word}"], [],
]
WORDS = st.sampled_from(["alex", "c-1234abcd", "../x", "/etc/shadow", "1", "-1", "99", "0x5A",
                         "csv", "midi", "start", "stop", "phase", "note", "next", "set",
                         "mode", "round_robin", "recover", "--", "-", "--bogus", "",
                         "\x00", "é", "x" * 200]) | st.text(max_size=12)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzcli")
    journal = root / "station.db"
    make_journal(journal, [{"end": 5, "events": touch(1.0, 0, 0.3)}])
    (root / "garbage.yaml").write_text("a: [1, 2\n\x07: b\n")
    (root / "folder").mkdir()
    return {"journal": journal, "garbage": root / "garbage.yaml",
            "profile": CONFIGS / "clients" / "alex.yaml", "folder": root / "folder",
            "missing": root / "missing.yaml", "devnull": "/dev/null",
            "config": station_config(root), "root": root}


@st.composite
def argvs(draw, files):
    template = draw(st.sampled_from(TEMPLATES))
    out = []
    for token in template:
        if token == "{file}":
            out.append(str(files[draw(st.sampled_from(FILES))]))
        elif token == "{word}":
            out.append(draw(WORDS))
        elif token == "{out}":
            out.append(str(files["root"] / draw(st.sampled_from(
                ["r.html", "e.csv", "m", "station.db", "alex.yaml", "folder", "n.db"]))))
        else:
            out.append(token.format(sock=files["root"] / "none.sock", config=files["config"],
                                    dir=files["root"] / "made"))
    extra = draw(st.lists(WORDS, max_size=2))
    return [a.replace("\x00", "") for a in out + extra]


def run_main(argv, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exc:              # argparse: usage errors are exit 2
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@settings(FUZZ, max_examples=max(20, EXAMPLES))
@given(data=st.data())
def test_any_command_line_ends_plainly(files, capsys, data):
    argv = data.draw(argvs(files))
    code, text = run_main(argv, capsys)
    assert code != cli.INTERNAL_ERROR and "Traceback" not in text, (argv, text[-800:])
    assert code in (0, 1, 2, 3, 4, 5, 6), (argv, code)


@settings(FUZZ, max_examples=max(4, EXAMPLES // 15))
@given(text=YAMLISH, which=st.sampled_from(["simulate", "profile", "run"]))
def test_the_real_command_on_garbage_files_exits_plainly(tmp_path, text, which):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    argv = {"simulate": ["simulate", str(bad), "--out", str(tmp_path / "o")],
            "profile": ["profile", "check", str(bad)],
            "run": ["run", "--config", str(bad), "--hardware", "sim", "--no-audio"]}[which]
    r = subprocess.run(station_command() + argv, capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path)))
    assert r.returncode in (1, 2, 3) and "Traceback" not in r.stderr, (argv, r.stderr[-800:])
