"""The HTTP side of the raw ASGI app: reading requests, writing BILL's envelopes.

BILL v2 takes ``application/x-www-form-urlencoded`` bodies (and reads query parameters too), and
``multipart/form-data`` for UploadAttachment.json; it answers JSON with HTTP 200, errors included.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import attrs

__all__ = [
    "MAX_BODY",
    "Receive",
    "Request",
    "Scope",
    "Send",
    "Upload",
    "cross_site",
    "dump_json",
    "error_envelope",
    "host_name",
    "ok_envelope",
    "parse_multipart",
    "read_body",
    "read_request",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# BILL's upload limit is 20 MB; anything much larger is refused before parsing.
MAX_BODY = 25 * 1024 * 1024


@attrs.frozen
class Upload:
    """The file part of a multipart request."""

    file_name: str
    content_type: str
    content: bytes = attrs.field(repr=False)


@attrs.frozen
class Request:
    """One request, read whole."""

    method: str
    path: str
    headers: dict[str, str]
    fields: dict[str, str]
    files: tuple[Upload, ...]
    too_large: bool = False
    malformed: str | None = None

    @property
    def base_url(self) -> str:
        host = self.headers.get("host", "localhost")
        return f"http://{host}/api/v2"

    def cookie(self, name: str) -> str | None:
        """A cookie's value; None for a request a browser sent from another site (a form post
        from a web page must not act in the session the emulator's cookie names)."""
        if cross_site(self.headers):
            return None
        for part in self.headers.get("cookie", "").split(";"):
            key, _, value = part.strip().partition("=")
            if key == name:
                return value
        return None


def cross_site(headers: dict[str, str]) -> bool:
    """Whether a browser says the request comes from another site: ``Sec-Fetch-Site``, or an
    ``Origin`` whose host is not the one the request is addressed to."""
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    return origin.partition("://")[2].lower() != headers.get("host", "").lower()


def host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:8089`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rpartition(":")[0] if host.count(":") == 1 else host


async def read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request's body, and whether it was over ``MAX_BODY`` (the rest is dropped)."""
    chunks: list[bytes] = []
    size = 0
    too_large = False
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            too_large = True
        elif chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), too_large


async def read_request(scope: Scope, receive: Receive) -> Request:
    """Read the whole request and its form fields (query parameters first, then the body)."""
    body, too_large = await read_body(receive)
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", ())
    }
    fields: dict[str, str] = {}
    files: tuple[Upload, ...] = ()
    malformed = None
    query = scope.get("query_string", b"")
    if query:
        fields.update(parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    content_type = headers.get("content-type", "")
    if not too_large:
        try:
            if content_type.lower().startswith("multipart/form-data"):
                parts, files = parse_multipart(body, content_type)
                fields.update(parts)
            elif body:
                fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except ValueError as error:
            malformed = str(error)
    return Request(
        method=str(scope.get("method", "GET")),
        path=str(scope.get("path", "")),
        headers=headers,
        fields=fields,
        files=files,
        too_large=too_large,
        malformed=malformed,
    )


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="x"; filename="y"`` -> ("form-data", {"name": "x", "filename": "y"})."""
    head, *rest = value.split(";")
    params: dict[str, str] = {}
    for item in rest:
        key, _, raw = item.strip().partition("=")
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1]
        params[key.lower()] = raw
    return head.strip().lower(), params


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], tuple[Upload, ...]]:
    """A small ``multipart/form-data`` parser: the text fields, and the file parts."""
    _, params = _header_params(content_type)
    boundary = params.get("boundary")
    if not boundary:
        raise ValueError("multipart body without a boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    fields: dict[str, str] = {}
    files: list[Upload] = []
    sections = body.split(delimiter)
    if len(sections) < 3:
        raise ValueError("multipart body without parts")
    for section in sections[1:]:
        if section.startswith(b"--"):
            break  # the closing delimiter
        if section.startswith(b"\r\n"):
            section = section[2:]
        head, separator, content = section.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("multipart part without headers")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        part_headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            header, _, value = line.decode("utf-8", errors="replace").partition(":")
            part_headers[header.strip().lower()] = value.strip()
        _, disposition = _header_params(part_headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            raise ValueError("multipart part without a name")
        if "filename" in disposition:
            files.append(
                Upload(
                    file_name=disposition["filename"],
                    content_type=part_headers.get("content-type", "application/octet-stream"),
                    content=content,
                )
            )
        else:
            fields[name] = content.decode("utf-8")
    return fields, tuple(files)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default)


def dump_json(payload: Any) -> bytes:
    return _encoder.encode(payload).encode("utf-8")


def ok_envelope(data: Any) -> dict[str, Any]:
    return {"response_status": 0, "response_message": "Success", "response_data": data}


def error_envelope(code: str, message: str) -> dict[str, Any]:
    return {
        "response_status": 1,
        "response_message": "Error",
        "response_data": {"error_code": code, "error_message": message},
    }
