"""Keeping secrets out of reprs, exception texts and log records.

The secrets are the password, the token value, the devKey, the sessionId and the mfaId (and the
MFA code and challenge, which are as good as a password for a few minutes). They are never put
into a message on purpose; these helpers mask them where text from elsewhere (a server's body, a
user's data) is carried into an error.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["SECRET_KEYS", "fingerprint", "redact_data", "redact_text"]

# Wire names (and a few Python spellings) whose values are secrets.
SECRET_KEYS = frozenset(
    {
        "password",
        "devKey",
        "dev_key",
        "sessionId",
        "session_id",
        "mfaId",
        "mfa_id",
        "token",
        "token_value",
        "challengeId",
        "challenge_id",
    }
)

MASK = "***"

_NAMES = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
# "sessionId": "abc"  or  'sessionId': 'abc'  (JSON and Python reprs), even when the text was
# cut off inside the value.
_QUOTED = re.compile(
    rf"""(["'](?:{_NAMES})["']\s*:\s*)(["'])(?:\\.|(?!\2).)*(?:\2|$)""", re.IGNORECASE
)
# sessionId=abc (form bodies, query strings) and sessionId: abc (logs, YAML)
_BARE = re.compile(rf"(\b(?:{_NAMES})\s*[=:]\s*)(?![\s\"'])[^&\s\"',;}}]*", re.IGNORECASE)


def redact_text(text: str) -> str:
    """Mask the values of secret keys in JSON, Python-repr, form-encoded or ``key: value``
    text."""
    text = _QUOTED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    return _BARE.sub(rf"\g<1>{MASK}", text)


def redact_data(data: Any) -> Any:
    """A copy of ``data`` with the values of secret keys masked, at any depth."""
    if isinstance(data, Mapping):
        return {
            key: MASK if key in SECRET_KEYS else redact_data(value) for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact_data(item) for item in data]
    return data


def fingerprint(secret: str) -> str:
    """A short, stable, one-way name for a secret, fit for keys and logs (never the secret)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]
