"""Sessions kept in a file of their owner's, so that a job run every few minutes (an export from
cron) goes on with the session of its last run instead of signing in again: BILL allows 200
logins an hour, and an export of N organizations that signs in afresh spends N + 1 of them a run.

The file holds session ids, which are secrets: it is made readable by its owner only (0600, in
a folder made 0700), written whole to a new file and renamed into place, and a file that others
may read or that another user owns is not used at all (a warning says why). Keep it out of
anything shared or exported; the export database is never the place.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from ._sessions import SessionStore, StoredSession

__all__ = ["FileSessionStore", "default_session_file"]

logger = logging.getLogger("bill_async")

# Sessions not used for this long are dropped when the file is written: BILL ends a session
# after 35 idle minutes.
_FORGET_AFTER = 3600.0
_VERSION = 1


def default_session_file(env: Mapping[str, str]) -> Path | None:
    """Where ``bill-async`` keeps sessions between runs: ``$XDG_STATE_HOME/bill-async/
    sessions.json``, else ``~/.local/state/bill-async/sessions.json``; None without a home."""
    state = env.get("XDG_STATE_HOME")
    if state:
        return Path(state) / "bill-async" / "sessions.json"
    home = env.get("HOME")
    if home:
        return Path(home) / ".local" / "state" / "bill-async" / "sessions.json"
    return None


class FileSessionStore(SessionStore):
    """Sessions shared with later runs of the same job, through a file only its owner can read.

    Args:
        path: the file (made, with its folder, if missing).
        scope: a name for what the sessions belong to besides their keys (the ``bill-async``
            command gives the base URL's fingerprint), so that one file serves several.
        wall_clock: POSIX seconds, to drop sessions unused for an hour when the file is written.

    One process signs in at a time per key; two processes that start together may each sign
    in (the file is not locked). Works on asyncio and trio; the file is read and written in a
    worker thread.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        scope: str = "",
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._path = Path(path)
        self._scope = scope
        self._wall_clock = wall_clock
        self._writing = threading.Lock()
        self._locks: weakref.WeakKeyDictionary[object, dict[str, anyio.Lock]] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"<FileSessionStore path={str(self._path)!r}>"

    @property
    def path(self) -> Path:
        return self._path

    def _key(self, key: str) -> str:
        return f"{self._scope}:{key}" if self._scope else key

    async def get(self, key: str) -> StoredSession | None:
        sessions = await anyio.to_thread.run_sync(self._read)
        found = sessions.get(self._key(key))
        return None if found is None else _decode(found)

    async def put(self, key: str, session: StoredSession) -> None:
        def put(sessions: dict[str, Any]) -> None:
            sessions[self._key(key)] = _encode(session)

        await anyio.to_thread.run_sync(self._update, put)

    async def delete(self, key: str, session_id: str) -> None:
        def delete(sessions: dict[str, Any]) -> None:
            found = sessions.get(self._key(key))
            if isinstance(found, dict) and found.get("session_id") == session_id:
                del sessions[self._key(key)]

        await anyio.to_thread.run_sync(self._update, delete)

    async def touch(self, key: str, session_id: str, last_used: float) -> None:
        def touch(sessions: dict[str, Any]) -> None:
            found = sessions.get(self._key(key))
            if isinstance(found, dict) and found.get("session_id") == session_id:
                found["last_used"] = max(float(found.get("last_used", 0.0)), last_used)

        await anyio.to_thread.run_sync(self._update, touch)

    def login_lock(self, key: str) -> AbstractAsyncContextManager[None]:
        from ._limits import current_loop

        per_loop = self._locks.setdefault(current_loop(), {})
        lock = per_loop.get(key)
        if lock is None:
            lock = per_loop[key] = anyio.Lock()
        return lock

    # -- the file ----------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        """The sessions in the file; none when it is missing, unreadable or not private."""
        try:
            fd = os.open(self._path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return {}
        except OSError as error:
            logger.warning("not using the session file %s: %s", self._path, error)
            return {}
        with os.fdopen(fd, "rb") as file:
            refusal = _not_private(os.fstat(file.fileno()))
            if refusal:
                logger.warning("not using the session file %s: %s", self._path, refusal)
                return {}
            try:
                content = json.loads(file.read())
            except ValueError:
                return {}  # damaged: the next write replaces it
        sessions = content.get("sessions") if isinstance(content, dict) else None
        return sessions if isinstance(sessions, dict) else {}

    def _update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Read the file, ``change`` its sessions, and write it whole into place: one change at a
        time in this process (worker threads read and write it; two at once would each write
        the sessions it read, and one would lose the other's)."""
        with self._writing:
            self._update_now(change)

    def _update_now(self, change: Callable[[dict[str, Any]], None]) -> None:
        sessions = self._read()
        if self._path.exists() and not sessions and _refused(self._path):
            return  # not ours to overwrite
        change(sessions)
        now = self._wall_clock()
        sessions = {k: v for k, v in sessions.items() if _used_since(v, now - _FORGET_AFTER)}
        self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self._path.with_name(f".{self._path.name}.{secrets.token_hex(6)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump({"version": _VERSION, "sessions": sessions}, file)
            os.replace(temporary, self._path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


def _not_private(status: os.stat_result) -> str | None:
    """Why a file with ``status`` must not hold sessions, or None."""
    if not stat.S_ISREG(status.st_mode):
        return "it is not a regular file"
    if hasattr(os, "getuid") and status.st_uid != os.getuid():
        return "another user owns it"
    if status.st_mode & 0o077:
        return f"others may read or write it (mode {stat.filemode(status.st_mode)}); chmod 600"
    return None


def _refused(path: Path) -> bool:
    try:
        return _not_private(path.lstat()) is not None
    except OSError:
        return True


def _used_since(raw: Any, since: float) -> bool:
    try:
        return isinstance(raw, dict) and float(raw.get("last_used", 0.0)) > since
    except (TypeError, ValueError):
        return False


def _encode(session: StoredSession) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "org_id": session.org_id,
        "user_id": session.user_id,
        "api_endpoint": session.api_endpoint,
        "last_used": session.last_used,
        "mfa_trusted": session.mfa_trusted,
    }


def _decode(raw: Any) -> StoredSession | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("session_id"), str):
        return None
    try:
        last_used = float(raw.get("last_used", 0.0))
    except (TypeError, ValueError):
        last_used = 0.0  # unreadable: taken as idle, so a fresh login replaces it
    return StoredSession(
        session_id=raw["session_id"],
        org_id=str(raw.get("org_id", "")),
        user_id=raw.get("user_id"),
        api_endpoint=raw.get("api_endpoint"),
        last_used=last_used,
        mfa_trusted=raw.get("mfa_trusted") is True,
    )
