"""What the pipeline knows of an operation: the columns every API's endpoint table carries.

The pipeline never asks *which* operation it is sending, only what the operation's row says:

- ``kind``: what the operation does (read, write, session management).
- ``resend``: whether it may be sent again after any failure that may pass, or only when it
  provably did not run (the write-safety rule; a write whose fate is unknown is never resent).
- ``session``: how it uses the session: in one (most), without one (sign-in, BILL's error list),
  ending the one it is given (logout: nothing is signed in to end it), or making its session
  MFA-trusted when it succeeds (MFA authentication).
- ``counts_as``: which hourly budget it spends (requests, or logins).
- ``token_rule`` and ``needs_mfa``: what refuses it before anything is sent.
- ``sends_message``: it texts or emails someone, which BILL limits to 5 a minute (v3).

A dialect's table (v2's ``_v2._endpoints``) is made of rows that have these attributes.
"""

from __future__ import annotations

import enum
from typing import Protocol

import attrs

__all__ = ["Count", "Kind", "Operation", "Resend", "SessionUse", "TokenRule"]


class Kind(enum.Enum):
    """What an operation does, as BILL's reference classifies it."""

    READ = "read"
    WRITE = "write"
    SESSION = "session"


class Resend(enum.Enum):
    """When a failed attempt may be sent again."""

    AFTER_ANY_FAILURE = "after any failure"  # a timeout, a lost answer, 5xx, BDC_1322
    IF_NOT_SENT = "if not sent"  # only when it provably did not run (or BILL refused it)


class SessionUse(enum.Enum):
    """How an operation uses the session."""

    IN_SESSION = "in session"  # signs in first if needed; renewed once after BDC_1109
    NONE = "none"  # sent without a session (sign-in itself, and calls that need none)
    ENDS = "ends"  # ends the current session; with none open, nothing is sent
    TRUSTS = "trusts"  # a success makes the session MFA-trusted


class Count(enum.Enum):
    """The hourly budget an operation spends (BILL counts them apart)."""

    REQUEST = "requests"
    LOGIN = "logins"


@attrs.frozen
class TokenRule:
    """A rule from BILL's token sign-in page that forbids operations to token sessions."""

    name: str
    text: str
    inferred: bool = False


class Operation(Protocol):
    """The columns of an endpoint table row that the pipeline reads."""

    @property
    def name(self) -> str:
        """How errors, logs and hooks name it (v2: its path, ``"Crud/Read/Vendor.json"``)."""

    @property
    def kind(self) -> Kind: ...

    @property
    def resend(self) -> Resend: ...

    @property
    def session(self) -> SessionUse: ...

    @property
    def counts_as(self) -> Count: ...

    @property
    def token_rule(self) -> TokenRule | None: ...

    @property
    def needs_mfa(self) -> bool: ...

    @property
    def sends_message(self) -> bool:
        """Whether it texts or emails someone (BILL's v3 allows 5 a minute of these)."""
