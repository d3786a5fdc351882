"""The private record of every session: health data, kept carefully.

``schema`` creates and migrates the SQLite file, ``store`` opens it and writes what is
pending, ``integrity`` checks it and closes crashed sessions, ``recover`` rescues a
damaged one, ``writer`` is the journal the station writes through (a writer thread,
batched, WAL), ``housekeeping`` runs retention and forgetting in that thread,
``reader`` opens it for reports and exports, ``queries`` answers the report's and the
panel's questions (no SQL is written outside this room), ``stretch`` reads one seated
client's raw touches (for ``station profile tune``), ``sessions`` starts and ends
sessions (seeing the seats through its read-only ``Seats`` port, never the engine),
``pseudonym`` keeps names out, ``retention`` forgets a client or old sessions,
``outbox`` says what the clinic database has not yet acknowledged (station.clinic),
``live_state`` keeps the live session state on disk and ``resume_rows`` continues a
session across a restart or closes it at its last event (station.service.resume).

May import: core, config.
"""
