"""How a client signs in: the public strategies, frozen configuration safe to share.

Each client builds from its strategy one ``SessionManager`` (``_sessions``), which owns the
mutable session.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable
from typing import Any, Self, cast

import attrs

from ._redact import fingerprint

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "IDLE_SAFETY_MARGIN",
    "AuthStrategy",
    "Clock",
    "CredentialLogin",
    "TokenLogin",
]

DEFAULT_IDLE_TIMEOUT = 35 * 60.0
IDLE_SAFETY_MARGIN = 120.0

Clock = Callable[[], float]


class AuthStrategy(abc.ABC):
    """How to sign in: ``CredentialLogin`` or ``TokenLogin``. Immutable; safe to share."""

    org_id: str
    dev_key: str
    clock: Clock

    @property
    @abc.abstractmethod
    def is_token(self) -> bool:
        """Whether this is a token (sync token) sign-in, to which the permission map applies."""

    @property
    @abc.abstractmethod
    def user_name(self) -> str:
        """What goes in Login.json's ``userName``."""

    @abc.abstractmethod
    def login_fields(self) -> dict[str, str]:
        """Login.json's form fields, secrets included. Never log or show them."""

    @abc.abstractmethod
    def list_orgs_fields(self) -> dict[str, str]:
        """ListOrgs.json's form fields, secrets included. Never log or show them."""

    def is_idle(self, idle_for: float) -> bool:
        """Whether a session idle for ``idle_for`` seconds must be replaced before use."""
        return False

    @property
    def trusted_at_login(self) -> bool:
        """Whether Login.json is expected to give an MFA-trusted session."""
        return False

    def for_org(self, org_id: str) -> Self:
        """The same sign-in for another organization."""
        return cast(Self, attrs.evolve(cast(Any, self), org_id=org_id))

    @property
    def session_key(self) -> str:
        """Names the session this strategy signs in to, without revealing any secret."""
        return f"{fingerprint(self.dev_key)}:{self.org_id}:{fingerprint(self.user_name)}"


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

    def login_fields(self) -> dict[str, str]:
        fields = {
            "userName": self.user_name,
            "password": self.password,
            "orgId": self.org_id,
            "devKey": self.dev_key,
        }
        if self.mfa_id is not None and self.device_id is not None:
            fields["mfaId"] = self.mfa_id
            fields["deviceId"] = self.device_id
        return fields

    def list_orgs_fields(self) -> dict[str, str]:
        return {"devKey": self.dev_key, "userName": self.user_name, "password": self.password}

    def is_idle(self, idle_for: float) -> bool:
        return idle_for >= max(self.idle_timeout - IDLE_SAFETY_MARGIN, self.idle_timeout / 2)

    @property
    def trusted_at_login(self) -> bool:
        return self.mfa_id is not None and self.device_id is not None


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
        return self.token_name

    def login_fields(self) -> dict[str, str]:
        return {
            "userName": self.token_name,
            "password": self.token_value,
            "orgId": self.org_id,
            "devKey": self.dev_key,
        }

    def list_orgs_fields(self) -> dict[str, str]:
        return {"devKey": self.dev_key, "userName": self.token_name, "password": self.token_value}
