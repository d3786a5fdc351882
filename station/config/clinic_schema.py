"""The ``clinic:`` section of the station config: replication to the clinic's PostgreSQL.

Left out (the default), the station is an island as before. Given, the station sends
its journal to the clinic database (docs/clinic.md). The password never appears in this
file: ``password_file`` names a file readable by the station's user only. Paths are
relative to the station config.
"""

from __future__ import annotations

import re

from station.core.schema import REQUIRED, Field

NULL = Field("null")
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
STATION_ID = re.compile(r"^[a-z0-9_]{1,40}$")


def _station_id_check(value: str) -> str | None:
    if not STATION_ID.match(value):
        return (f"'{value}' is not a station id; use 1 to 40 lower-case letters, digits or "
                f"'_' (it names the station's role in the clinic database).")
    return None


def _database_check(value: str) -> str | None:
    userinfo = value.split("://", 1)[1].split("/", 1)[0].rpartition("@")[0] \
        if "://" in value else ""
    if "password=" in value.replace(" ", "").lower() or ":" in userinfo:
        return ("holds a password; never write one in the station config. Put it in a "
                "file only the station's user can read and name it as password_file.")
    return None


CLINIC = Field("section", "Replication to the clinic's PostgreSQL database (docs/clinic.md). "
               "Leave out: the station keeps its journal to itself.", optional=True, fields={
    "database": Field("string", "libpq connection string (host=db.clinic dbname=clinic "
                      "user=clinic_station_room2) or service=NAME of a pg_service.conf "
                      "entry. Never a password.", default=REQUIRED, check=_database_check,
                      example="host=db.clinic dbname=clinic user=clinic_station_room2"),
    "station_id": Field("string", "This station's id in the clinic (lower-case letters, "
                        "digits, _). Its rows carry it; its database role may write only "
                        "rows with it.", default=REQUIRED, check=_station_id_check),
    "sslmode": Field("choice", "TLS to the database: verify-full checks the server's "
                     "certificate and name (use it on any shared network).",
                     default="prefer", choices=SSLMODES),
    "sslrootcert": Field("one_of", "CA certificate (PEM) that signed the server's "
                         "certificate, relative to this file; null: libpq's default.",
                         default=None, options=(Field("string"), NULL)),
    "password_file": Field("one_of", "File holding the role's password (first line), "
                           "relative to this file, readable by the station's user only "
                           "(chmod 600); null: no password (certificates, peer or trust "
                           "authentication).", default=None, options=(Field("string"), NULL)),
    "report_database": Field("one_of", "libpq connection string or service=NAME of the "
                             "clinic's report role (user=clinic_reader), for the panel's "
                             "report across rooms; its password goes in the station user's "
                             "~/.pgpass (libpq's own, owner-only). null: the panel reads the "
                             "clinic as this station's role, which sees its own room only.",
                             default=None, options=(Field("string", check=_database_check),
                                                    NULL)),
    "batch_rows": Field("integer", "Rows sent per batch (each batch is one transaction "
                        "and one acknowledgement).", default=500, min=1, max=10_000),
    "interval_s": Field("number", "How often the replicator looks for new rows while "
                        "connected.", default=1.0, min=0.1, max=600.0, units="s"),
})
