"""How a client signs in: the public strategies, frozen configuration safe to share.

A strategy describes credentials (``Credentials``: who, with which secret, to which
organization, with which devKey) and how its sessions behave (idle expiry, the token permission
map). It says nothing of any API's sign-in request: each wire dialect turns the credentials into
its own (v2's Login.json form, v3's JSON ``/v3/login``). Each client builds from its strategy one
``SessionManager`` (``_sessions``), which owns the mutable session.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Mapping
from typing import Any, Self, cast

import attrs

from .._exceptions import ConfigurationError
from ._redact import fingerprint

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "ENV_NAMES",
    "IDLE_SAFETY_MARGIN",
    "AuthStrategy",
    "Clock",
    "CredentialLogin",
    "Credentials",
    "TokenLogin",
    "auth_from_env",
]

DEFAULT_IDLE_TIMEOUT = 35 * 60.0
IDLE_SAFETY_MARGIN = 120.0

Clock = Callable[[], float]


@attrs.frozen
class Credentials:
    """What signs in, whatever the API: a user (or a sync token's name) and its secret, the
    organization and the developer key, and a remembered MFA device when there is one.

    Each dialect names these its own way (v2: ``userName``, ``orgId``, ``mfaId``; v3:
    ``username``, ``organizationId``, ``rememberMeId``). Never log or show them."""

    user_name: str
    password: str = attrs.field(repr=False)
    org_id: str
    dev_key: str = attrs.field(repr=False)
    mfa_id: str | None = attrs.field(default=None, repr=False)
    device_id: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values no error, log or repr may show."""
        return tuple(value for value in (self.password, self.dev_key, self.mfa_id) if value)


class AuthStrategy(abc.ABC):
    """How to sign in: ``CredentialLogin`` or ``TokenLogin``. Immutable; safe to share.

    A strategy of one's own implements ``credentials()`` and ``is_token``."""

    org_id: str
    dev_key: str
    clock: Clock

    @property
    @abc.abstractmethod
    def is_token(self) -> bool:
        """Whether this is a token (sync token) sign-in, to which the permission map applies."""

    @abc.abstractmethod
    def credentials(self) -> Credentials:
        """What signs in, secrets included. Never log or show them."""

    def is_idle(self, idle_for: float) -> bool:
        """Whether a session idle for ``idle_for`` seconds must be replaced before use."""
        return False

    @property
    def trusted_at_login(self) -> bool:
        """Whether signing in is expected to give an MFA-trusted session (a remembered device)."""
        credentials = self.credentials()
        return credentials.mfa_id is not None and credentials.device_id is not None

    def for_org(self, org_id: str) -> Self:
        """The same sign-in for another organization."""
        return cast(Self, attrs.evolve(cast(Any, self), org_id=org_id))

    @property
    def session_key(self) -> str:
        """Names the session this strategy signs in to, without revealing any secret."""
        user_name = self.credentials().user_name
        return f"{fingerprint(self.dev_key)}:{self.org_id}:{fingerprint(user_name)}"


@attrs.frozen
class CredentialLogin(AuthStrategy):
    """Sign in with a user name and password.

    BILL ends the session after 35 idle minutes; the client then signs in again before its next
    call. Pass ``mfa_id`` and ``device_id`` (from ``client.mfa.authenticate(remember_me=True)``)
    to sign in to an MFA-trusted session.
    """

    user_name: str
    password: str = attrs.field(repr=False)
    org_id: str
    dev_key: str = attrs.field(repr=False)
    idle_timeout: float = attrs.field(default=DEFAULT_IDLE_TIMEOUT, kw_only=True)
    clock: Clock = attrs.field(default=time.monotonic, kw_only=True, repr=False, eq=False)
    mfa_id: str | None = attrs.field(default=None, kw_only=True, repr=False)
    device_id: str | None = attrs.field(default=None, kw_only=True)

    @idle_timeout.validator
    def _check_idle_timeout(self, _: attrs.Attribute[float], value: float) -> None:
        if value <= 0:
            raise ValueError("idle_timeout must be positive")

    @property
    def is_token(self) -> bool:
        return False

    def credentials(self) -> Credentials:
        remembered = self.mfa_id is not None and self.device_id is not None
        return Credentials(
            self.user_name,
            self.password,
            self.org_id,
            self.dev_key,
            mfa_id=self.mfa_id if remembered else None,
            device_id=self.device_id if remembered else None,
        )

    def is_idle(self, idle_for: float) -> bool:
        return idle_for >= max(self.idle_timeout - IDLE_SAFETY_MARGIN, self.idle_timeout / 2)


@attrs.frozen
class TokenLogin(AuthStrategy):
    """Sign in with a sync token (its name and value). The session never idles out.

    A token session may not call some operations (users, sending invoices, paying, approving,
    MFA, ...): those raise ``TokenPermissionError`` before anything is sent.
    """

    token_name: str
    token_value: str = attrs.field(repr=False)
    org_id: str
    dev_key: str = attrs.field(repr=False)
    clock: Clock = attrs.field(default=time.monotonic, kw_only=True, repr=False, eq=False)

    @property
    def is_token(self) -> bool:
        return True

    @property
    def user_name(self) -> str:
        """The token's name: what BILL's sign-in takes as the user name."""
        return self.token_name

    def credentials(self) -> Credentials:
        return Credentials(self.token_name, self.token_value, self.org_id, self.dev_key)


# The environment variables the ``bill-async`` command and ``Client.from_env()`` read.
ENV_NAMES = (
    "BILL_DEV_KEY",
    "BILL_ORG_ID",
    "BILL_USER_NAME",
    "BILL_PASSWORD",
    "BILL_TOKEN_NAME",
    "BILL_TOKEN_VALUE",
    "BILL_BASE_URL",
)


def auth_from_env(env: Mapping[str, str]) -> AuthStrategy | None:
    """The sign-in ``env`` describes (``BILL_DEV_KEY``, ``BILL_ORG_ID``, and
    ``BILL_USER_NAME``/``BILL_PASSWORD`` or ``BILL_TOKEN_NAME``/``BILL_TOKEN_VALUE``); None when
    it names none. Raises ``ConfigurationError`` naming what is missing or contradictory."""
    present = {name for name in ENV_NAMES if env.get(name) and name != "BILL_BASE_URL"}
    if not present:
        return None
    missing = [name for name in ("BILL_DEV_KEY", "BILL_ORG_ID") if name not in present]
    user = {"BILL_USER_NAME", "BILL_PASSWORD"} & present
    token = {"BILL_TOKEN_NAME", "BILL_TOKEN_VALUE"} & present
    if user and token:
        raise ConfigurationError(
            "set BILL_USER_NAME/BILL_PASSWORD or BILL_TOKEN_NAME/BILL_TOKEN_VALUE, not both"
        )
    if not user and not token:
        missing.append("BILL_USER_NAME and BILL_PASSWORD (or BILL_TOKEN_NAME and BILL_TOKEN_VALUE)")
    elif user and len(user) == 1:
        missing.append(({"BILL_USER_NAME", "BILL_PASSWORD"} - user).pop())
    elif token and len(token) == 1:
        missing.append(({"BILL_TOKEN_NAME", "BILL_TOKEN_VALUE"} - token).pop())
    if missing:
        raise ConfigurationError(
            f"incomplete BILL credentials in the environment: missing {', '.join(missing)}"
        )
    org_id, dev_key = env["BILL_ORG_ID"], env["BILL_DEV_KEY"]
    if user:
        return CredentialLogin(env["BILL_USER_NAME"], env["BILL_PASSWORD"], org_id, dev_key)
    return TokenLogin(env["BILL_TOKEN_NAME"], env["BILL_TOKEN_VALUE"], org_id, dev_key)
