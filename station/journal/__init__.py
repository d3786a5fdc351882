"""The private record of every session: health data, kept carefully.

``schema`` creates and migrates the SQLite file, ``store`` opens it and writes what is
pending, ``integrity`` checks it and closes crashed sessions, ``recover`` rescues a
damaged one, ``writer`` is the journal the station writes through (a writer thread,
batched, WAL), ``housekeeping`` runs retention and forgetting in that thread,
``reader`` opens it for reports and exports, ``sessions`` starts and ends sessions,
``pseudonym`` keeps names out, ``retention`` forgets a client or old sessions,
``outbox`` says what the clinic database has not yet acknowledged (station.clinic).

May import: core, config.
"""
