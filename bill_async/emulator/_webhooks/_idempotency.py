"""``X-Idempotent-Key`` on the two webhook calls that take it (create a subscription, rotate its
key): a UUID4, required; the same key within 24 hours answers the first answer again, and 429
while the first is still being answered (reference §4.5).

Keys are kept per organization. An answer of 500 or more is not kept (the call may be sent
again and run); any other is, refusals of the call's body included, as BILL keeps "the
response".
"""

from __future__ import annotations

import uuid

import attrs

from .._v3._wire import V3Fault, bad_request

__all__ = ["KEY_HEADER", "TTL", "IdempotencyKeys"]

KEY_HEADER = "x-idempotent-key"
TTL = 24 * 3600.0


@attrs.define
class _Kept:
    at: float
    answer: tuple[int, bytes] | None = None
    done: bool = False


def _checked(key: str | None) -> str:
    if not key:
        raise bad_request("X-Idempotent-Key: The X-Idempotent-Key header is required")
    try:
        parsed = uuid.UUID(key)
    except ValueError:
        parsed = None
    if parsed is None or parsed.version != 4 or str(parsed) != key.lower():
        raise bad_request("X-Idempotent-Key: must be a UUID4")
    return key.lower()


class IdempotencyKeys:
    """The keys seen in the last 24 hours and the answers they got."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], _Kept] = {}

    def begin(self, org_id: str, key: str | None, now: float) -> tuple[int, bytes] | None:
        """Check a request's key: the first answer if the key was answered, else None (and the
        key is now in progress). Raises 400 for a missing or malformed key, 429 while the
        key's first request is still being answered."""
        key = _checked(key)
        self._forget_old(now)
        kept = self._kept.get((org_id, key))
        if kept is None:
            self._kept[(org_id, key)] = _Kept(now)
            return None
        if not kept.done or kept.answer is None:
            raise V3Fault(429, None, "A request with this X-Idempotent-Key is in progress.")
        return kept.answer

    def answered(self, org_id: str, key: str | None, status: int, body: bytes) -> None:
        """The first request's answer, kept once it has been sent (``finish``)."""
        kept = self._kept.get((org_id, (key or "").lower()))
        if kept is None or kept.done:
            return
        if status >= 500:
            del self._kept[(org_id, (key or "").lower())]
        else:
            kept.answer = (status, body)

    def finish(self, org_id: str, key: str | None) -> None:
        """The first request's answer was sent (or it failed): repeats get it from now on."""
        name = (org_id, (key or "").lower())
        kept = self._kept.get(name)
        if kept is None or kept.done:
            return
        if kept.answer is None:  # it never got an answer to keep
            del self._kept[name]
        else:
            kept.done = True

    def _forget_old(self, now: float) -> None:
        for name in [name for name, kept in self._kept.items() if now - kept.at >= TTL]:
            del self._kept[name]
