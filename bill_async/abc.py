"""The interfaces users implement: where sessions and limits live, and how to sign in.

A third-party store (a database, another coordination service) subclasses these and plugs
into ``Client(session_store=..., limits=...)``; ``bill_async.redis`` is one such, and the
in-process defaults (``bill_async.InProcessSessionStore``, ``bill_async.InProcessLimits``)
are the others::

    from bill_async.abc import Budget, Governor, LimitStore

    class MyLimits(LimitStore):
        def governor(self, key: str, max_in_flight: int) -> Governor: ...
        def budget(self, key: str, limit: int) -> Budget: ...
"""

from __future__ import annotations

from ._core._auth import AuthStrategy as AuthStrategy
from ._core._limits import Budget as Budget
from ._core._limits import Governor as Governor
from ._core._limits import LimitStore as LimitStore
from ._core._sessions import SessionStore as SessionStore
from ._core._sessions import StoredSession as StoredSession

__all__ = [
    "AuthStrategy",
    "Budget",
    "Governor",
    "LimitStore",
    "SessionStore",
    "StoredSession",
]
