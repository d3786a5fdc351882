"""Keeping a station's shared profiles and plans in step with the clinic, both ways.

``SharedSync.sync(pg)`` runs on the replicator's connection between pushes, every 2 s
at most (``station.clinic.link``), so a change made in one room plays in the others
within seconds; nothing runs while the link is down, and the station plays on from the
files it has:

1. **Out**: a tracked file (``station.clinic.cache``) whose bytes changed here was edited
   here (the panel, an editor): if it is valid it is published as the next version from
   the version the station held (``station.clinic.shared.publish``). If another room
   changed it meanwhile the clinic refuses it; the local file is kept, untouched, and
   the conflict (who, which version, the diff) is shown until it is resolved: publish
   again from the new version (``station clinic profile publish NAME --base N``), or
   remove the local file to take the clinic's.
2. **In**: every shared text changed since the last look (``clinic.history`` ids above
   the last seen) is checked and written where the station plays it, if the cache's
   rules allow (never over a file the station did not write).

``publish_edit`` is the panel's way: an edit saved on the panel is published at once, and
a conflict undoes the local write and answers 409 with what changed.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from station.clinic import shared as clinic_shared
from station.clinic.cache import Cache, digest, read_text
from station.core.errors import StationError

log = logging.getLogger("station.clinic")


def check_text(kind: str, name: str, body: bytes) -> str | None:
    """None if ``body`` is a valid profile/plan named ``name``, else why not (words)."""
    from station.config.plan import load_plan_file
    from station.config.profile import ID_PATTERN, load_profile
    if not ID_PATTERN.match(name):
        return f"'{name}' is not a name the station can use as a file name"
    folder = Path(tempfile.mkdtemp(prefix="station-shared-"))
    try:
        path = folder / f"{name}.yaml"
        path.write_bytes(body)
        (load_profile if kind == "profile" else load_plan_file)(path)
    except (StationError, ValueError) as exc:
        return " ".join(getattr(exc, "problems", None) or [str(exc)])[:500]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return None


class SharedSync:
    """Both ways for one station: ``who`` names its changes (the station id)."""

    def __init__(self, cache: Cache, who: str,
                 connect: Callable | None = None) -> None:
        self.cache = cache
        self.who = who
        self._connect = connect         # the panel's own short connection

    def sync(self, pg, forgotten: Callable[[str], bool] | None = None) -> dict:
        """One round both ways; returns counts (published, written, held, conflicts).
        ``forgotten(client_id)``: True for a client forgotten in the clinic."""
        done = {"published": 0, "written": 0, "held": 0, "conflicts": 0}
        with self.cache.locked() as state:
            if forgotten is not None:
                self._forget(pg, state, forgotten)
            behind = []          # held back or refused before: looked at again each time
            for key, item in list(state["items"].items()):
                kind, name = key.split("/", 1)
                if item.get("held") or item.get("conflict"):
                    behind.append((kind, name))
                self._out(pg, kind, name, item, done)
            rows = pg.execute("SELECT id, kind, name FROM clinic.history WHERE id > %s "
                              "ORDER BY id", (state["seen"],)).fetchall()
            for kind, name in dict.fromkeys(behind + [(k, n) for _i, k, n in rows]):
                current = clinic_shared.fetch(pg, kind, name)
                if current is not None:
                    self._in(state, current, done)
            if rows:
                state["seen"] = rows[-1][0]
        return done

    def _forget(self, pg, state: dict, forgotten: Callable[[str], bool]) -> None:
        """A client forgotten in the clinic (``station.clinic.forget`` deleted their
        shared profile): the copy this station made goes too, if unchanged since; a file
        someone made or edited here (published from here, adopted) is theirs to remove:
        it is only no longer kept in step."""
        for key in [k for k in state["items"] if k.startswith("profile/")]:
            name = key.split("/", 1)[1]
            if not forgotten(name) or clinic_shared.fetch(pg, "profile", name) is not None:
                continue
            item = state["items"].pop(key)
            path = self.cache.path("profile", name)
            local = read_text(path)
            if item.get("wrote") and local is not None and digest(local) == item.get("sha"):
                path.unlink()
            (self.cache.folder / "texts" / "profile" / f"{name}.txt").unlink(missing_ok=True)
            log.info("clinic: %s was forgotten in the clinic; their shared profile is gone "
                     "from this station too", name)

    def _out(self, pg, kind: str, name: str, item: dict, done: dict) -> None:
        local = read_text(self.cache.path(kind, name))
        if "version" not in item:                # held: not the station's to publish
            return
        if local is None or digest(local) == item.get("sha"):
            item.pop("conflict", None)          # unchanged here (or undone): nothing out
            return
        if item.get("conflict", {}).get("sha") == digest(local):
            done["conflicts"] += 1               # already refused: wait for a resolution
            return
        why = check_text(kind, name, local)
        if why:
            item["held"] = f"the edited file is not valid, so it is not shared: {why}"
            done["held"] += 1
            return
        try:
            self.publish(pg, kind, name, local.decode("utf-8"), item, done)
        except clinic_shared.Conflict:
            pass                                  # recorded in the item; shown in status

    def publish(self, pg, kind: str, name: str, text: str, item: dict, done: dict) -> None:
        """Publish ``text`` from ``item``'s version; on a conflict record it and raise."""
        try:
            new = clinic_shared.publish(pg, kind, name, text, item.get("version"), self.who)
        except clinic_shared.Conflict as exc:
            if exc.current.body == text:           # the same text, published elsewhere
                new = exc.current
            else:
                item["conflict"] = {"version": exc.current.version, "sha": digest(
                    text.encode()), "by": exc.current.changed_by, "diff": exc.diff[:20000]}
                done["conflicts"] += 1
                log.warning("clinic: %s", exc)
                raise
        item.update(version=new.version, sha=digest(text.encode()))
        item.pop("conflict", None)
        item.pop("held", None)
        self.cache.keep_copy(kind, name, new.version, text)
        done["published"] += 1

    def _in(self, state: dict, current, done: dict) -> None:
        key = f"{current.kind}/{current.name}"
        item = state["items"].get(key)
        if item is not None and item.get("version", 0) >= current.version:
            return
        why = check_text(current.kind, current.name, current.body.encode("utf-8"))
        if why:
            log.warning("clinic: the shared %s %s version %d is not used here: %s",
                        current.kind, current.name, current.version, why)
            return
        what = self.cache.write_file(current.kind, current.name, current.body, item)
        if what == "held":
            if item is None or item.get("conflict") is None:
                state["items"][key] = {**(item or {}), "held": (
                    f"a local file that is not the station's differs from the shared "
                    f"version {current.version}; it is kept")}
                if item is None:
                    state["items"][key].pop("version", None)
            done["held"] += 1
            return
        state["items"][key] = {"version": current.version,
                               "sha": digest(current.body.encode("utf-8")),
                               # the station made the file (not adopted, not published)
                               "wrote": what == "created" or bool((item or {}).get("wrote"))}
        self.cache.keep_copy(current.kind, current.name, current.version, current.body)
        done["written"] += what in ("created", "written")

    def track(self, kind: str, name: str, version: int, text: str) -> None:
        """Record a text published from this station by other means (the CLI)."""
        with self.cache.locked() as state:
            state["items"][f"{kind}/{name}"] = {"version": version,
                                                "sha": digest(text.encode("utf-8"))}
        self.cache.keep_copy(kind, name, version, text)

    def publish_edit(self, kind: str, name: str, before: bytes, after: str) -> str | None:
        """The panel saved ``after`` over ``before``: publish it now if the text is
        shared. Returns a note for the panel (None: not shared). A conflict puts
        ``before`` back and raises ``shared.Conflict``; an unreachable clinic leaves
        the edit to the next sync."""
        from station.clinic.settings import ClinicError, first_line, psycopg
        with self.cache.locked() as state:
            item = state["items"].get(f"{kind}/{name}")
            if item is None or "version" not in item:
                return None
            try:
                pg = self._connect()
            except ClinicError:
                return "saved here; the clinic database does not answer now, so the change " \
                       "is shared as soon as it does."
            try:
                self.publish(pg, kind, name, after, item, {"published": 0, "conflicts": 0})
            except clinic_shared.Conflict:
                self.cache.path(kind, name).write_bytes(before)      # the edit is undone
                item.pop("conflict", None)
                raise
            except psycopg().Error as exc:       # the link failed midway: the sync retries
                return f"saved here; not shared yet ({first_line(exc)}): it is shared " \
                       f"by the next sync."
            finally:
                pg.close()
        return f"shared with the clinic's other rooms as version {item['version']}."
