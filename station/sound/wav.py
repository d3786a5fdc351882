"""Stream rendered audio to a 16-bit stereo WAV file (stdlib ``wave``; no extra dependency).

Used by the simulator and benchmarks to keep a listenable record of a session: frames are
written as they are rendered, so a long session never sits in memory. A recording is
health data: the file is created owner-only (0600, its folder 0700 when new), never
through a symbolic link, and replaces only an earlier WAV (``station.core.files``).
"""

from __future__ import annotations

import os
import wave
from pathlib import Path
from types import TracebackType

import numpy as np

from station.core.errors import AudioError
from station.core.files import check_output, private_dir


class WavWriter:
    """Write int16 stereo frames of shape (frames, 2) to ``path`` at ``sample_rate`` Hz.

    Parent directories are created. Use as a context manager or call ``close()``
    (idempotent); the WAV header's length fields are only correct after closing.
    """

    def __init__(self, path: str | Path, sample_rate: int = 48000) -> None:
        if not 8000 <= int(sample_rate) <= 192000:
            raise ValueError(f"sample rate must be 8000..192000 Hz, got {sample_rate}")
        self.path = Path(path)
        self.sample_rate = int(sample_rate)
        self.frames_written = 0
        check_output(self.path, "recording", replace=b"RIFF")
        try:
            private_dir(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o600)
            os.fchmod(fd, 0o600)         # an earlier recording may have been 0644
            self._file = os.fdopen(fd, "wb")
            self._wave: wave.Wave_write | None = wave.open(self._file, "wb")
        except OSError as exc:
            raise AudioError(f"cannot write the WAV file {self.path}: {exc.strerror or exc}."
                             " Check that the folder exists and is writable.") from exc
        self._wave.setnchannels(2)
        self._wave.setsampwidth(2)  # 16-bit
        self._wave.setframerate(self.sample_rate)

    @property
    def seconds_written(self) -> float:
        """Duration written so far, in seconds."""
        return self.frames_written / self.sample_rate

    def write(self, frames: np.ndarray) -> None:
        """Append ``frames``: int16 array of shape (n, 2) (a flat interleaved array is accepted)."""
        if self._wave is None:
            raise ValueError(f"WAV file {self.path} is already closed")
        data = np.asarray(frames)
        if data.dtype != np.int16:
            raise ValueError(f"WAV frames must be int16, got {data.dtype}")
        if data.ndim == 1:
            if data.size % 2:
                raise ValueError("an interleaved stereo array needs an even number of samples")
            data = data.reshape(-1, 2)
        if data.ndim != 2 or data.shape[1] != 2:
            raise ValueError(f"WAV frames must have shape (n, 2), got {data.shape}")
        # WAV is little-endian; '<i2' makes that explicit on any host
        self._wave.writeframes(np.ascontiguousarray(data, dtype="<i2").tobytes())
        self.frames_written += data.shape[0]

    def close(self) -> None:
        """Finish the header and close the file. Safe to call more than once."""
        if self._wave is not None:
            self._wave.close()
            self._wave = None
            self._file.close()     # wave leaves a file object it was given open

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
