"""Everything rendered from the profile definitions: template, JSON Schema, key table.

One source (``station.config.profile_schema``), three views, so they cannot disagree:

* ``template(client_id)``: the commented profile ``station profile new ID`` writes;
* ``schema_json()``: docs/profile.schema.json, for editors that complete and check YAML
  (e.g. ``# yaml-language-server: $schema=../../docs/profile.schema.json``);
* ``key_table()``: the table of every key in docs/profiles.md.

``python -m station.config.profile_docs`` rewrites the two docs files; a test checks that the
committed files equal what this module renders.
"""

from __future__ import annotations

import json
import textwrap

from station.config.goals import GOAL
from station.config.profile_schema import PER_PAD, PROFILE
from station.core.paths import DOCS as PROJECT_DOCS
from station.core.schema import REQUIRED, Field, describe
from station.core.schema_render import markdown_rows, replace_generated, schema_document

DOCS = PROJECT_DOCS
SCHEMA_PATH = DOCS / "profile.schema.json"
GUIDE_PATH = DOCS / "profiles.md"
TABLE_START = "<!-- generated: key table (python -m station.config.profile_docs) -->"
TABLE_END = "<!-- end of generated table -->"


def schema_json() -> str:
    schema = schema_document(PROFILE, "profile", "client profile")
    levels = schema["properties"]["goals"]["items"]["properties"]["levels"]
    levels["propertyNames"] = {"enum": ["-2", "-1", "0", "1", "2"]}
    _pad_keys(schema)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _pad_keys(node) -> None:
    # Pad maps are keyed by pad number; in JSON (and in editors) keys are strings of digits.
    if isinstance(node, dict):
        if node.get("type") == "object" and "additionalProperties" in node \
                and "properties" not in node and "propertyNames" not in node:
            node["propertyNames"] = {"pattern": "^[0-9]{1,2}$"}
        for value in node.values():
            _pad_keys(value)
    elif isinstance(node, list):
        for value in node:
            _pad_keys(value)


def key_table() -> str:
    rows = markdown_rows(PROFILE)
    out = []
    for row in rows:
        out.append(row)
        if row.startswith("| `touch.per_pad` |"):
            out.extend(markdown_rows(PER_PAD, ("touch", "per_pad", "N")))
        if row.startswith("| `sound.per_pad` |"):
            out.append("| `sound.per_pad.N.timbre` | text | required | Instrument of pad N "
                       "(catalogue name). |")
        if row.startswith("| `goals` |"):
            out.extend(markdown_rows(GOAL, ("goals", "N")))
    head = ["| key | allowed | default | meaning |", "|---|---|---|---|"]
    return "\n".join(head + out)


def render_guide(current: str) -> str:
    """``current`` (docs/profiles.md) with its generated table brought up to date."""
    return replace_generated(current, TABLE_START, TABLE_END, key_table())


# -- the template ------------------------------------------------------------------------
def template(client_id: str) -> str:
    """A commented profile for ``client_id`` with every key at its default."""
    name = client_id.replace("_", " ").replace("-", " ").title()
    lines = [
        f"# Client profile '{client_id}' (the file name is the client id; the journal",
        "# records only a pseudonym of it). Every key is optional except name; the values",
        "# below are the defaults. Keys, units and ranges: docs/profiles.md.",
        "# Check it with: station profile check " + f"{client_id}.yaml",
        f"name: {name}                # shown to the therapist, never written to the journal",
    ]
    for section in ("sound", "music", "touch"):
        f = PROFILE.fields[section]
        lines += ["", f"# {f.doc}", f"{section}:"]
        for key, sub in f.fields.items():
            lines += _key_lines(key, sub, "  ")
    lines += ["", *("# " + line for line in textwrap.wrap(PROFILE.fields["goals"].doc, 86)),
              "# goals:",
              "#   - id: reach                 # ratings refer to the id: keep it",
              "#     text: Reaches for a pad without a prompt",
              "#     metric: valid_per_min     # optional, with its direction",
              "#     direction: higher",
              "#     levels: {-2: no reach, -1: with a prompt, 0: once unprompted, "
              "1: 3 times, 2: 5 times}",
              "#   - id: turns",
              "#     text: Waits for their turn",
              "", *("# " + line for line in textwrap.wrap(PROFILE.fields["consent"].doc, 86)),
              "# consent:",
              "#   date: 2024-03-01            # the day consent was given or reviewed",
              "#   journal: true               # per-touch journal under a pseudonym",
              "#   audio: false                # recordings of the session's sound",
              "#   research_export: false      # CSV, MIDI and metrics exports"]
    return "\n".join(lines) + "\n"


def _key_lines(key: str, f: Field, indent: str) -> list[str]:
    doc = f"{f.doc} Allowed: {describe(f)}." if f.kind not in ("section", "map") else f.doc
    out = [indent + "# " + line for line in textwrap.wrap(doc, 86 - len(indent))]
    default = f.default() if callable(f.default) else f.default
    if default is REQUIRED:
        default = None
    if default is None and not _accepts_null(f):
        example = f.example if f.example is not None else ""
        out.append(f"{indent}# {key}: {_yaml(example)}")
    else:
        out.append(f"{indent}{key}: {_yaml(default)}")
    return out


def _accepts_null(f: Field) -> bool:
    return f.kind == "null" or (f.kind == "one_of" and any(o.kind == "null" for o in f.options))


def _yaml(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def main() -> int:
    SCHEMA_PATH.write_text(schema_json())
    GUIDE_PATH.write_text(render_guide(GUIDE_PATH.read_text()))
    print(f"wrote {SCHEMA_PATH} and the key table of {GUIDE_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
