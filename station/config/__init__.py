"""What the therapist and the installer write: the station config, profiles and plans.

``station_schema``/``station`` declare and load ``configs/station.yaml``;
``profile_schema``/``profile`` declare and load client profiles; ``plan_schema``/``plan``
declare and load session plans (and the backing settings);
``station_docs``, ``profile_docs`` and ``plan_docs`` generate the reference docs and JSON
Schemas from the same declarations. ``metric_registry`` declares every engagement metric
(the report attaches its functions) and ``profile_keys`` the profile keys the panel may
change: every list of their names derives from these. ``consent`` reads a profile's
consent, and ``consent_gate`` is the one component every output asks about it (``NEEDS``:
which consent each output needs; ``ConsentGate``: the running station's seats).

The station config's board chips and their addresses come from the hardware's chip
registry (``hardware.chips``: plain data, no Pi library).

May import: core, access, turns, sound, interop, hardware.
"""
