"""The ``clinic:`` settings of a station and the connection to the clinic database.

``ClinicSettings.from_config(config)`` reads the validated section (None when the config
has none). ``connect(settings)`` opens a psycopg connection: the password comes from
``password_file``, which must be readable by this user only (a file others can read is
refused, as libpq refuses such a ~/.pgpass); TLS from ``sslmode``/``sslrootcert``.
Every failure is a ``ClinicError`` in plain words, never a traceback.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from station.core.errors import StationError

CONNECT_TIMEOUT_S = 10
QUICK_TIMEOUT_S = 3           # the panel's and `station forget`'s own connections
# Dead links are noticed by the kernel, not only by the next query: keepalives every 10 s
# (3 unanswered: dead) and 30 s for unacknowledged data (Linux TCP_USER_TIMEOUT).
KEEPALIVE = dict(keepalives=1, keepalives_idle=10, keepalives_interval=5,
                 keepalives_count=3, tcp_user_timeout=30_000)


class ClinicError(StationError, ConnectionError):
    """The clinic database cannot be used (unreachable, refused, not set up, no psycopg).
    The station plays on; what is not sent stays in the journal for the next try."""


@dataclass(frozen=True)
class ClinicSettings:
    database: str                    # libpq conninfo or service=NAME
    station_id: str
    sslmode: str = "prefer"
    sslrootcert: Path | None = None
    password_file: Path | None = None
    batch_rows: int = 500
    interval_s: float = 1.0

    @classmethod
    def from_config(cls, config) -> ClinicSettings | None:
        section = (config.raw or {}).get("clinic")
        if not section:
            return None
        base = Path(config.path).parent

        def rel(value):
            if value is None:
                return None
            p = Path(value).expanduser()
            return p if p.is_absolute() else base / p
        return cls(section["database"], section["station_id"], section["sslmode"],
                   rel(section["sslrootcert"]), rel(section["password_file"]),
                   section["batch_rows"], float(section["interval_s"]))

    def password(self) -> str | None:
        """The password from ``password_file`` (its first line), or None without one."""
        if self.password_file is None:
            return None
        path = self.password_file
        try:
            st = os.stat(path)
        except OSError as exc:
            raise ClinicError(f"{path}: the clinic's password file cannot be read "
                              f"({exc.strerror}). Check clinic.password_file in the "
                              f"station config.") from None
        if not stat.S_ISREG(st.st_mode):
            raise ClinicError(f"{path}: the clinic's password_file is not a file.")
        if st.st_mode & 0o077 or st.st_uid != os.getuid():
            raise ClinicError(
                f"{path}: the clinic's password file can be read by others (mode "
                f"{stat.S_IMODE(st.st_mode):o}, owner uid {st.st_uid}); it must belong "
                f"to this user and be readable by it alone. Fix it with: chmod 600 "
                f"{path} (and chown it to the station's user).")
        try:
            with open(path, encoding="utf-8") as f:
                line = f.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise ClinicError(f"{path}: the clinic's password file cannot be read "
                              f"({getattr(exc, 'strerror', None) or 'not text'}).") from None
        if not line:
            raise ClinicError(f"{path}: the clinic's password file is empty; write the "
                              f"password on its first line.")
        return line

    def params(self) -> dict:
        """Connection keywords besides the conninfo (TLS, password, timeouts)."""
        out: dict = dict(sslmode=self.sslmode, connect_timeout=CONNECT_TIMEOUT_S,
                         application_name=f"station {self.station_id}", **KEEPALIVE)
        if self.sslrootcert is not None:
            out["sslrootcert"] = str(self.sslrootcert)
        password = self.password()
        if password is not None:
            out["password"] = password
        return out


def psycopg():
    """The psycopg module, or a ClinicError saying how to install it."""
    try:
        import psycopg as module
    except ImportError:
        raise ClinicError("the clinic needs psycopg 3, which is not installed here. Install "
                          "it with: pip install 'psycopg[binary]>=3.1' (the station's "
                          "'clinic' extra).") from None
    return module


def connect(database: str, params: dict | None = None, what: str = "the clinic database"):
    """Open a connection (autocommit: each ``transaction()`` is a real one); ClinicError
    in plain words when it fails."""
    pg = psycopg()
    try:
        return pg.connect(database, autocommit=True, **(params or {}))
    except pg.Error as exc:
        raise ClinicError(f"{what} cannot be reached ({first_line(exc)}). The station plays "
                          f"on and keeps what is not sent; check the network, "
                          f"clinic.database and the credentials.") from None


def conninfo(database: str) -> str:
    """A libpq connection string; a bare word (no '=', not a URI) is a service name."""
    text = database.strip()
    if "=" in text or "://" in text:
        return text
    return f"service={text}"


def connect_settings(settings: ClinicSettings, quick: bool = False):
    """Connect as the station; ``quick``: give up after 3 s (a person is waiting)."""
    params = settings.params()
    if quick:
        params["connect_timeout"] = QUICK_TIMEOUT_S
    return connect(conninfo(settings.database), params)


def first_line(exc: BaseException) -> str:
    """The first line of a database error, without the 'connection failed:' noise."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]
