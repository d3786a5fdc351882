"""Builds the one compiled part of the station: the output ceiling's limiter.

Everything else is in pyproject.toml. ``station/sound/limiter.c`` is a plain C library
(no Python API: station/sound/limiter.py loads it with ctypes), built as an extension so
that ``pip install .`` and the editable install of ``./run.sh`` compile it with the
system's C compiler (apt: gcc, libc6-dev).
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("station.sound._limiter", sources=["station/sound/limiter.c"],
              extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra", "-pthread"],
              extra_link_args=["-pthread", "-lm"]),
])
