"""Answers a broken or hostile server gives: nesting too deep to read, a bulk answer that does
not account for every item, data of the wrong shape, a body that cannot be read or decoded, and
secrets echoed back however short; and what cannot be sent at all (a lone surrogate)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import bill_async
from bill_async import PooledTransport
from bill_async._core._redact import WITHHELD, mask_values
from tests.fakebill import DEV_KEY, ORG, FakeBill, client, error, fixture, ok
from tests.loopback import read_body, serve

DEEP = 100_000  # far past the interpreter's recursion limit
NESTED = (
    b'{"response_status":0,"response_message":"Success","response_data":'
    + b"[" * DEEP
    + b"]" * DEEP
    + b"}"
)
LOGIN = {"sessionId": "session-SECRET-9", "orgId": ORG}
VENDOR = fixture("Crud_Read_Vendor")
FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.002)  # retries that cost no time


class NestingBill:
    """Signs in, and answers every other call with JSON nested ``DEEP`` levels."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await read_body(receive)
        path = scope["path"].rsplit("/api/v2/", 1)[1]
        self.seen.append(path)
        body = json.dumps(ok(LOGIN)).encode() if path == "Login.json" else NESTED
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def transports(backend: str) -> list[Callable[[], httpx.AsyncBaseTransport]]:
    made: list[Callable[[], httpx.AsyncBaseTransport]] = [PooledTransport]
    if backend == "asyncio":
        from bill_async import AiohttpTransport

        made.append(AiohttpTransport)
    return made


@pytest.mark.anyio
async def test_nesting_too_deep_is_a_protocol_error_on_both_transports(anyio_backend: str) -> None:
    server = NestingBill()
    with serve(server) as url:
        for make in transports(anyio_backend):
            async with bill_async.Client(
                bill_async.CredentialLogin("ap@example.com", "password-SECRET", ORG, DEV_KEY),
                base_url=f"{url}/api/v2",
                transport=make(),
                retry=bill_async.RetryPolicy(max_retries=0),
            ) as bill:
                with bill.raw_responses() as answers:
                    with pytest.raises(bill_async.ProtocolError, match="nested too deeply"):
                        await bill.vendors.read("009x")
                    with pytest.raises(bill_async.AmbiguousWriteError) as write:
                        await bill.vendors.create(name="Acme")
            assert isinstance(write.value.__cause__, bill_async.ProtocolError)
            assert "nested too deeply" in str(write.value.__cause__)
            assert [a.status_code for a in answers] == [200, 200, 200]  # kept, as text
    assert server.seen.count("Crud/Create/Vendor.json") == len(transports(anyio_backend))


@pytest.mark.anyio
async def test_a_bulk_answer_one_short_makes_every_item_of_its_chunk_ambiguous() -> None:
    # All ten were created; the answer holds nine results. Matched by position, none of the
    # nine can be told apart from the missing one: each item may have run.
    fake = FakeBill()

    def nine_of_ten(seen: Any) -> Any:
        made = [ok({**item["obj"], "id": f"009{n}"}) for n, item in enumerate(seen.data["bulk"])]
        return ok({"bulk": made[:-1]})

    fake.on("Bulk/Crud/Create/Vendor.json", nine_of_ten)
    async with client(fake) as bill:
        results = await bill.vendors.bulk_create([{"name": f"v{n}"} for n in range(10)])
    assert all(type(r) is bill_async.AmbiguousWriteError for r in results)
    first = results[0]
    assert isinstance(first, bill_async.AmbiguousWriteError)
    assert first.data == {"obj": {"entity": "Vendor", "name": "v0"}}
    assert "answer for 10 items held 9 results" in str(first)
    assert fake.count("Bulk/Crud/Create/Vendor.json") == 1  # never sent again


@pytest.mark.anyio
async def test_a_bulk_item_whose_envelope_is_unreadable_is_ambiguous_and_the_others_kept() -> None:
    fake = FakeBill()
    fake.on(
        "Bulk/Crud/Create/Vendor.json",
        lambda seen: ok({"bulk": [ok({"entity": "Vendor", "id": "009a", "name": "a"}), "?"]}),
    )
    async with client(fake) as bill:
        results = await bill.vendors.bulk_create([{"name": "a"}, {"name": "b"}])
    assert isinstance(results[0], bill_async.Vendor) and results[0].id == "009a"
    assert type(results[1]) is bill_async.AmbiguousWriteError


