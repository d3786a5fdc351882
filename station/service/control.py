"""The local control socket between the ``station`` CLI and the running daemon.

Protocol: one JSON object per line. Request ``{"cmd": NAME, "args": {...}}``; reply
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "plain words"}``.
The socket is a Unix domain socket with mode 0660 (owner and group only). Handlers are
run by the daemon's engine thread (``ControlServer`` hands them over through a queue),
so a command never races a touch.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

from station.core.errors import ControlError, StationError

MAX_REQUEST = 64 * 1024
REPLY_TIMEOUT_S = 5.0


class ControlServer:
    """Accept requests on ``path``; ``submit(fn)`` must run ``fn()`` in the engine thread."""

    def __init__(self, path: Path, submit: Callable[[Callable[[], None]], None]) -> None:
        self.path = Path(path)
        self.handlers: dict[str, Callable[..., Any]] = {}
        self._submit = submit
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self) -> None:
        refuse_if_running(self.path)
        self.path.unlink(missing_ok=True)      # stale socket of a crashed daemon
        self.path.parent.mkdir(parents=True, exist_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o117)                   # created 0660: owner and group only
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o660)
        sock.listen(8)
        sock.settimeout(0.5)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.path.unlink(missing_ok=True)

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(REPLY_TIMEOUT_S)
            try:
                request = json.loads(_read_line(conn))
                reply = self.call(request["cmd"], request.get("args") or {})
            except (ValueError, KeyError, TypeError, OSError) as exc:
                reply = {"ok": False, "error": f"bad control request ({exc})."}
            try:
                conn.sendall(json.dumps(reply, default=str).encode() + b"\n")
            except OSError:
                pass  # the client went away; nothing to tell it

    def call(self, cmd: str, args: dict) -> dict:
        """Run command ``cmd`` with ``args`` in the engine thread and wait for its reply.

        The one command path: the socket and any other front end (the panel) go through
        it. Returns ``{"ok": True, "result": ...}`` or ``{"ok": False, "error": words}``.
        """
        handler = self.handlers.get(cmd)
        if handler is None:
            return {"ok": False, "error": f"the station does not know the command '{cmd}'. "
                                          f"Is the CLI newer than the daemon?"}
        if not isinstance(args, dict):
            raise TypeError("args must be an object")
        future: Future = Future()

        def job() -> None:
            try:
                future.set_result(handler(**args))
            except StationError as exc:
                future.set_exception(exc)
            except Exception as exc:  # a bug must not kill the engine thread
                future.set_exception(exc)
        self._submit(job)
        try:
            return {"ok": True, "result": future.result(timeout=REPLY_TIMEOUT_S)}
        except StationError as exc:   # the code lets the CLI exit as it would locally
            return {"ok": False, "error": str(exc), "code": exc.exit_code}
        except TimeoutError:
            return {"ok": False, "error": "the station did not answer in time (busy or stuck)."}
        except Exception as exc:
            return {"ok": False, "error": f"internal error in the station: {exc!r}"}


def _read_line(conn: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("request too long")
    return data.decode("utf-8")


def refuse_if_running(path: Path) -> None:
    """Raise if a daemon already answers on ``path`` (a second one would fight it)."""
    if not Path(path).exists():
        return
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(str(path))
    except OSError:
        return                                  # stale socket: nobody is listening
    finally:
        s.close()
    raise StationError(f"another station is already running (its control socket is {path}). "
                       f"Stop it first (systemctl stop station, or Ctrl-C in its terminal).")


def request(path: Path, cmd: str, **args: Any) -> Any:
    """Send one command to the daemon and return its result, or raise ControlError."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(REPLY_TIMEOUT_S + 1)
    try:
        s.connect(str(path))
    except FileNotFoundError:
        raise ControlError(f"the station is not running (no control socket at {path}). "
                           f"Start it with 'station run' or 'systemctl start station'.") from None
    except PermissionError:
        raise ControlError(f"no permission to talk to the station at {path}: run this as the "
                           f"station's user or a member of its group.") from None
    except OSError as exc:
        raise ControlError(f"the station at {path} does not answer ({exc.strerror}). "
                           f"Is it running?") from None
    try:
        s.sendall(json.dumps({"cmd": cmd, "args": args}).encode() + b"\n")
        reply = json.loads(_read_line(s) or "{}")
    except (OSError, ValueError) as exc:
        raise ControlError(f"the station at {path} stopped answering ({exc}).") from None
    finally:
        s.close()
    if not reply.get("ok"):
        error = ControlError(reply.get("error") or "the station refused the command.")
        if isinstance(reply.get("code"), int):     # the station answered: it refused
            error.exit_code = reply["code"]
        raise error
    return reply.get("result")
