"""What the journal tells the therapist: metrics, trends, the HTML report, exports.

``data`` loads a session's rows, ``columns`` says who sat where and when (one column per
client; seated and board-online time), ``subject`` is what a metric sees of a column in
a phase, ``metrics`` computes the measures, ``table`` makes the rows that the metrics
export (``export_metrics``) and the report share, ``trend`` compares sessions,
``summary`` words the changes, ``vocabulary`` and ``numbers`` name and round, ``marks``
lists the timeline's events, ``plots`` and ``html`` draw, ``build`` (with
``client_part`` and ``session_part``) assembles the page; ``export_csv`` and
``export_midi`` write the open formats.

May import: core, config, journal, sound.
"""
