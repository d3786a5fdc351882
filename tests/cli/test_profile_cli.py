"""``station profile check|new|list`` as a therapist runs them (subprocesses)."""

import os
import shutil
import subprocess

import pytest
from conftest import CONFIGS, station_command, write


def station(*args, cwd=None):
    return subprocess.run(station_command() + ["profile", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_check_valid_files_exit_0():
    r = station("check", *[str(p) for p in sorted((CONFIGS / "clients").glob("*.yaml"))])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "alex.yaml: OK (Alex" in r.stdout


BAD = {
    "typo.yaml": ("name: K\ntouch:\n  dwel_ms: 100\n  hold: sticky\n  retrigger_ms: -5\n",
                  ["typo.yaml:3: touch.dwel_ms is not a known key (did you mean 'dwell_ms'?)",
                   "typo.yaml:4: touch.hold is 'sticky'", "one of momentary, latch, fixed",
                   "typo.yaml:5: touch.retrigger_ms is -5", "from 0 to 5000 ms"]),
    "groups.yaml": ("name: K\ntouch:\n  groups: [[0, 1], [1, 2]]\n  min_note_ms: 900\n"
                    "  max_note_ms: 500\n",
                    ["groups.yaml:3: touch.groups[1]: pad 1 is already in group 0",
                     "groups.yaml:4: touch: min_note_ms (900) is longer"]),
    "syntax.yaml": ("name: K\ntouch: {dwell_ms: 100\n", ["syntax.yaml:3:1: YAML syntax error"]),
    "empty.yaml": ("# nothing yet\n", ["the client profile is empty"]),
    "list.yaml": ("- a\n- b\n", ["must be 'key: value' lines"]),
    "tag.yaml": ("name: !!python/object/apply:os.system ['true']\n", ["YAML tag"]),
    "bomb.yaml": ("a: &a [x, x, x, x, x, x, x, x, x]\n"
                  + "".join(f"b{i}: &b{i} [*a, *a, *a, *a, *a, *a, *a, *a]\n" for i in range(9)),
                  ["alias bomb"]),
}


def test_check_prints_every_problem_of_every_file_and_exits_1(tmp_path):
    files = [write(tmp_path / name, text) for name, (text, _) in BAD.items()]
    (tmp_path / "latin1.yaml").write_bytes("name: Zoë\n".encode("latin-1"))
    (tmp_path / "huge.yaml").write_text("name: K\n" + "# padding\n" * 40000)
    files += [tmp_path / "latin1.yaml", tmp_path / "huge.yaml", tmp_path / "missing.yaml",
              tmp_path]
    good = shutil.copy(CONFIGS / "clients" / "sam.yaml", tmp_path / "sam.yaml")
    r = station("check", str(good), *map(str, files))
    out = r.stdout + r.stderr
    assert r.returncode == 1 and "Traceback" not in out
    for _, (_, expected) in BAD.items():
        for text in expected:
            assert text in out, text
    for text in ("latin1.yaml:1: is not UTF-8", "huge.yaml: is 390 KB", "no such client profile",
                 "is a folder", "sam.yaml: OK", f"1 of {len(files) + 1} profile(s) valid"):
        assert text in out, text


def test_new_writes_a_template_that_passes_check_and_never_overwrites(tmp_path):
    r = station("new", "kim", "--dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "kim.yaml").read_text()
    assert os.stat(tmp_path / "kim.yaml").st_mode & 0o777 == 0o600     # name, goals, consent
    assert "name: Kim" in text and "dwell_ms: 0" in text and text.count("#") > 30
    assert station("check", str(tmp_path / "kim.yaml")).returncode == 0
    again = station("new", "kim", "--dir", str(tmp_path))
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = station("new", "Kim Smith!", "--dir", str(tmp_path))
    assert bad.returncode == 1 and "cannot be a client id" in bad.stderr


@pytest.fixture
def config(tmp_path):
    clients = tmp_path / "clients"
    clients.mkdir()
    for cid in ("alex", "sam", "jo"):
        shutil.copy(CONFIGS / "clients" / f"{cid}.yaml", clients)
    write(clients / "broken.yaml", "name: B\nsound: {volume: 3}\n")
    text = (CONFIGS / "station.yaml").read_text()
    text = text.replace("journal: out/station.db", f"journal: {tmp_path / 'station.db'}")
    return write(tmp_path / "station.yaml", text)


def test_list_shows_clients_roster_and_invalid_files(config, tmp_path):
    r = station("list", "--config", str(config))
    assert r.returncode == 0, r.stderr
    lines = {line.split()[0]: line for line in r.stdout.splitlines()[1:]}
    assert set(lines) == {"alex", "broken", "jo", "sam"}
    assert "Alex" in lines["alex"] and "(roster)" in lines["alex"]
    assert "INVALID" in lines["broken"] and "sound.volume" in lines["broken"]
    assert "(roster)" not in lines["broken"]


def test_list_shows_the_journal_pseudonym_once_a_journal_exists(config, tmp_path):
    from station.journal.writer import Journal
    journal = Journal(tmp_path / "station.db")
    alias = journal.pseudonym("alex")
    journal.close()
    r = station("list", "--config", str(config))
    assert alias in r.stdout and alias.startswith("c-")
