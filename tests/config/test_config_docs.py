"""docs/station-config.md is what the definitions render (regenerate:
python -m station.config.station_docs)."""

from station.config.station_docs import PATH, render


def test_station_config_reference_is_up_to_date():
    assert PATH.read_text() == render(), "run: python -m station.config.station_docs"


def test_every_top_level_key_is_documented():
    from station.config.station_schema import STATION
    text = render()
    for key in STATION.fields:
        assert f"| `{key}`" in text
