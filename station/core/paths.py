"""Where the station's own data lives: the project folder beside the package.

Configs (``configs/``), the timbre catalogue (``soundfonts/``) and the generated docs
(``docs/``) sit next to ``station/`` in a checkout (the editable install ``run.sh``
makes). Every module finds them through ``PROJECT_ROOT`` so there is one place to change.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIGS = PROJECT_ROOT / "configs"
SOUNDFONTS = PROJECT_ROOT / "soundfonts"
DOCS = PROJECT_ROOT / "docs"
