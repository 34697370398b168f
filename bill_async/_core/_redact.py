"""Keeping secrets out of reprs, exception texts and log records.

The secrets are the password, the token value, the devKey, the sessionId and the mfaId (and the
MFA code and challenge, which are as good as a password for a few minutes). They are never put
into a message on purpose; these helpers mask them where text from elsewhere (a server's body, a
user's data) is carried into an error.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "SECRET_KEYS",
    "WITHHELD",
    "fingerprint",
    "mask_cookies_in_httpcore_logs",
    "mask_values",
    "redact_data",
    "redact_text",
]

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


def mask_values(text: str, secrets: Iterable[str]) -> str:
    """Mask each of ``secrets`` wherever it appears in ``text``: as it is, URL-encoded (once or
    twice), JSON-escaped or HTML-escaped. For text that may echo a request in any shape, where
    ``redact_text`` finds only values written beside their key names.

    A secret shorter than 8 characters may also be an ordinary word, and masking each place
    it appears would show which word it is: where one appears as a whole word, the whole text
    is withheld instead."""
    forms: set[str] = set()
    short: set[str] = set()
    for secret in secrets:
        if secret:
            (forms if len(secret) >= _MASKED_FROM else short).update(_forms(secret))
    for form in sorted(forms, key=len, reverse=True):  # a secret inside another: the longer first
        if form in text:
            text = text.replace(form, MASK)
    if short and _as_a_word(short).search(text):
        return WITHHELD
    return text


def _forms(secret: str) -> set[str]:
    """The shapes a server may echo ``secret`` in."""
    encoded = quote_plus(secret)
    return {
        secret,
        encoded,
        quote_plus(encoded),
        quote(secret, safe=""),
        html.escape(secret),
        json.dumps(secret)[1:-1],
    }


def _as_a_word(forms: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])")


_MASKED_FROM = 8  # characters
WITHHELD = f"{MASK} (withheld: the text shows a secret)"


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


# httpcore logs every header it sends and receives at DEBUG, as the repr of a list of byte-string
# pairs, and BILL's Login answer sets a session cookie: (b'set-cookie', b'sid=...; Path=/').
_COOKIE_HEADER = re.compile(
    r"""(\(b(['"])(?:set-)?cookie\2,\s*b)(['"])(?:\\.|(?!\3).)*\3""", re.IGNORECASE
)
# The loggers httpcore traces connections with (httpcore/_async/*.py, httpcore/_sync/*.py).
_HTTPCORE_LOGGERS = (
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class _CookieMask(logging.Filter):
    """Masks cookie header values in httpcore's DEBUG records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg
        if isinstance(message, str) and "ookie" in message:
            record.msg = _COOKIE_HEADER.sub(rf"\g<1>\g<3>{MASK}\g<3>", message)
        return True


_COOKIE_MASK = _CookieMask()


def mask_cookies_in_httpcore_logs() -> None:
    """Keep session cookies out of httpcore's DEBUG log records (once per process).

    A logger's filters see only the records made on that logger, so each of httpcore's is given
    one. Only cookie values change; every record is still logged."""
    for name in _HTTPCORE_LOGGERS:
        httpcore_logger = logging.getLogger(name)
        if _COOKIE_MASK not in httpcore_logger.filters:
            httpcore_logger.addFilter(_COOKIE_MASK)