@pytest.mark.anyio
@pytest.mark.parametrize("data", ["a string", 7, ["a", "list"], None])
async def test_response_data_not_of_the_operations_shape_is_a_protocol_error(data: Any) -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok(data))
    fake.on("Crud/Create/Vendor.json", ok(data))
    fake.on("ListPayments.json", ok({"payments": data if data is not None else {"a": "dict"}}))
    async with client(fake) as bill:
        with pytest.raises(bill_async.ProtocolError, match="is not a Vendor"):
            await bill.vendors.read("009x")
        with pytest.raises(bill_async.ProtocolError, match="is not a Vendor"):
            await bill.vendors.create(name="Acme")
        with pytest.raises(bill_async.ProtocolError, match="is not a list of SentPay"):
            await bill.payments.list_payments(disbursement_status="1")
    assert fake.count("Crud/Create/Vendor.json") == 1


def not_gzip() -> httpx.Response:
    """An answer that claims gzip and is not: httpx fails to decode it when it is read."""
    return httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
    )


# httpx leaves its own decoding generator unfinished when the body does not decode; trio then
# reports it to the garbage collector's hook. That is httpx's, not ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.anyio
@pytest.mark.parametrize(
    "answer",
    [
        not_gzip,
        lambda: httpx.Response(200, content=b'{"response_status": 0, "response_da'),  # cut
        lambda: httpx.Response(200, content=b"<html>oops</html>"),
    ],
)
async def test_an_unreadable_answer_to_a_write_is_ambiguous(answer: Any) -> None:
    fake = FakeBill()
    fake.on("Crud/Create/Vendor.json", lambda seen: answer())
    async with client(fake, retry=FAST) as bill:
        with pytest.raises(bill_async.AmbiguousWriteError):
            await bill.vendors.create(name="Acme")
    assert fake.count("Crud/Create/Vendor.json") == 1


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # as above
@pytest.mark.anyio
async def test_an_undecodable_answer_to_a_read_is_retried_not_a_raw_httpx_error() -> None:
    fake = FakeBill()
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: not_gzip() if fake.count("Crud/Read/Vendor.json") == 1 else ok(VENDOR),
    )
    async with client(fake, retry=FAST) as bill:
        assert (await bill.vendors.read("009x")).id == VENDOR["id"]


SHORT = "pw5x!"  # a password shorter than 8 characters


@pytest.mark.anyio
async def test_a_short_password_echoed_by_a_server_is_not_shown() -> None:
    fake = FakeBill()
    fake.login_answer = lambda seen: error("BDC_1101", f"Bad password {seen.form['password']}.")
    auth = bill_async.CredentialLogin("ap@example.com", SHORT, ORG, DEV_KEY)
    async with client(fake, auth) as bill:
        with pytest.raises(bill_async.AuthenticationError) as caught:
            await bill.vendors.read("009x")
    assert SHORT not in str(caught.value)
    assert str(caught.value).endswith(WITHHELD)
    assert fake.seen[0].form["password"] == SHORT  # it was sent, and echoed


def test_short_secrets_are_found_as_whole_words_in_every_shape() -> None:
    assert mask_values("refused: pw5x%21 is wrong", [SHORT]) == WITHHELD  # URL-encoded
    assert mask_values("refused: &quot;ab&amp;c&quot;", ["ab&c"]) == WITHHELD  # HTML-escaped
    assert mask_values("the password is wrong", ["pass"]) == "the password is wrong"
    assert mask_values("an ordinary message", ["abc"]) == "an ordinary message"
    assert mask_values("session long-SECRET-1 and abc", ["long-SECRET-1"]) == "session *** and abc"


@pytest.mark.anyio
async def test_a_lone_surrogate_is_refused_before_anything_is_sent() -> None:
    fake = FakeBill()
    async with client(fake) as bill:
        with pytest.raises(bill_async.InvalidRequestError, match="lone surrogate"):
            await bill.vendors.create(name="Acme \ud800")
        with pytest.raises(bill_async.InvalidRequestError, match="lone surrogate"):
            await bill.call("Crud/Create/Vendor.json", {"obj": {"name": "\udfff"}})
    bad = bill_async.CredentialLogin("ap@example.com", "hunter\udc80two", ORG, DEV_KEY)
    async with client(fake, bad) as bill:
        with pytest.raises(bill_async.InvalidRequestError, match="password field") as caught:
            await bill.vendors.read("009x")
    assert "hunter" not in str(caught.value)
    assert fake.seen == []  # not even a login
