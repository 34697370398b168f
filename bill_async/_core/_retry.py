"""When a failed call may be sent again, and how long to wait first: decided here, and only here.

Reads (List, Crud/Read, Get*) are sent again after any failure that may pass: a timeout, a dropped
connection, HTTP 5xx, HTTP 429 (after its ``Retry-After``, within the deadline), BDC_1322. BILL
has no idempotency key for its writes, so a write is sent again only when it provably did not
run: the connection was never made, no pooled connection was free, or BILL refused it (BDC_1322,
or BDC_1109 before the session was renewed). Any other failure of a write raises
``AmbiguousWriteError``. ``next_step`` says which; the pipeline does it.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import enum
import random

import attrs

from .._exceptions import (
    ApiError,
    ConcurrencyLimitError,
    ConnectError,
    ConnectTimeoutError,
    PoolTimeoutError,
    ProtocolError,
    RateLimitError,
    SessionExpiredError,
)
from .._transports._base import Headers
from ._operation import Resend

__all__ = ["PROVABLY_UNSENT", "RetryPolicy", "Step", "next_step", "retry_after"]

# Failures after which the request provably did not reach BILL: any call may be sent again.
PROVABLY_UNSENT = (ConnectError, ConnectTimeoutError, PoolTimeoutError)


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with full jitter, a cap, a retry count and an overall deadline.

    Attributes:
        max_retries: how many times one call may be sent again (0: never).
        base_delay: the first backoff's upper bound, in seconds; it doubles each retry.
        max_delay: the cap on one backoff.
        deadline: seconds from the call's start after which no retry starts, and by which the
            attempt in flight must have its whole answer (None: no deadline).
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


class Step(enum.Enum):
    """What to do after a failed attempt."""

    RAISE = "raise"
    RAISE_AMBIGUOUS = "raise ambiguous"  # a write that may have run: never sent again
    RENEW_SESSION = "renew session"  # BILL refused the session, so the call did not run
    WAIT_FOR_HOUR = "wait for the hour"  # BDC_1144, when the policy says to wait
    BACK_OFF = "back off"  # send again after the policy's backoff, within its count and deadline


def next_step(
    failure: Exception,
    resend: Resend,
    *,
    had_session: bool,
    renewed: bool,
    wait_on_hourly_limit: bool,
) -> Step:
    """The one answer to "may this be sent again?".

    ``had_session``: the attempt was sent in a session (BDC_1109 then means sign in again).
    ``renewed``: the attempt before was already a replay after BDC_1109 (a second one in a row
    is final)."""
    if isinstance(failure, SessionExpiredError):
        return Step.RENEW_SESSION if had_session and not renewed else Step.RAISE
    if isinstance(failure, RateLimitError):
        return Step.WAIT_FOR_HOUR if wait_on_hourly_limit else Step.RAISE
    if isinstance(failure, ConcurrencyLimitError):
        return Step.BACK_OFF  # BILL refused it: it did not run
    if isinstance(failure, ApiError):
        return Step.RAISE
    if resend is Resend.IF_NOT_SENT:
        # It may have run (an answer was lost or unreadable): never send it again.
        return Step.BACK_OFF if isinstance(failure, PROVABLY_UNSENT) else Step.RAISE_AMBIGUOUS
    if isinstance(failure, ProtocolError) and failure.status_code < 500:
        if failure.status_code == _TOO_MANY_REQUESTS:
            return Step.BACK_OFF  # a gateway's rate limit: after its Retry-After
        return Step.RAISE  # a read answered with something that is not BILL's: final
    return Step.BACK_OFF


_TOO_MANY_REQUESTS = 429


def retry_after(headers: Headers, now: float) -> float | None:
    """The seconds an answer's ``Retry-After`` asks to wait (a number of seconds, or an HTTP
    date compared with the POSIX time ``now``); None when it has none that can be read."""
    for name, value in headers:
        if name.lower() != b"retry-after":
            continue
        text = value.decode("latin-1").strip()
        if text.isdigit():
            return float(text)
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.UTC)
        return max(0.0, when.timestamp() - now)
    return None
