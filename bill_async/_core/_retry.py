"""When a failed call may be sent again, and how long to wait first.

Reads (List, Crud/Read, Get*) are sent again after any failure that may pass: a timeout, a dropped
connection, HTTP 5xx, BDC_1322. BILL v2 has no idempotency key, so a write is sent again only when
it provably did not run: the connection was never made, no pooled connection was free, or BILL
refused it (BDC_1322, or BDC_1109 before the session was renewed). Any other failure of a write
raises ``AmbiguousWriteError``.
"""

from __future__ import annotations

import random

import attrs

__all__ = ["RetryPolicy"]


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with full jitter, a cap, a retry count and an overall deadline.

    Attributes:
        max_retries: how many times one call may be sent again (0: never).
        base_delay: the first backoff's upper bound, in seconds; it doubles each retry.
        max_delay: the cap on one backoff.
        deadline: seconds from the call's start after which no retry starts (None: no deadline).
        wait_on_hourly_limit: on BDC_1144 (or a spent budget), wait for the top of the next
            hour and go on, instead of raising ``RateLimitError``.
    """

    max_retries: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    deadline: float | None = 120.0
    wait_on_hourly_limit: bool = False

    def __attrs_post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("delays must be 0 or more")

    def backoff(self, retry: int, uniform: random.Random | None = None) -> float:
        """How long to wait before retry number ``retry`` (1 for the first): full jitter."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry - 1)))
        return (uniform or _random).uniform(0.0, ceiling)


_random = random.Random()
