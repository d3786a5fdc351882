"""Group sessions: whose turn it is, and the lights that show it.

``schema`` declares the station config's ``turns:`` section, ``modes`` the turn modes
(free, round robin, therapist, call and response), ``gate`` builds the gate the engine
asks on every accepted touch, ``buttons`` the therapist's next-turn and all-quiet
gestures, ``patterns`` and ``lights`` what each player's light shows.

May import: core.
"""
