"""Where the station's own data lives: the checkout beside the package, or the copy
packaged inside it.

Configs (``configs/``: station.yaml, clients, songs, scenarios, plans) and the timbre
catalogue (``soundfonts/timbres.yaml``) sit at the top of the repository. In a checkout
(the editable install ``run.sh`` makes) they are read there, so an edit takes effect at
once. A built wheel carries a copy of both trees as ``station/_data/`` (``setup.py``
copies them at build time); installed that way (``pip install``, ``pipx``), with no
checkout around, ``importlib.resources`` finds them inside the installed package.
``docs/`` is only in a checkout (the doc generators write it; nothing reads it at run time).

Every module finds its data through ``CONFIGS``, ``SOUNDFONTS`` and ``DOCS``, so this is
the one place that knows where that is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]          # .../station
CHECKOUT = PACKAGE.parent                              # the repository, in a checkout
PACKAGED_DATA = "_data"                                # station/_data/ inside a wheel


def is_checkout(root: Path) -> bool:
    """True if ``root`` is the station's repository (not e.g. a site-packages folder)."""
    return ((root / "pyproject.toml").is_file() and (root / "configs" / "station.yaml").is_file()
            and (root / "soundfonts" / "timbres.yaml").is_file())


def data_root(checkout: Path = CHECKOUT) -> Path:
    """The folder holding ``configs/`` and ``soundfonts/``: the checkout if there is
    one, else the copy packaged in the installed ``station`` package."""
    if is_checkout(checkout):
        return checkout
    # A wheel is always installed unpacked (pip and pipx never run from a zip), so the
    # packaged folder is a real directory and a plain Path.
    return Path(str(resources.files("station") / PACKAGED_DATA))


DATA_ROOT = data_root()
PROJECT_ROOT = CHECKOUT
CONFIGS = DATA_ROOT / "configs"
SOUNDFONTS = DATA_ROOT / "soundfonts"
DOCS = CHECKOUT / "docs"
PACKAGED = DATA_ROOT != CHECKOUT     # True when running from an installed wheel
