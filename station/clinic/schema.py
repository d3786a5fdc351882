"""The clinic database's schema: versioned migrations, applied once each, in order.

``migrate(conn)`` brings the database to ``VERSION``; it is safe to run again and from
several rooms at once (a transaction-level advisory lock serialises concurrent runs,
and ``clinic.schema_version`` records what was applied). Add a migration by appending
to ``MIGRATIONS``; never edit a released one.

The tables mirror the journal (``station.journal.schema``), keyed by ``(station_id,
journal, row_id)``: the station, its journal file's random uid and the row's id in that
journal. Times: ``*_ns`` on the station's clock, ``*_unix_ns`` and ``*_at`` (ISO 8601
UTC) on the wall clock. ``client`` holds pseudonyms, never names. The group roles
``clinic_stations`` and ``clinic_report`` must exist first (``station.clinic.roles``).
"""

from __future__ import annotations

DATA_TABLES = ("sessions", "events", "ratings")
LOCK_KEY = 726_153_001      # pg_advisory_xact_lock key of `station clinic init`

MIGRATIONS: list[str] = [
    # 1: the stations, their journals' rows, shared profiles and plans with history,
    #    and row-level security: a station's role writes only rows of its station_id.
    """
    CREATE TABLE clinic.stations (
        station_id text PRIMARY KEY,
        role_name text UNIQUE NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE FUNCTION clinic.my_station() RETURNS text LANGUAGE sql STABLE AS
        $$ SELECT station_id FROM clinic.stations WHERE role_name = current_user $$;
    CREATE TABLE clinic.sessions (
        station_id text NOT NULL, journal text NOT NULL, row_id bigint NOT NULL,
        station_name text, started_ns bigint NOT NULL, ended_ns bigint,
        started_at text NOT NULL, ended_at text, started_by text, ended_by text,
        latency_ms double precision, utc_offset_min integer, tz text,
        started_unix_ns bigint, roles jsonb NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (station_id, journal, row_id)
    );
    CREATE TABLE clinic.events (
        station_id text NOT NULL, journal text NOT NULL, row_id bigint NOT NULL,
        session_id bigint, t_ns bigint NOT NULL, kind text NOT NULL, player integer,
        client text, board integer, electrode integer, button text, pad integer,
        note integer, velocity integer, channel integer, detail text,
        strength double precision, received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (station_id, journal, row_id)
    );
    CREATE INDEX events_session ON clinic.events (station_id, journal, session_id, t_ns);
    CREATE INDEX events_client ON clinic.events (client);
    CREATE TABLE clinic.ratings (
        station_id text NOT NULL, journal text NOT NULL, row_id bigint NOT NULL,
        session_id bigint NOT NULL, t_ns bigint NOT NULL, player integer,
        client text NOT NULL, goal text NOT NULL,
        level integer NOT NULL CHECK (level BETWEEN -2 AND 2), rated_at text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (station_id, journal, row_id)
    );
    CREATE TABLE clinic.profiles (
        client_id text PRIMARY KEY, version integer NOT NULL DEFAULT 1,
        body text NOT NULL, changed_by text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE clinic.plans (
        plan_id text PRIMARY KEY, version integer NOT NULL DEFAULT 1,
        body text NOT NULL, changed_by text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE clinic.history (
        id bigserial PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('profile', 'plan')),
        name text NOT NULL, version integer NOT NULL, body text NOT NULL,
        changed_by text NOT NULL, changed_at timestamptz NOT NULL DEFAULT now()
    );
    GRANT USAGE ON SCHEMA clinic TO clinic_stations, clinic_report;
    GRANT SELECT ON clinic.stations, clinic.profiles, clinic.plans, clinic.history
        TO clinic_stations;
    GRANT SELECT, INSERT ON clinic.sessions, clinic.events, clinic.ratings TO clinic_stations;
    GRANT UPDATE (ended_ns, ended_at, ended_by) ON clinic.sessions TO clinic_stations;
    GRANT SELECT ON ALL TABLES IN SCHEMA clinic TO clinic_report;
    GRANT EXECUTE ON FUNCTION clinic.my_station() TO clinic_stations;
    """ + "".join(f"""
    ALTER TABLE clinic.{t} ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_insert ON clinic.{t} FOR INSERT TO clinic_stations
        WITH CHECK (station_id = clinic.my_station());
    CREATE POLICY own_select ON clinic.{t} FOR SELECT TO clinic_stations
        USING (station_id = clinic.my_station());
    CREATE POLICY own_update ON clinic.{t} FOR UPDATE TO clinic_stations
        USING (station_id = clinic.my_station())
        WITH CHECK (station_id = clinic.my_station());
    CREATE POLICY report_select ON clinic.{t} FOR SELECT TO clinic_report USING (true);
    """ for t in DATA_TABLES),
    # 2: shared profiles and plans are edited by the rooms: a station may add and change
    #    them (never delete), each change bumps the version, and a trigger keeps every
    #    version as a history row with the room that made it, so no room can forge the
    #    history or skip it (station.clinic.shared).
    """
    ALTER TABLE clinic.history ADD COLUMN station_id text;
    CREATE FUNCTION clinic.keep_history() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, clinic AS $$
    BEGIN
        INSERT INTO clinic.history (kind, name, version, body, changed_by, changed_at,
                                    station_id)
        VALUES (TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1],
                NEW.version, NEW.body, NEW.changed_by, NEW.changed_at,
                (SELECT station_id FROM clinic.stations WHERE role_name = session_user));
        RETURN NEW;
    END $$;
    REVOKE ALL ON FUNCTION clinic.keep_history() FROM PUBLIC;
    CREATE TRIGGER profiles_history AFTER INSERT OR UPDATE ON clinic.profiles
        FOR EACH ROW EXECUTE FUNCTION clinic.keep_history('profile', 'client_id');
    CREATE TRIGGER plans_history AFTER INSERT OR UPDATE ON clinic.plans
        FOR EACH ROW EXECUTE FUNCTION clinic.keep_history('plan', 'plan_id');
    GRANT INSERT, UPDATE (version, body, changed_by, changed_at)
        ON clinic.profiles, clinic.plans TO clinic_stations;
    """,
    # 3: clinic-wide pseudonyms and forgetting (station.clinic.names, .forget). The key
    #    that turns a client id into the clinic's pseudonym is made here, from the
    #    server's strong random (gen_random_uuid, PostgreSQL 13), and only the stations
    #    may read it: the report role sees pseudonyms, never a way to test a guess.
    #    ``clinic.forget`` deletes a client's rows in every room (a station's role may
    #    call it, never delete directly) and leaves a tombstone of the pseudonym, so no
    #    room sends that client's rows again.
    """
    CREATE TABLE clinic.keys (name text PRIMARY KEY, value text NOT NULL);
    INSERT INTO clinic.keys (name, value) VALUES ('pseudonym',
        replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
    REVOKE ALL ON clinic.keys FROM clinic_report;
    GRANT SELECT ON clinic.keys TO clinic_stations;
    CREATE TABLE clinic.forgotten (
        client text PRIMARY KEY, station_id text,
        forgotten_at timestamptz NOT NULL DEFAULT now()
    );
    GRANT SELECT ON clinic.forgotten TO clinic_stations, clinic_report;
    CREATE FUNCTION clinic.forget(pseudonyms text[], profile text) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, clinic AS $$
    DECLARE
        n bigint := 0;
        k bigint;
        room text := (SELECT station_id FROM clinic.stations WHERE role_name = session_user);
    BEGIN
        DELETE FROM clinic.events WHERE client = ANY (pseudonyms);
        GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
        DELETE FROM clinic.ratings WHERE client = ANY (pseudonyms);
        GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
        IF profile IS NOT NULL THEN
            DELETE FROM clinic.profiles WHERE client_id = profile;
            GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
            DELETE FROM clinic.history WHERE kind = 'profile' AND name = profile;
        END IF;
        INSERT INTO clinic.forgotten (client, station_id)
            SELECT p, room FROM unnest(pseudonyms) AS p
            ON CONFLICT (client) DO UPDATE SET forgotten_at = now(),
                station_id = excluded.station_id;
        RETURN n;
    END $$;
    REVOKE ALL ON FUNCTION clinic.forget(text[], text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION clinic.forget(text[], text) TO clinic_stations;
    """,
]

