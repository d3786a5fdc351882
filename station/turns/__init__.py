"""Group sessions: whose turn it is, and the lights that show it.

``schema`` declares the station config's ``turns:`` section, ``modes`` the turn modes
(free, round robin, therapist, call and response), ``gate`` builds the gate the engine
asks on every accepted touch, ``buttons`` the therapist's next-turn and all-quiet
gestures, ``patterns`` and ``lights`` what each player's light shows. ``ports`` (with
``modes.Seating``) is all this room sees of the engine: the all-quiet state and the
hooks to emit, listen and own a button; the engine implements them.

May import: core.
"""
