"""A clinic of many rooms: each station's journal replicated to the clinic's PostgreSQL.

``settings`` reads the config's ``clinic:`` section and opens the connection (psycopg,
imported only here and only when used, so a station without the ``clinic`` extra runs);
``schema`` holds the clinic database's versioned migrations and ``roles`` its roles and
row-level security (``station clinic init``); ``replicator`` sends what the journal has
not yet sent, in batches, exactly once (``station clinic push`` and the daemon's
replicator thread); ``gather`` reads the clinic back as one journal for reports across
rooms (``--clinic``); ``shared`` keeps shared profiles and plans with versions and
history, ``cache`` the station's copy of them and what it wrote where, ``sync`` keeps
them in step both ways; ``names`` gives a client one pseudonym in the whole clinic,
``forget`` takes ``station forget`` there (or queues it); ``link`` is what the replicator
does on its connection besides pushing. The journal stays the source of truth: see
docs/clinic.md.

May import: core, config, journal.
"""
