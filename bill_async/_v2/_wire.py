"""BILL v2's wire format, in one place.

Requests: ``POST``, ``application/x-www-form-urlencoded``, fields ``devKey``, ``sessionId`` and
``data`` (the operation's arguments as one compact JSON string). Login and ListOrgs take plain
form fields instead; UploadAttachment is ``multipart/form-data``.

Answers: always BILL's envelope ``{"response_status", "response_message", "response_data"}``,
errors included, usually with HTTP 200. ``decode_envelope`` is the only place that reads it.
Numbers with a fraction are read as ``Decimal`` so that amounts stay exact.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

from .._core._redact import mask_values, redact_text
from .._exceptions import ApiError, InvalidRequestError, ProtocolError, api_error_for
from . import _codec

__all__ = [
    "FORM_CONTENT_TYPE",
    "api_error",
    "body_excerpt",
    "decode_envelope",
    "dumps",
    "encode_call",
    "encode_form",
    "encode_multipart",
    "loads",
    "session_prefix",
    "wire_scalar",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
BODY_EXCERPT = 500


def wire_scalar(value: Any) -> Any:
    """A Python value in BILL's form: Decimal as an exact number, dates and timestamps as BILL
    writes them, enums as their codes; anything else as it is."""
    if isinstance(value, Decimal):
        return _decimal_number(value)
    if isinstance(value, _dt.datetime):
        return format_timestamp(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _default(value: Any) -> Any:
    converted = wire_scalar(value)
    if converted is not value:
        return converted
    to_wire = getattr(value, "to_wire", None)
    if to_wire is not None:
        return to_wire()
    raise InvalidRequestError(f"cannot send a {type(value).__name__} to BILL")


def _decimal_number(value: Decimal) -> int | float:
    """The JSON number for ``value``, refusing one that JSON's double would change."""
    if not value.is_finite():
        raise InvalidRequestError(f"the amount {value} is not a number BILL can take")
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    if Decimal(repr(number)) != value:
        raise InvalidRequestError(
            f"the amount {value} has more digits than BILL's JSON numbers keep"
        )
    return number


def format_timestamp(value: _dt.datetime) -> str:
    """BILL's timestamp form: ``2024-07-30T19:31:00.000+0000``."""
    offset = value.utcoffset()
    if offset is None:
        raise InvalidRequestError("BILL timestamps need a timezone: pass an aware datetime")
    if offset.total_seconds() % 60:
        # BILL's offsets are whole minutes (old local times had seconds): the same instant in UTC.
        value, offset = value.astimezone(_dt.UTC), _dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:"
        f"{value.second:02d}.{value.microsecond // 1000:03d}{sign}{hours:02d}{minutes:02d}"
    )


# allow_nan=False: a float NaN or infinity would be written as JSON that is not JSON.
_encoder = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default
)


def dumps(data: Any) -> str:
    """Compact JSON, with Decimal amounts as exact numbers and dates in BILL's forms.

    Raises ``InvalidRequestError`` for anything JSON cannot hold (a set, a NaN, a loop, a dict
    key other than a string, number, bool or None; those become strings, as JSON has them)."""
    try:
        text = _encoder.encode(data)
    except InvalidRequestError:
        raise
    except (TypeError, ValueError) as error:
        raise InvalidRequestError(f"cannot send this to BILL: {error}") from None
    if not text.isascii():
        _check_encodable(text, "the data")
    return text


