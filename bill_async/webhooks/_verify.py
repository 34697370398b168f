"""Verifying BILL's webhook deliveries: HMAC-SHA256 of the raw body under the subscription's
``securityKey``, base64, in the ``x-bill-sha-signature`` header.

What is signed is the raw body as it arrived (BILL's docs cut off there; every third-party
implementation signs the raw, minified body): verify before parsing anything. A rotated key may
keep the previous one valid for a grace period (``SecurityKeys``); how long BILL honours an old
key is not documented, so the grace is the receiver's choice (docs/decisions.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence

import attrs

from .._exceptions import BillError

__all__ = [
    "SIGNATURE_HEADER",
    "SecurityKeys",
    "WebhookSignatureError",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "x-bill-sha-signature"


class WebhookSignatureError(BillError):
    """A delivery's signature is missing, garbled or made with another key: refuse it (401)."""


def sign(body: bytes, key: str) -> str:
    """The signature BILL sends for ``body`` under ``key``: base64 of its HMAC-SHA256."""
    digest = hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body: bytes, signature: str | None, keys: str | Sequence[str]) -> None:
    """Check ``signature`` (the header's value) on the raw ``body`` against ``keys`` (one key, or
    the current and still-valid previous ones), in constant time. Raises
    ``WebhookSignatureError`` when it is missing, not base64 of 32 bytes, or made by none."""
    if not signature:
        raise WebhookSignatureError(f"the delivery has no {SIGNATURE_HEADER} header")
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookSignatureError("the delivery's signature is not base64") from None
    if len(given) != hashlib.sha256().digest_size:
        raise WebhookSignatureError("the delivery's signature is not an HMAC-SHA256 digest")
    candidates = [keys] if isinstance(keys, str) else list(keys)
    if not candidates:
        raise WebhookSignatureError("no security key to verify the delivery with")
    matched = False
    for key in candidates:  # every key is tried, so the time taken does not say which matched
        expected = hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()
        matched |= hmac.compare_digest(expected, given)
    if not matched:
        raise WebhookSignatureError("the delivery's signature does not match its body")


@attrs.define
class SecurityKeys:
    """A subscription's security keys: the current one, and after a rotation the previous one
    for ``grace`` seconds (deliveries signed before the rotation may still be arriving).

    Mutable state owned by the receiver: ``rotate()`` when BILL answers a new key."""

    current: str = attrs.field(repr=False)
    grace: float = 300.0
    clock: Callable[[], float] = attrs.field(default=time.monotonic, repr=False)
    _previous: str | None = attrs.field(default=None, repr=False, alias="previous")
    _previous_until: float = attrs.field(default=0.0, repr=False, alias="previous_until")

    def rotate(self, new_key: str) -> None:
        """Make ``new_key`` current; the old one stays valid for ``grace`` seconds."""
        self._previous, self._previous_until = self.current, self.clock() + self.grace
        self.current = new_key

    def valid(self) -> list[str]:
        """The keys a delivery may be signed with now."""
        keys = [self.current]
        if self._previous is not None and self.clock() < self._previous_until:
            keys.append(self._previous)
        return keys

    def verify(self, body: bytes, signature: str | None) -> None:
        """``verify(body, signature, self.valid())``."""
        verify(body, signature, self.valid())
