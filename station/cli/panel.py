"""``station panel``: where to open the therapist's panel, and its PIN.

    station panel                 whether the panel is on, its address, whether a PIN is set
    station panel pin --new       make a new random PIN, print it once, store only its hash

The PIN is stored beside the journal (``panel-pin.json``, owner-only) as a salted scrypt
hash; a new PIN replaces the old one at once (no restart), and signed-in tablets stay
signed in until they are idle for ``panel.idle_min``.
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("panel", help="where to open the therapist's panel; set its PIN")
    p.add_argument("--config", help="station config file (default: the packaged one)")
    p.set_defaults(func=show)
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    pin = verbs.add_parser("pin", help="make a new PIN for the panel (printed once)")
    pin.add_argument("--new", action="store_true", required=True,
                     help="make a new random PIN (replaces the old one)")
    pin.add_argument("--digits", type=int, default=6, choices=range(6, 13), metavar="N",
                     help="length of the PIN, 6..12 (default 6)")
    pin.add_argument("--config", help="station config file (default: the packaged one)")
    pin.set_defaults(func=new_pin)


def new_pin(args) -> int:
    from station.config.station import load_config
    from station.panel.pin import new_pin as make, pin_path, store_pin
    config = load_config(args.config)
    pin = make(args.digits)
    path = store_pin(pin_path(config.journal), pin)
    print(f"New panel PIN: {pin}")
    print(f"Write it down now: only a salted hash of it is kept ({path}). It replaces the "
          f"old PIN at once.")
    if not config.raw["panel"]["enabled"]:
        print(f"The panel is off: set 'panel: {{enabled: true}}' in {config.path} and "
              f"restart the station (sudo systemctl restart station).")
    return 0


def show(args) -> int:
    from station.config.station import load_config
    from station.panel.app import lan_address
    from station.panel.pin import pin_path, read_pin
    config = load_config(args.config)
    p = config.raw["panel"]
    has_pin = read_pin(pin_path(config.journal)) is not None
    if not p["enabled"]:
        print(f"The panel is off. To use it: set 'panel: {{enabled: true}}' in {config.path}, "
              f"run 'station panel pin --new', and restart the station.")
        return 0
    scheme = "https" if p["tls_cert"] else "http"
    host = lan_address() if p["bind"] in ("0.0.0.0", "::") else p["bind"]
    if p["bind"] in ("127.0.0.1", "::1"):
        print(f"The panel listens on this machine only: open {scheme}://{host}:{p['port']}/ "
              f"here. For a tablet, set 'panel: {{bind: 0.0.0.0}}' (with tls_cert and "
              f"tls_key: see docs/panel.md) in {config.path}.")
    else:
        print(f"Open {scheme}://{host}:{p['port']}/ on the tablet (same network as the "
              f"station).")
    print("A PIN is set." if has_pin else "No PIN is set yet: run 'station panel pin --new'.")
    if scheme == "http" and p["bind"] != "127.0.0.1":
        print("The panel speaks plain HTTP: anyone on this network can read what it shows. "
              "See docs/panel.md (tls_cert, tls_key).")
    return 0
