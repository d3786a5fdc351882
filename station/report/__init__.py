"""What the journal tells the therapist: metrics, trends, the HTML report, exports.

``data`` loads one session from the journal, ``metrics`` computes the engagement
measures, ``trend`` compares sessions, ``plots`` and ``html`` draw the report, ``build``
assembles it, ``export_csv`` and ``export_midi`` write the open formats.

May import: core, config, journal, sound.
"""
