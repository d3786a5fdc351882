"""The shared vocabulary: the event type and its typed details (and their one journal
text: ``details``), clocks, errors, the declarative schema, safe
YAML reading and JSON nesting checks, private files and where the project's data lives.

Every other room builds on these; they depend on nothing of the station's.

May import: nothing (only the standard library and PyYAML).
"""
