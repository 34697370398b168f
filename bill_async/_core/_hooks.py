"""Event hooks: user callables that run once per attempt, for metrics and tracing.

``Client(event_hooks={"request": [...], "response": [...], "retry": [...]})``. Each hook gets
a ``CallEvent``; it may be a plain function or a coroutine function. A hook that raises fails
the call with its exception, as in httpx.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["HOOK_EVENTS", "CallEvent", "EventHook", "Hooks"]

HOOK_EVENTS = ("request", "response", "retry")


@attrs.frozen
class CallEvent:
    """What happened to one attempt of one call.

    Attributes:
        event: ``"request"`` (about to send), ``"response"`` (an answer, good or bad, or a
            transport failure) or ``"retry"`` (about to wait ``delay`` seconds and send again).
        operation: the operation's path, for example ``"List/Vendor.json"``.
        org_id: the organization.
        attempt: 1 for the first send of a call, 2 for the first retry, ...
        elapsed: seconds since the call started.
        status_code: the HTTP status, when an answer came.
        error: the error of this attempt, if it failed.
        delay: for ``"retry"``, the wait before the next attempt.
    """

    event: str
    operation: str
    org_id: str
    attempt: int
    elapsed: float
    status_code: int | None = None
    error: BaseException | None = None
    delay: float | None = None


EventHook = Callable[[CallEvent], Any]


class Hooks:
    """The hooks of one client, by event."""

    def __init__(self, hooks: Mapping[str, Sequence[EventHook]] | None) -> None:
        hooks = hooks or {}
        unknown = set(hooks) - set(HOOK_EVENTS)
        if unknown:
            raise ValueError(f"unknown hook events {sorted(unknown)}; use {list(HOOK_EVENTS)}")
        self._hooks = {event: tuple(hooks.get(event, ())) for event in HOOK_EVENTS}
        self.any = any(self._hooks.values())

    async def emit(self, event: CallEvent) -> None:
        for hook in self._hooks[event.event]:
            result = hook(event)
            if inspect.isawaitable(result):
                await result
