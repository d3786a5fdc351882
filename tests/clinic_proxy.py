"""A TCP proxy of the tests' own between a station and the clinic database (asyncio).

It listens on 127.0.0.1 (a free port) and forwards each connection to the cluster's Unix
socket, so the database itself stays socket-only. Faults are decided per forwarded chunk
by a seeded ``random.Random``: ``drop`` closes both sides of that connection at once (a
link that fails mid-batch), ``stall`` holds the chunk back a moment first (a slow link).
``stall_at=(n, marker)`` instead holds back the n-th chunk from the station that
contains ``marker`` (b"COMMIT": a batch's rows went out, its commit did not) until
``release()``; ``stalled`` is set then: the moment a test kills
the station mid-batch.
"""

from __future__ import annotations

import asyncio
import random
import threading
from pathlib import Path


class FaultyLink:
    def __init__(self, unix_socket: Path, seed: int = 1, drop: float = 0.0,
                 stall: float = 0.0, max_drops: int = 0,
                 stall_at: tuple[int, bytes] | None = None):
        self.unix_socket = str(unix_socket)
        self.rng = random.Random(seed)
        self.drop_p, self.stall_p, self.max_drops = drop, stall, max_drops
        self.stall_at = stall_at
        self.marked = 0
        self.drops = self.stalls = self.chunks_up = 0
        self.stalled = threading.Event()
        self._release: asyncio.Event | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def __enter__(self) -> FaultyLink:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _shutdown(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def release(self) -> None:
        if self._release is not None:
            self._loop.call_soon_threadsafe(self._release.set)

    def dsn(self, dbname: str, user: str) -> str:
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={user} sslmode=disable"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._release = asyncio.Event()
        server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()

    async def _serve(self, down_r, down_w) -> None:
        try:
            up_r, up_w = await asyncio.open_unix_connection(self.unix_socket)
        except OSError:
            down_w.close()
            return
        ends = (down_w, up_w)
        await asyncio.gather(self._pipe(down_r, up_w, ends, upstream=True),
                             self._pipe(up_r, down_w, ends, upstream=False),
                             return_exceptions=True)

    async def _pipe(self, src, dst, ends, upstream: bool) -> None:
        try:
            while True:
                data = await src.read(65536)
                if not data:
                    break
                if upstream:
                    self.chunks_up += 1
                    if self.stall_at and self.stall_at[1] in data:
                        self.marked += 1
                    if self.stall_at and self.marked == self.stall_at[0] and \
                            not self.stalled.is_set():
                        self.stalled.set()
                        await self._release.wait()
                        break                     # the station is gone: so is the link
                if self.drops < self.max_drops and self.rng.random() < self.drop_p:
                    self.drops += 1
                    break
                if self.rng.random() < self.stall_p:
                    self.stalls += 1
                    await asyncio.sleep(self.rng.uniform(0.001, 0.03))   # a slow link
                dst.write(data)
                await dst.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            for w in ends:
                w.close()
