"""Reading people's YAML: every kind of bad file gets a plain message with file:line."""

from pathlib import Path

import pytest

from station.core.errors import ProfileError
from station.core.yamlfile import MAX_BYTES, parse_yaml


def parse(text, name="alex.yaml"):
    raw = text if isinstance(text, bytes) else text.encode()
    return parse_yaml(raw, Path(name), ProfileError, "client profile")


def test_positions_of_keys():
    doc = parse("name: Alex\nsound:\n  volume: 0.5\n  timbre: harp\n")
    assert doc.lines[("name",)] == 1
    assert doc.lines[("sound", "volume")] == 3
    assert doc.where(("sound", "timbre")) == "alex.yaml:4"
    assert doc.where(("sound", "missing")) == "alex.yaml:2"


def test_syntax_error_has_line_and_column():
    with pytest.raises(ProfileError) as e:
        parse("name: Alex\nsound:\n  volume: [0.5\n  timbre: harp\n")
    assert "alex.yaml:4:" in str(e.value) or "alex.yaml:3:" in str(e.value)
    assert "YAML syntax error" in str(e.value)


def test_tabs_get_a_hint():
    with pytest.raises(ProfileError, match="spaces, not tabs"):
        parse("name: Alex\nsound:\n\tvolume: 0.5\n")


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_files(text):
    with pytest.raises(ProfileError, match="empty"):
        parse(text)


def test_not_utf8_names_the_line():
    with pytest.raises(ProfileError, match=r"alex.yaml:2: is not UTF-8"):
        parse(b"name: Alex\nsound: {timbre: \xff\xfe}\n")


def test_python_tags_are_refused():
    with pytest.raises(ProfileError, match="tag"):
        parse("name: !!python/object/apply:os.system ['true']\n")


def test_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"{'abcdefghijklmnop'[i]}: &{'abcdefghijklmnop'[i]} "
                     f"[{', '.join(['*' + 'abcdefghijklmnop'[i - 1]] * 9)}]")
    with pytest.raises(ProfileError, match="alias"):
        parse("\n".join(lines) + "\n")


def test_huge_file_is_refused():
    with pytest.raises(ProfileError, match="KB"):
        parse("name: x\n" + "# pad\n" * (MAX_BYTES // 6 + 10))


def test_missing_file(tmp_path):
    from station.core.yamlfile import read_yaml
    with pytest.raises(ProfileError, match="no such client profile"):
        read_yaml(tmp_path / "nobody.yaml", ProfileError, "client profile")


def test_a_key_written_twice_names_both_lines():
    with pytest.raises(ProfileError) as e:
        parse("name: Alex\nsound:\n  volume: 0.3\n  timbre: harp\n  volume: 0.9\n")
    assert "alex.yaml:5: 'volume' is written twice" in str(e.value)
    assert "first at line 3" in str(e.value)
    with pytest.raises(ProfileError, match="alex.yaml:2: '3' is written twice"):
        parse("per_pad: {3: a,\n  3: b}\n")                # integer keys too
    assert parse("a: [1, 1]\nb: {x: 1}\nc: {x: 2}\n").data["c"] == {"x": 2}


@pytest.mark.parametrize("text, words", [
    ("[" * 200 + "]" * 200, "nested more than"),
    ("volume: " + "9" * 5000 + "\n", "alex.yaml:1: holds a number with thousands"),
])
def test_nesting_and_number_bombs_are_plain_errors(text, words):
    with pytest.raises(ProfileError, match=words):
        parse(text)


def test_a_date_that_does_not_exist_is_named_with_its_line():
    # PyYAML builds dates itself and raised ValueError (a traceback) for 2024-02-30
    with pytest.raises(ProfileError, match="alex.yaml:3: '2024-02-30' is not a date that "
                                           "exists"):
        parse("name: Alex\nconsent:\n  date: 2024-02-30\n")