def _check_encodable(text: str, what: str) -> None:
    """Raises ``InvalidRequestError`` when ``text`` holds what UTF-8 cannot carry (a lone
    surrogate, as a bad decode or a cut emoji leaves), before anything is sent."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidRequestError(
            f"cannot send {what} to BILL: character {error.start} is a lone surrogate "
            f"({error.object[error.start]!r}), which UTF-8 cannot carry"
        ) from None


def loads(content: bytes | str) -> Any:
    """Parse JSON, reading numbers with a fraction as ``Decimal`` (``json.loads``'s rules)."""
    return _codec.loads(content)


def session_prefix(dev_key: str, session_id: str) -> str:
    """The form fields every call after sign-in starts with (the client keeps it on the
    ``Session``: a session makes many calls)."""
    return f"devKey={quote_plus(dev_key)}&sessionId={quote_plus(session_id)}"


def encode_call(prefix: str, data: str | None) -> bytes:
    """The body of a call: the session's fields, then ``data`` (a JSON string) when there is one."""
    if data is None:
        return prefix.encode()
    return f"{prefix}&data={quote_plus(data)}".encode()


def encode_form(fields: Mapping[str, str]) -> bytes:
    """Plain form fields (Login, ListOrgs), in the order given. Raises ``InvalidRequestError``
    for a value UTF-8 cannot carry (without showing it: these fields are secrets)."""
    for name, value in fields.items():
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidRequestError(
                    f"cannot send the {name} field to BILL: it holds a lone surrogate, which "
                    "UTF-8 cannot carry"
                ) from None
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in fields.items()).encode()


def encode_multipart(
    fields: Mapping[str, str], file_name: str, content: bytes, content_type: str
) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body: ``fields`` and one ``file`` part. Returns (body, type)."""
    boundary = f"bill-async-{secrets.token_hex(12)}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    safe_name = file_name.replace('"', "%22").replace("\r", "").replace("\n", "")
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def body_excerpt(content: bytes, secrets: Sequence[str] = ()) -> str:
    """The start of a body for an error message: secrets masked first (by key, and the values
    in ``secrets`` wherever they are), then cut."""
    text = content[: BODY_EXCERPT * 8].decode("utf-8", errors="replace")
    return redact_text(mask_values(text, secrets))[:BODY_EXCERPT]


_ENVELOPE_KEYS = ("response_status", "response_message")


def api_error(data: Any, operation: str, secrets: Sequence[str] = ()) -> ApiError | None:
    """The error an envelope's ``response_data`` holds (its message with ``secrets`` masked),
    or None when it holds no error code."""
    if isinstance(data, Mapping) and isinstance(data.get("error_code"), str):
        message = mask_values(str(data.get("error_message", "")), secrets)
        return api_error_for(data["error_code"], message, operation)
    return None


def decode_envelope(
    status_code: int, content: bytes, operation: str, secrets: Sequence[str] = ()
) -> Any:
    """The ``response_data`` of a successful answer; raises the mapped error for a failed one.

    ``secrets``: the values of this call's secrets, masked wherever an error would show them.

    Raises:
        ApiError: (or its subclass for the code) when ``response_status`` is 1.
        ProtocolError: when the body is not JSON (or nested too deeply), or not BILL's envelope.
    """
    try:
        payload = loads(content)
    except RecursionError:  # a broken or hostile server's nesting
        raise ProtocolError(
            "the server answered with JSON nested too deeply to read",
            status_code=status_code,
            body=body_excerpt(content, secrets),
            operation=operation,
        ) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        what = "an empty body" if not content.strip() else "a body that is not JSON"
        raise ProtocolError(
            f"the server answered with {what} (is the base URL BILL's?)",
            status_code=status_code,
            body=body_excerpt(content, secrets),
            operation=operation,
        ) from None
    if type(payload) is not dict or "response_status" not in payload:
        raise ProtocolError(
            "the server answered with JSON that is not BILL's envelope",
            status_code=status_code,
            body=body_excerpt(content, secrets),
            operation=operation,
        )
    status = payload["response_status"]
    if status == 0:
        if "response_data" in payload:
            return payload["response_data"]
        # A few documented answers (SendInvite, GetNetworkStatus) put their fields beside
        # response_status instead of under response_data.
        return {k: v for k, v in payload.items() if k not in _ENVELOPE_KEYS}
    if status == 1:
        error = api_error(payload.get("response_data"), operation, secrets)
        if error is not None:
            raise error
    raise ProtocolError(
        f"the server answered with an envelope whose status or error is unreadable ({status!r})",
        status_code=status_code,
        body=body_excerpt(content, secrets),
        operation=operation,
    )
