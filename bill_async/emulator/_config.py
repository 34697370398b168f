"""The emulator's configuration, its demo account, and a clock tests can move by hand."""

from __future__ import annotations

import datetime as _dt
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import attrs

__all__ = [
    "DEMO_DEV_KEY",
    "DEMO_MFA_CODE",
    "DEMO_ORG_NAMES",
    "DEMO_PASSWORD",
    "DEMO_TOKEN_NAME",
    "DEMO_TOKEN_VALUE",
    "DEMO_USER_NAME",
    "EmulatorConfig",
    "Latency",
    "ManualClock",
]

DEMO_DEV_KEY = "demo-dev-key"
DEMO_USER_NAME = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_TOKEN_NAME = "demo-token"
DEMO_TOKEN_VALUE = "demo-token-value"
# The one MFA code MFAAuthenticate.json accepts (no text message is ever sent).
DEMO_MFA_CODE = "123456"
DEMO_ORG_NAMES = (
    "Northwind Traders",
    "Contoso Manufacturing",
    "Fabrikam Services",
    "Tailspin Toys",
)

# Seconds added to each admitted request: a fixed delay, or a (low, high) uniform range.
Latency = float | tuple[float, float]


def _check_latency(_: object, attribute: attrs.Attribute[Any], value: Latency) -> None:
    low, high = value if isinstance(value, tuple) else (value, value)
    if not 0 <= low <= high:
        raise ValueError(f"{attribute.name} must be seconds >= 0, or a (low, high) range")


def _host_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(name.lower() for name in names)


def _seconds(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(value)


def _check_schedule(_: object, attribute: attrs.Attribute[Any], value: tuple[float, ...]) -> None:
    if not all(isinstance(delay, int | float) and delay >= 0 for delay in value):
        raise ValueError(f"{attribute.name} must be seconds >= 0")


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive")


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """Everything the emulator's behaviour depends on. Immutable; ``attrs.evolve`` to change.

    Attributes:
        dev_key, user_name, password, token_name, token_value: the demo account's credentials.
        org_names: one organization per name (ListOrgs lists them in this order). The sync token
            belongs to the organization at ``token_org`` (an index).
        idle_timeout: seconds without a call after which a credential session is invalid
            (BDC_1109). Token sessions never idle out.
        max_in_flight: requests in flight per (devKey, organization) before BDC_1322.
        hourly_requests / hourly_logins: the hourly budgets per devKey (BDC_1144), counted
            over both faces; logins count Login.json, ListOrgs.json and ``POST /v3/login``
            together, and not toward ``hourly_requests``.
        messages_per_minute: v3 calls that text or email someone (an MFA challenge, an
            invoice sent, a network invitation) per devKey in any minute.
        latency: seconds from a request's admission to its answer (fixed, or a (low, high)
            range drawn from a ``random.Random(seed)``), inside the in-flight window. The
            operation's own time counts toward it; an operation that takes longer is answered
            when it is done.
        mfa_code: the code MFAAuthenticate.json accepts.
        mfa_trust_days: how long a remembered ``mfaId`` can make Login.json trusted.
        seed: the seed of the demo data (and of the ids the emulator hands out).
        scale: multiplies the demo data's size; 1.0 gives hundreds of vendors and customers
            and thousands of bills and invoices per organization, 0.01 a few of each.
        anchor_date: the demo data's "today": seeded dates fall in the year before it.
        webhook_retry_schedule: seconds between a failed delivery and each of its retries
            (BILL's rules page: 2, 4, 8, 16); when the last retry fails too, the subscription is
            disabled. ``emulator.webhooks.set_retry_schedule()`` changes it while running.
        webhook_timeout: seconds a subscriber has to answer a delivery (BILL: 10) before the
            attempt counts as failed.
        webhook_customer_events: also offer and send ``customer.created|updated|archived|
            restored``. BILL's catalogue has no customer events: off by default, so that code
            written against the emulator does not wait for events BILL never sends.
        webhook_string_bodies: send each delivery's body as a JSON string holding the event
            (BILL's rules page: "the payload is JSON-escaped and is presented as a string")
            instead of the event object itself.
        clock: monotonic seconds, for idle timeouts, idempotency keys and when deliveries are
            due. wall_clock: POSIX seconds, for timestamps, dates and BILL's clock hours.
        allowed_hosts: host names the emulator answers besides its own address and localhost
            (``Host`` header; a name it is reached by, such as a container's). Any other is
            refused with HTTP 421, so that a web page cannot reach it through DNS rebinding.
    """

    dev_key: str = DEMO_DEV_KEY
    user_name: str = DEMO_USER_NAME
    password: str = attrs.field(default=DEMO_PASSWORD, repr=False)
    token_name: str = DEMO_TOKEN_NAME
    token_value: str = attrs.field(default=DEMO_TOKEN_VALUE, repr=False)
    org_names: tuple[str, ...] = DEMO_ORG_NAMES
    token_org: int = 0
    idle_timeout: float = attrs.field(default=35 * 60.0, validator=_positive)
    max_in_flight: int = 3
    hourly_requests: int = 20_000
    hourly_logins: int = 200
    messages_per_minute: int = 5
    latency: Latency = attrs.field(default=0.0, validator=_check_latency)
    mfa_code: str = DEMO_MFA_CODE
    mfa_trust_days: int = 30
    seed: int = 0
    scale: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    anchor_date: _dt.date = _dt.date(2024, 7, 31)
    webhook_retry_schedule: tuple[float, ...] = attrs.field(
        default=(2.0, 4.0, 8.0, 16.0), converter=_seconds, validator=_check_schedule
    )
    webhook_timeout: float = attrs.field(default=10.0, validator=_positive)
    webhook_customer_events: bool = False
    webhook_string_bodies: bool = False
    clock: Callable[[], float] = attrs.field(default=time.monotonic, eq=False, repr=False)
    wall_clock: Callable[[], float] = attrs.field(default=time.time, eq=False, repr=False)
    allowed_hosts: tuple[str, ...] = attrs.field(default=(), converter=_host_names)

    def __attrs_post_init__(self) -> None:
        if not self.org_names:
            raise ValueError("org_names must name at least one organization")
        if not 0 <= self.token_org < len(self.org_names):
            raise ValueError("token_org must index org_names")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")


class ManualClock:
    """A clock that moves only when told: ``clock.advance(seconds)``. Thread-safe.

    Pass it as ``EmulatorConfig(clock=...)`` (and to the SDK's ``CredentialLogin(clock=...)``)
    to cross an idle timeout without waiting.
    """

    def __init__(self, start: float = 1_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        with self._lock:
            self._now += seconds
