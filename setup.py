"""Build steps of the station's wheel: the data trees ride inside the package, and the
one compiled part, the loudness ceiling's limiter, is built.

Everything about the project is in pyproject.toml; this file only adds two build steps.
``configs/`` (station.yaml, clients, songs, scenarios, plans: the whole tree, so a new
folder ships without touching this file) and ``soundfonts/`` stay at the top of the
repository, where therapists and the design card expect them; ``build_py`` copies both
into ``station/_data/`` of the wheel, where ``station.core.paths`` finds them with
``importlib.resources`` once installed. An editable install (``run.sh``) copies nothing:
it reads the checkout itself.

``station/sound/limiter.c`` is a plain C library (no Python API: station/sound/limiter.py
loads it with ctypes), built as an extension so that ``pip install .`` and the editable
install of ``./run.sh`` compile it with the system's C compiler (apt: gcc, libc6-dev).
"""

import shutil
from pathlib import Path

from setuptools import Extension, setup
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


LIMITER = Extension("station.sound._limiter", sources=["station/sound/limiter.c"],
                    extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra", "-pthread"],
                    extra_link_args=["-pthread", "-lm"])

setup(cmdclass={"build_py": BuildWithData}, ext_modules=[LIMITER])