VERSION = len(MIGRATIONS)


def current_version(conn) -> int:
    """The schema version of the clinic database (0: not set up)."""
    row = conn.execute("SELECT to_regclass('clinic.schema_version')").fetchone()
    if row[0] is None:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM clinic.schema_version"
                        ).fetchone()[0]


def migrate(conn) -> tuple[int, int]:
    """Apply the missing migrations, each in its own transaction; return (before, after).

    Raises ``RuntimeError`` when the database is newer than this station."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute("CREATE SCHEMA IF NOT EXISTS clinic")
        conn.execute("CREATE TABLE IF NOT EXISTS clinic.schema_version (version integer "
                     "PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        conn.execute("GRANT USAGE ON SCHEMA clinic TO clinic_stations, clinic_report")
        conn.execute("GRANT SELECT ON clinic.schema_version TO clinic_stations, "
                     "clinic_report")
    before = current_version(conn)
    if before > VERSION:
        raise RuntimeError(f"the clinic database has schema version {before}, newer than "
                           f"this station's ({VERSION}); update the station software")
    for version in range(before, VERSION):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            if current_version(conn) > version:      # another room applied it meanwhile
                continue
            conn.execute(MIGRATIONS[version])
            conn.execute("INSERT INTO clinic.schema_version (version) VALUES (%s)",
                         (version + 1,))
    return before, current_version(conn)
