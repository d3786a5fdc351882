"""What the therapist and the installer write: the station config and client profiles.

``station_schema``/``station`` declare and load ``configs/station.yaml``;
``profile_schema``/``profile`` declare and load client profiles; ``station_docs`` and
``profile_docs`` generate the reference docs and JSON Schema from the same declarations.

May import: core, access, turns, sound, interop.
"""
