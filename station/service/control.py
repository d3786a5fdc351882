"""The local control socket between the ``station`` CLI and the running daemon.

Protocol: one JSON object per line. Request ``{"cmd": NAME, "args": {...}}``; reply
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "plain words"}``.
The socket is a Unix domain socket with mode 0660 (owner and group only). Handlers are
run by the daemon's engine thread (``ControlServer`` hands them over through a queue),
so a command never races a touch. A handler may return a ``Future`` (work done by
another thread, e.g. the journal's writer); the reply waits for it, off the engine thread.

Limits (``station.service.limits``): a few connections at once (more are told "busy"),
a deadline for each request, a size and nesting limit, arguments checked against the
handler's signature; every refusal gets a plain reply. The socket path is removed only
when it is a socket that no daemon answers: a file, folder or link there is refused.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import stat
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from collections.abc import Callable
from typing import Any

from station.core.errors import ControlError, StationError
from station.service import limits
from station.service.socket_place import (  # noqa: F401  (refuse_if_running: for the daemon)
    clear_stale_socket,
    private_folder,
    refuse_if_running,
)

MAX_REQUEST = limits.MAX_REQUEST
REPLY_TIMEOUT_S = 5.0
LONG_TIMEOUT_S = 120.0     # work handed to another thread (forgetting a client)


class ControlServer:
    """Accept requests on ``path``; ``submit(fn)`` must run ``fn()`` in the engine thread."""

    def __init__(self, path: Path, submit: Callable[[Callable[[], None]], None]) -> None:
        self.path = Path(path)
        self.handlers: dict[str, Callable[..., Any]] = {}
        self._submit = submit
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._inode: int | None = None           # the socket file we made (to remove)
        self._gate = threading.BoundedSemaphore(limits.MAX_CONNECTIONS)

    def start(self) -> None:
        clear_stale_socket(self.path)
        try:
            self._bind()
        except OSError as exc:
            raise StationError(
                f"the control socket cannot be made in {self.path.parent} "
                f"({exc.strerror or exc}). Give the station's user a folder it can write: "
                f"set 'control_socket:' in the station config (e.g. "
                f"/run/station/station.sock under systemd).") from None
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()

    def _bind(self) -> None:
        private_folder(self.path.parent)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # Bound and listening under a temporary name, then renamed into place: the path
        # never exists without a listener (a client would get "connection refused").
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.unlink(missing_ok=True)
        old = os.umask(0o117)                   # created 0660: owner and group only
        try:
            sock.bind(str(tmp))
        finally:
            os.umask(old)
        sock.listen(64)
        os.chmod(tmp, 0o660)
        self._inode = os.lstat(tmp).st_ino
        try:
            os.link(tmp, self.path)             # never over anything that appeared there
        except FileExistsError:
            sock.close()
            raise StationError(f"something appeared at the control socket path {self.path} "
                               f"while the station started; start it again.") from None
        finally:
            tmp.unlink(missing_ok=True)
        sock.settimeout(0.5)
        self._sock = sock

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.remove()

    def remove(self) -> None:
        """Remove the socket file, if it is still the one this server made."""
        try:
            st = os.lstat(self.path)
            if self._inode is not None and stat.S_ISSOCK(st.st_mode) and \
                    st.st_ino == self._inode:
                self.path.unlink()
        except OSError:
            pass      # gone already, or someone else's now: leave it

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._gate.acquire(blocking=False):
                _reply(conn, {"ok": False, "busy": True, "error": limits.BUSY}, 0.2)
                continue
            try:
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()
            except RuntimeError:          # no more threads: refuse, never stop serving
                self._gate.release()
                _reply(conn, {"ok": False, "busy": True, "error": limits.BUSY}, 0.2)

    def _answer(self, conn: socket.socket) -> None:
        try:
            try:
                cmd, args = limits.parse_request(limits.read_request(conn))
                reply = self.call(cmd, args)
            except limits.RequestError as exc:
                reply = {"ok": False, "error": f"refused: {exc}", "code": 1}
            except OSError:
                reply = {"ok": False, "error": "refused: the request could not be read.",
                         "code": 1}
            _reply(conn, reply, REPLY_TIMEOUT_S)
        finally:
            self._gate.release()

    def call(self, cmd: str, args: dict) -> dict:
        """Run command ``cmd`` with ``args`` in the engine thread and wait for its reply.

        The one command path: the socket and any other front end (the panel) go through
        it. Returns ``{"ok": True, "result": ...}`` or ``{"ok": False, "error": words}``.
        """
        handler = self.handlers.get(cmd) if isinstance(cmd, str) else None
        if handler is None:
            return {"ok": False, "error": f"the station does not know the command "
                                          f"'{str(cmd)[:40]}'. Is the CLI newer than the "
                                          f"daemon?"}
        if not isinstance(args, dict):
            return {"ok": False, "error": "refused: the command's args must be an object.",
                    "code": 1}
        try:
            limits.check_args(cmd, handler, args)
        except limits.RequestError as exc:
            return {"ok": False, "error": f"refused: {exc}", "code": 1}
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
            result = future.result(timeout=REPLY_TIMEOUT_S)
            if isinstance(result, Future):        # finished by another thread
                result = result.result(timeout=LONG_TIMEOUT_S)
            if dataclasses.is_dataclass(result) and not isinstance(result, type):
                result = dataclasses.asdict(result)
            return {"ok": True, "result": result}
        except StationError as exc:   # the code lets the CLI exit as it would locally
            return {"ok": False, "error": str(exc), "code": exc.exit_code}
        except TimeoutError:
            return {"ok": False, "error": "the station did not answer in time (busy or stuck)."}
        except Exception as exc:
            return {"ok": False, "error": f"internal error in the station: {exc!r}"}


def _reply(conn: socket.socket, reply: dict, timeout: float) -> None:
    with conn:
        try:
            conn.settimeout(timeout)
            conn.sendall(json.dumps(reply, default=str).encode() + b"\n")
        except OSError:
            pass  # the client went away; nothing to tell it


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


def request(path: Path, cmd: str, *, retry_s: float = 0.0, timeout: float | None = None,
            **args: Any) -> Any:
    """Send one command to the daemon and return its result, or raise ControlError.

    ``retry_s``: keep retrying this long while the station says it is busy (or its
    queue of connections is full). ``timeout``: seconds to wait for the reply."""
    end = time.monotonic() + retry_s
    wait = 0.05
    while True:
        try:
            return _request_once(path, cmd, timeout, args)
        except _Busy as exc:
            if time.monotonic() + wait > end:
                raise ControlError(str(exc)) from None
            time.sleep(wait)
            wait = min(wait * 2, 0.5)


class _Busy(Exception):
    pass


def _request_once(path: Path, cmd: str, timeout: float | None, args: dict) -> Any:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout or REPLY_TIMEOUT_S + 1)
    try:
        s.connect(str(path))
    except FileNotFoundError:
        raise ControlError(f"the station is not running (no control socket at {path}). "
                           f"Start it with 'station run' or 'systemctl start station'.") from None
    except PermissionError:
        raise ControlError(f"no permission to talk to the station at {path}: run this as the "
                           f"station's user or a member of its group.") from None
    except (TimeoutError, BlockingIOError):
        s.close()
        raise _Busy(f"the station at {path} is busy (too many connections); try again.") \
            from None
    except OSError as exc:
        raise ControlError(f"the station at {path} does not answer ({exc.strerror}). "
                           f"Is it running?") from None
    try:
        try:
            s.sendall(json.dumps({"cmd": cmd, "args": args}).encode() + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass            # refused before it read the request: its reply says why
        reply = json.loads(_read_line(s) or "{}")
    except (OSError, ValueError) as exc:
        raise ControlError(f"the station at {path} stopped answering ({exc}).") from None
    finally:
        s.close()
    if not isinstance(reply, dict):
        raise ControlError(f"the station at {path} gave an answer this CLI does not "
                           f"understand; is the CLI older than the daemon?")
    if reply.get("busy"):
        raise _Busy(reply.get("error") or limits.BUSY)
    if not reply.get("ok"):
        error = ControlError(reply.get("error") or "the station refused the command.")
        if isinstance(reply.get("code"), int):     # the station answered: it refused
            error.exit_code = reply["code"]
        raise error
    return reply.get("result")
