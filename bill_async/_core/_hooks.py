"""Watching calls: event hooks, for metrics and tracing, and raw answers, for debugging.

``Client(event_hooks={"request": [...], "response": [...], "retry": [...]})``. Each hook gets
a ``CallEvent``; it may be a plain function or a coroutine function. A hook that raises fails
the call with its exception, as in httpx.

``with client.raw_responses() as answers:`` collects a ``RawResponse`` for every answer of the
calls made inside the block (in this task and the tasks it starts): the HTTP status, the
headers and the body as parsed, with every secret masked.
"""

from __future__ import annotations

import contextvars
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._redact import MASK, mask_values, redact_data

if TYPE_CHECKING:
    from .._transports._base import WireAnswer

__all__ = ["CAPTURED", "HOOK_EVENTS", "CallEvent", "EventHook", "Hooks", "RawResponse"]

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


# Headers whose values are secrets (v3 sends the session in one) or set one (BILL's cookie).
_SECRET_HEADERS = frozenset({b"sessionid", b"devkey", b"set-cookie", b"cookie", b"authorization"})


def _masked(value: Any, secrets: Sequence[str]) -> Any:
    value = redact_data(value)
    if isinstance(value, str):
        return mask_values(value, secrets)
    if isinstance(value, Mapping):
        return {key: _masked(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, secrets) for item in value]
    return value


@attrs.frozen
class RawResponse:
    """One answer as it came, for debugging: secrets masked (``***``).

    Attributes:
        operation: the operation, for example ``"Crud/Read/Vendor.json"``.
        attempt: 1 for the first send of a call, 2 for the first retry, ...
        status_code: the HTTP status.
        headers: the answer's headers, as text.
        body: the body as parsed (for v2, BILL's envelope), or its text if it is not JSON.
    """

    operation: str
    attempt: int
    status_code: int
    headers: tuple[tuple[str, str], ...]
    body: Any

    @classmethod
    def of(
        cls, operation: str, attempt: int, answer: WireAnswer, secrets: Sequence[str]
    ) -> RawResponse:
        headers = tuple(
            (
                name.decode("latin-1"),
                MASK if name.lower() in _SECRET_HEADERS else value.decode("latin-1"),
            )
            for name, value in answer.headers
        )
        text = answer.body.decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
            body = text
        return cls(operation, attempt, answer.status, headers, _masked(body, secrets))


# The list a ``raw_responses()`` block collects into, for the tasks inside it.
CAPTURED: contextvars.ContextVar[list[RawResponse] | None] = contextvars.ContextVar(
    "bill_async_raw_responses", default=None
)
