"""The JSON Schema and the key table are generated from the profile definitions."""

import json

import jsonschema
import pytest
import yaml
from conftest import CONFIGS

from station.config.profile_docs import (
    GUIDE_PATH,
    SCHEMA_PATH,
    render_guide,
    schema_json,
    template,
)
from station.config.profile_schema import PROFILE

SHIPPED = sorted((CONFIGS / "clients").glob("*.yaml"))


def as_json(path_or_text):
    text = path_or_text.read_text() if hasattr(path_or_text, "read_text") else path_or_text
    # pad keys become strings; a YAML date becomes its YYYY-MM-DD text, as editors read it
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def test_the_committed_schema_is_current():
    assert SCHEMA_PATH.read_text() == schema_json(), "run: python -m station.config.profile_docs"


def test_the_key_table_in_docs_is_current_and_names_every_key():
    text = GUIDE_PATH.read_text()
    assert text == render_guide(text), "run: python -m station.config.profile_docs"
    for section in ("sound", "music", "touch"):
        for key in PROFILE.fields[section].fields:
            assert f"`{section}.{key}`" in text
    assert "`touch.per_pad.N.dwell_ms`" in text and "ms |" in text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_profiles_validate_against_the_schema(path):
    jsonschema.validate(as_json(path), json.loads(SCHEMA_PATH.read_text()))


def test_the_template_validates_and_mistakes_do_not():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(as_json(template("kim")), schema)
    for bad in ("name: K\ntouch: {dwell_ms: -1}\n", "name: K\ntouch: {hold: sticky}\n",
                "name: K\nsound: {volume: 2}\n", "name: K\ntuoch: {}\n",
                "name: K\ntouch: {per_pad: {3: {dwel_ms: 5}}}\n", "sound: {}\n"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(as_json(bad), schema)
