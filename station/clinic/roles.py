"""The clinic database's roles and ``station clinic init``.

Two group roles (NOLOGIN) carry the rights, and the row-level security policies of
``station.clinic.schema`` name them:

* ``clinic_stations``: each station's own login role ``clinic_station_<station_id>``
  is a member. It may insert (and read back, and end) only rows whose ``station_id`` is
  its own (``clinic.my_station()`` maps ``current_user`` to it), and read the shared
  profiles, plans and their history. It cannot delete anything.
* ``clinic_report``: read-only, every row of every room (reports across rooms). The
  login role ``clinic_reader`` is its member.

Login roles get no password here: the clinic's administrator sets one (``ALTER ROLE ...
PASSWORD``, saved in the station's ``password_file``) or uses certificates (docs/clinic.md).
"""

from __future__ import annotations

from station.clinic.schema import migrate

GROUPS = ("clinic_stations", "clinic_report")
READER = "clinic_reader"


def station_role(station_id: str) -> str:
    """The login role of a station (``station_id`` is checked: [a-z0-9_]{1,40})."""
    from station.config.clinic_schema import STATION_ID
    if not STATION_ID.match(station_id or ""):
        raise ValueError(f"'{station_id}' is not a station id; use 1 to 40 lower-case "
                         f"letters, digits or '_'.")
    return f"clinic_station_{station_id}"


def _ensure_role(conn, name: str, login: bool, member_of: str | None = None) -> bool:
    """Create role ``name`` unless it exists; True if it was made. Names are checked
    identifiers (quoted with psycopg's sql.Identifier all the same)."""
    from psycopg import sql
    made = False
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
        conn.execute(sql.SQL("CREATE ROLE {} " + ("LOGIN" if login else "NOLOGIN"))
                     .format(sql.Identifier(name)))
        made = True
    if member_of:
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member_of),
                                                      sql.Identifier(name)))
    return made


def init(conn, station_ids: list[str]) -> dict:
    """Set up (or bring up to date) the clinic database and the roles of ``station_ids``;
    idempotent. Returns what it did: schema versions, roles made, stations added."""
    made: list[str] = []
    with conn.transaction():
        from station.clinic.schema import LOCK_KEY
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        for group in GROUPS:
            if _ensure_role(conn, group, login=False):
                made.append(group)
        if _ensure_role(conn, READER, login=True, member_of="clinic_report"):
            made.append(READER)
    before, after = migrate(conn)
    added: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        for sid in dict.fromkeys(station_ids):
            role = station_role(sid)
            if _ensure_role(conn, role, login=True, member_of="clinic_stations"):
                made.append(role)
            cur = conn.execute("INSERT INTO clinic.stations (station_id, role_name) VALUES "
                               "(%s, %s) ON CONFLICT (station_id) DO NOTHING",
                               (sid, role))
            if cur.rowcount:
                added.append(sid)
    return {"before": before, "after": after, "roles": made, "stations": added}
