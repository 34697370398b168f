"""A raw HTTP client for the emulator's v3 face: BILL's v3 wire format over plain httpx.

Tests that use it send JSON bodies with the ``sessionId`` and ``devKey`` headers and never use
the SDK: they check what the server itself answers.
"""

from __future__ import annotations

from typing import Any

import httpx

from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_TOKEN_NAME,
    DEMO_TOKEN_VALUE,
    DEMO_USER_NAME,
    Emulator,
)

ERROR_KEYS = {"timestamp", "code", "severity", "category", "message"}


class RawV3:
    """``raw.ok("GET", "/v3/vendors")``, ``raw.refused("GET", "/v3/vendors/x", 404)``."""

    def __init__(self, v3_base_url: str, emulator: Emulator, http: httpx.Client) -> None:
        self.base_url = v3_base_url
        self.emulator = emulator
        self.http = http
        self.session_id = ""

    def login(
        self,
        org_id: str | None = None,
        *,
        token: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """``POST /v3/login``; keeps the session of a 200."""
        body = {
            "username": DEMO_TOKEN_NAME if token else DEMO_USER_NAME,
            "password": DEMO_TOKEN_VALUE if token else DEMO_PASSWORD,
            "organizationId": org_id or self.emulator.org_ids[0],
            "devKey": DEMO_DEV_KEY,
            **(extra or {}),
        }
        response = self.http.post(self.base_url + "/v3/login", json=body)
        if response.status_code == 200:
            self.session_id = response.json()["sessionId"]
        return response

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        session_id: str | None = None,
    ) -> httpx.Response:
        sent = {"devKey": DEMO_DEV_KEY, "sessionId": session_id or self.session_id}
        sent.update(headers or {})
        if content is not None:
            return self.http.request(
                method, self.base_url + path, content=content, params=params, headers=sent
            )
        return self.http.request(
            method, self.base_url + path, json=body, params=params, headers=sent
        )

    def ok(self, method: str, path: str, body: Any = None, **options: Any) -> Any:
        """The JSON answer of a call that must succeed (200, or 201 for a create)."""
        response = self.send(method, path, body, **options)
        assert response.status_code in (200, 201), (path, response.status_code, response.text)
        return response.json() if response.content else None

    def refused(
        self, method: str, path: str, status: int, body: Any = None, **options: Any
    ) -> tuple[str | None, str]:
        """The code (None: BILL's uncoded kind) and message of a refusal with ``status``."""
        return refusal_of(self.send(method, path, body, **options), status)


def refusal_of(response: httpx.Response, status: int) -> tuple[str | None, str]:
    """The code and message of BILL's v3 error array (checked to be one), with ``status``."""
    assert response.status_code == status, (response.status_code, response.text)
    errors = response.json()
    assert isinstance(errors, list) and len(errors) == 1, errors
    error = errors[0]
    assert set(error) in (ERROR_KEYS, ERROR_KEYS - {"code"}), error
    assert error["severity"] == "ERROR"
    assert error["category"] in ("REQUEST", "SERVER", "DOWNSTREAM")
    assert error["timestamp"].endswith("Z")
    assert error["message"]
    return error.get("code"), error["message"]
