"""Log lines with journald priorities when stderr is the journal stream, plain otherwise;
levels from the config."""

import io
import logging
import os

from station.core.logs import apply_levels, priority, setup_logging, under_journal


def journal_env(stream) -> dict:
    st = os.fstat(stream.fileno())
    return {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}


def test_priorities():
    assert [priority(level) for level in (logging.CRITICAL, logging.ERROR, logging.WARNING,
                                          logging.INFO, logging.DEBUG)] == [2, 3, 4, 6, 7]


def test_prefixes_only_when_stderr_is_the_journal(tmp_path):
    with open(tmp_path / "journal", "w+") as stream, open(tmp_path / "other", "w") as other:
        env = journal_env(stream)
        assert under_journal(stream, env) and not under_journal(other, env)
        assert not under_journal(stream, {})
        handler = setup_logging("DEBUG", stream, env)
        try:
            log = logging.getLogger("station.test")
            log.warning("board 0x5b lost")
            log.error("two\nlines")
            log.debug("detail")
            handler.flush()
        finally:
            logging.getLogger().removeHandler(handler)
        stream.seek(0)
        assert stream.read().splitlines() == ["<4>board 0x5b lost", "<3>two", "<3>lines",
                                              "<7>detail"]


def test_plain_lines_elsewhere():
    stream = io.StringIO()
    handler = setup_logging("INFO", stream, {})
    try:
        logging.getLogger("station.test").info("ready")
    finally:
        logging.getLogger().removeHandler(handler)
    assert stream.getvalue() == "station: ready\n"


def test_levels_from_the_config_and_the_environment():
    root = logging.getLogger()
    before = root.level
    try:
        apply_levels({"level": "warning", "levels": {"station.journal": "debug"}}, env={})
        assert root.level == logging.WARNING
        assert logging.getLogger("station.journal").level == logging.DEBUG
        apply_levels({"level": "warning"}, env={"STATION_LOG": "DEBUG"})
        assert root.level == logging.DEBUG
    finally:
        root.setLevel(before)
        logging.getLogger("station.journal").setLevel(logging.NOTSET)
