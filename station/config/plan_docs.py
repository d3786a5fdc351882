"""The session plan's JSON Schema and key table, rendered from its definitions.

One source (``station.config.plan_schema``), two views, so they cannot disagree:

* ``schema_json()``: docs/plan.schema.json, for editors that complete and check YAML
  (``# yaml-language-server: $schema=../../docs/plan.schema.json``);
* ``key_table()``: the table of every key in docs/session-music.md.

``python -m station.config.plan_docs`` rewrites both; a test checks that the committed
files equal what this module renders.
"""

from __future__ import annotations

import json

from station.config.plan_schema import PHASE, PLAN, PLAYER_PHASE
from station.core.paths import DOCS
from station.core.schema_render import markdown_rows, replace_generated, schema_document

SCHEMA_PATH = DOCS / "plan.schema.json"
GUIDE_PATH = DOCS / "session-music.md"
TABLE_START = "<!-- generated: plan key table (python -m station.config.plan_docs) -->"
TABLE_END = "<!-- end of generated plan table -->"


def schema_json() -> str:
    schema = schema_document(PLAN, "plan", "session plan")
    players = schema["properties"]["phases"]["items"]["properties"]["players"]
    players["propertyNames"] = {"pattern": "^([1-6]|all)$"}   # JSON keys are strings
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def key_table() -> str:
    head = ["| key | allowed | default | meaning |", "|---|---|---|---|"]
    rows = markdown_rows(PLAN)
    rows += markdown_rows(PHASE, ("phases[N]",))
    rows += markdown_rows(PLAYER_PHASE, ("phases[N]", "players", "P"))
    return "\n".join(head + rows)


def render_guide(current: str) -> str:
    """``current`` (docs/session-music.md) with its generated table brought up to date."""
    return replace_generated(current, TABLE_START, TABLE_END, key_table())


def main() -> int:
    SCHEMA_PATH.write_text(schema_json())
    GUIDE_PATH.write_text(render_guide(GUIDE_PATH.read_text()))
    print(f"wrote {SCHEMA_PATH} and the key table of {GUIDE_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
