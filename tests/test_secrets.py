"""Secrets never reach a repr, an exception text or a log record."""

from __future__ import annotations

import html
import logging
import urllib.parse
from typing import Any

import httpx
import pytest

import bill_async
from tests.fakebill import (
    DEV_KEY,
    PASSWORD,
    TOKEN_VALUE,
    FakeBill,
    client,
    credential,
    error,
    fixture,
    ok,
    token,
)

MFA_ID = "!mfa-SECRET-4"
SECRETS = (DEV_KEY, PASSWORD, TOKEN_VALUE, MFA_ID, "session-SECRET")


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (secret, text)


@pytest.mark.anyio
async def test_reprs_exception_texts_and_debug_logs_hold_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's and httpcore's included
    fake = FakeBill()
    expired = {"!session-SECRET-1"}
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: (
            error("BDC_1109", "Session is invalid.")
            if seen.form["sessionId"] in expired
            else ok(fixture("Crud_Read_Vendor"))
        ),
    )
    # A broken answer that echoes the session back: its excerpt must be masked.
    fake.on(
        "Crud/Read/Bill.json",
        lambda seen: httpx.Response(200, text=f"oops sessionId={seen.form['sessionId']}"),
    )
    fake.on(
        "Crud/Create/User.json",
        lambda seen: httpx.ReadTimeout("timed out"),
    )
    fake.on("MFAAuthenticate.json", ok({"mfaId": MFA_ID}))
    raised: list[BaseException] = []
    auth = credential(mfa_id=MFA_ID, device_id="laptop-1")
    async with client(fake, auth, retry=bill_async.RetryPolicy(max_retries=0)) as bill:
        await bill.vendors.read("009x")
        for attempt in (
            bill.bills.read("00n1"),
            bill.users.create(first_name="A", extra={"password": PASSWORD}),
            bill.call("MFAAuthenticate.json", {"challengeId": "!c", "token": "123456"}),
        ):
            try:
                await attempt
            except bill_async.BillError as caught:
                raised.append(caught)
        session = bill.session_manager.current
        texts = [
            repr(bill),
            repr(auth),
            repr(bill.session_manager),
            repr(session),
            repr(bill.vendors),
        ]
    async with client(fake, token()) as token_bill:
        try:
            await token_bill.payments.pay_bills(vendor_id="009x")
        except bill_async.BillError as caught:
            raised.append(caught)
        texts.append(repr(token_bill.auth))

    kinds = {type(e) for e in raised}
    assert {
        bill_async.ProtocolError,
        bill_async.AmbiguousWriteError,
        bill_async.TokenPermissionError,
    } <= kinds
    ambiguous = next(e for e in raised if isinstance(e, bill_async.AmbiguousWriteError))
    assert ambiguous.data == {"obj": {"entity": "User", "firstName": "A", "password": "***"}}
    for caught in raised:
        texts.extend([str(caught), repr(caught), repr(getattr(caught, "data", None))])
        for cause in (caught.__cause__, caught.__context__):
            if cause is not None:
                texts.append(str(cause))
    records = [r.getMessage() for r in caplog.records]
    assert any("Crud/Read/Vendor.json" in r and "attempt=" in r for r in records)
    assert_clean("\n".join(texts + records))
    assert any("session-SECRET" in s.body.decode() for s in fake.seen)  # the secrets were used


def test_ambiguous_write_data_is_redacted() -> None:
    from bill_async._core._redact import redact_data, redact_text

    assert redact_data({"obj": {"password": "p", "name": "n"}, "mfaId": "m"}) == {
        "obj": {"password": "***", "name": "n"},
        "mfaId": "***",
    }
    assert redact_text('{"sessionId": "abc", "x": 1} devKey=k&sessionId=s&data=1') == (
        '{"sessionId": "***", "x": 1} devKey=***&sessionId=***&data=1'
    )
    assert redact_text("{'password': 'p'}") == "{'password': '***'}"


def test_strategy_reprs_hide_secrets() -> None:
    auth = bill_async.CredentialLogin(
        "ap@example.com", PASSWORD, "008x", DEV_KEY, mfa_id=MFA_ID, device_id="d"
    )
    assert_clean(repr(auth) + str(auth))
    assert "ap@example.com" in repr(auth)
    assert_clean(repr(bill_async.TokenLogin("sync", TOKEN_VALUE, "008x", DEV_KEY)))


@pytest.mark.anyio
async def test_secrets_echoed_in_any_shape_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    # Error pages that echo the request without its key names: the form body URL-encoded once
    # more, HTML-escaped, or the bare values; and an error message that names the session.
    caplog.set_level(logging.DEBUG)
    fake = FakeBill()

    def html_echo(seen: Any) -> httpx.Response:
        encoded = urllib.parse.quote_plus(seen.body.decode())
        values = " ".join(html.escape(v) for v in seen.form.values())
        return httpx.Response(502, text=f"<pre>{encoded}</pre><p>{values}</p>")

    fake.on("Crud/Read/Bill.json", html_echo)
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: error("BDC_1109", f"Session {seen.form['sessionId']} is invalid."),
    )
    raised: list[bill_async.BillError] = []
    async with client(fake, retry=bill_async.RetryPolicy(max_retries=0)) as bill:
        for attempt in (bill.bills.read("00n1"), bill.vendors.read("009x")):
            try:
                await attempt
            except bill_async.BillError as caught:
                raised.append(caught)
    assert [type(e) for e in raised] == [bill_async.ProtocolError, bill_async.SessionExpiredError]
    texts = [str(e) for e in raised] + [r.getMessage() for r in caplog.records]
    assert "***" in texts[0] and "Session *** is invalid." in texts[1]
    assert_clean("\n".join(texts))
    assert any("session-SECRET" in s.body.decode() for s in fake.seen)  # the secrets were used


@pytest.mark.anyio
async def test_a_bulk_items_error_that_echoes_the_session_is_masked() -> None:
    fake = FakeBill()

    def answer(seen: Any) -> Any:
        session = seen.form["sessionId"]
        refusal = error("BDC_1000", f"Item refused for session {session}.")
        return ok({"bulk": [refusal for _ in seen.data["bulk"]]})

    fake.on("Bulk/Crud/Create/Vendor.json", answer)
    async with client(fake) as bill:
        results = await bill.vendors.bulk_create([{"name": "a"}, {"name": "b"}])
    assert [str(r) for r in results] == [
        "Bulk/Crud/Create/Vendor.json: BDC_1000: Item refused for session ***."
    ] * 2
    assert any("session-SECRET" in s.body.decode() for s in fake.seen)  # the secrets were used
