"""Build step of the station's wheel: the data trees ride inside the package.

Everything about the project is in pyproject.toml; this file only adds one build step.
``configs/`` (station.yaml, clients, songs, scenarios, plans: the whole tree, so a new
folder ships without touching this file) and ``soundfonts/`` stay at the top of the
repository, where therapists and the design card expect them; ``build_py`` copies both
into ``station/_data/`` of the wheel, where ``station.core.paths`` finds them with
``importlib.resources`` once installed. An editable install (``run.sh``) copies nothing:
it reads the checkout itself.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_TREES = ("configs", "soundfonts")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*", "*.wav", ".*")


class BuildWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "station" / "_data"
        for tree in DATA_TREES:
            shutil.rmtree(target / tree, ignore_errors=True)
            shutil.copytree(ROOT / tree, target / tree, ignore=SKIP)


setup(cmdclass={"build_py": BuildWithData})
