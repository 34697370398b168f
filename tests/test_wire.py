"""The wire format: form encoding, JSON, the envelope, and the error map."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from decimal import Decimal

import httpx
import pytest

import bill_async
from bill_async._v2 import _wire as wire
from tests.fakebill import BASE_URL, DEV_KEY, ORG, FakeBill, client, error, fixture, ok


@pytest.mark.anyio
async def test_exact_form_encoding_of_a_call() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", ok(fixture("Crud_Read_Vendor")))
    async with client(fake) as bill:
        await bill.vendors.read("00902YSABCAKZHY25m0r")
    login, read = fake.seen
    assert login.path == "Login.json"
    assert login.body == (
        b"userName=ap%40example.com&password=password-SECRET-2"
        b"&orgId=00802ABCDEFGHIJKLmno&devKey=dev-key-SECRET-1"
    )
    assert read.content_type == "application/x-www-form-urlencoded"
    assert read.body == (
        b"devKey=dev-key-SECRET-1&sessionId=%21session-SECRET-1"
        b"&data=%7B%22id%22%3A%2200902YSABCAKZHY25m0r%22%7D"
    )
    # devKey, sessionId and data, in that order; data is compact JSON.
    assert list(read.form) == ["devKey", "sessionId", "data"]
    assert read.form["data"] == '{"id":"00902YSABCAKZHY25m0r"}'


@pytest.mark.anyio
async def test_every_request_is_a_post_to_the_operation_path() -> None:
    methods: list[tuple[str, str]] = []
    fake = FakeBill()

    async def spy(request: httpx.Request) -> httpx.Response:
        methods.append((request.method, str(request.url)))
        return await fake.handle(request)

    fake.on("GetSessionInfo.json", ok({"organizationId": ORG, "userId": "006x"}))
    async with bill_async.Client(
        fake_auth(), base_url=BASE_URL, transport=httpx.MockTransport(spy)
    ) as bill:
        info = await bill.session.get_info()
    assert info == {"organizationId": ORG, "userId": "006x"}
    assert methods == [
        ("POST", f"{BASE_URL}/Login.json"),
        ("POST", f"{BASE_URL}/GetSessionInfo.json"),
    ]
    # No-argument calls send devKey and sessionId only, no data field.
    assert "data" not in fake.seen[1].form


def fake_auth() -> bill_async.CredentialLogin:
    from tests.fakebill import credential

    return credential()


def test_json_is_compact_and_amounts_are_exact() -> None:
    data = {
        "amount": Decimal("0.1") + Decimal("0.2"),
        "whole": Decimal("1189.00"),
        "day": dt.date(2024, 7, 1),
        "at": dt.datetime(2024, 7, 30, 19, 31, tzinfo=dt.UTC),
    }
    assert wire.dumps(data) == (
        '{"amount":0.3,"whole":1189,"day":"2024-07-01","at":"2024-07-30T19:31:00.000+0000"}'
    )
    assert wire.loads('{"amount": 75.30}') == {"amount": Decimal("75.30")}
    with pytest.raises(bill_async.InvalidRequestError, match="more digits"):
        wire.dumps({"amount": Decimal("0.12345678901234567890")})


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_an_amount_that_is_no_number_is_refused_as_a_bill_error(amount: Decimal) -> None:
    with pytest.raises(bill_async.InvalidRequestError, match="not a number BILL can take"):
        wire.dumps({"amount": amount})


@pytest.mark.anyio
async def test_an_inexact_amount_or_a_naive_time_is_refused_before_anything_is_sent() -> None:
    fake = FakeBill()
    async with client(fake) as bill:
        with pytest.raises(bill_async.InvalidRequestError, match="more digits"):
            await bill.call(
                "Crud/Create/Bill.json", {"obj": {"amount": Decimal("1.0000000000000000001")}}
            )
        with pytest.raises(bill_async.InvalidRequestError, match="timezone"):
            await bill.call("Crud/Update/Bill.json", {"obj": {"at": dt.datetime(2024, 7, 30)}})
    assert fake.paths() == []  # nothing was sent, not even a login


def test_envelope_success_and_quirks() -> None:
    assert wire.decode_envelope(200, b'{"response_status":0,"response_data":[1]}', "X") == [1]
    # SendInvite and GetNetworkStatus answer beside response_status, not under response_data.
    body = b'{"response_status":0,"response_message":"Success","requestId":"nrr01"}'
    assert wire.decode_envelope(200, body, "SendInvite.json") == {"requestId": "nrr01"}


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("BDC_1101", bill_async.AuthenticationError),
        ("BDC_1102", bill_async.AuthenticationError),
        ("BDC_1105", bill_async.AuthenticationError),
        ("BDC_1109", bill_async.SessionExpiredError),
        ("BDC_1121", bill_async.UnsupportedOperationError),
        ("BDC_1144", bill_async.RateLimitError),
        ("BDC_1150", bill_async.PaymentError),
        ("BDC_1322", bill_async.ConcurrencyLimitError),
        ("BDC_1354", bill_async.MfaError),
        ("BDC_1402", bill_async.PaymentError),
        ("BDC_1002", bill_async.ServerError),
        ("BDC_1103", bill_async.InactiveDevKeyError),
        ("BDC_1107", bill_async.LockedOutError),
        ("BDC_1110", bill_async.LockedOutError),
        ("BDC_1119", bill_async.InvalidInputError),
        ("BDC_1120", bill_async.NotFoundError),
        ("BDC_1129", bill_async.InvalidInputError),
        ("BDC_1178", bill_async.AuthenticationError),
        ("BDC_1361", bill_async.UntrustedSessionError),
        ("BDC_1999", bill_async.ApiError),
    ],
)
def test_each_bdc_code_raises_its_class(code: str, cls: type[bill_async.ApiError]) -> None:
    body = wire.dumps(error(code, "the message")).encode()
    with pytest.raises(bill_async.ApiError) as caught:
        wire.decode_envelope(200, body, "Crud/Read/Vendor.json")
    assert type(caught.value) is cls
    assert caught.value.code == code
    assert caught.value.message == "the message"
    assert caught.value.operation == "Crud/Read/Vendor.json"
    assert bill_async.ERROR_CLASSES.get(code, bill_async.ApiError) is cls


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (502, b"<html><body>502 Bad Gateway</body></html>", "not JSON"),
        (200, b'{"status": "ok"}', "not BILL.s envelope"),
        (200, b"[1, 2]", "not BILL.s envelope"),
        (200, b"", "empty body"),
        (200, b"\xff\xfe\x00garbage", "not JSON"),
        (200, b'{"response_status": 1, "response_data": "oops"}', "unreadable"),
        (200, b'{"response_status": 7}', "unreadable"),
    ],
)
def test_malformed_bodies_raise_protocol_error(status: int, body: bytes, says: str) -> None:
    with pytest.raises(bill_async.ProtocolError, match=says) as caught:
        wire.decode_envelope(status, body, "List/Vendor.json")
    assert caught.value.status_code == status
    assert caught.value.body == body.decode("utf-8", errors="replace")
    assert caught.value.operation == "List/Vendor.json"


def test_protocol_error_truncates_and_masks_the_body() -> None:
    body = b'{"sessionId": "!secret-session", "x": "' + b"a" * 2000 + b'"}'
    with pytest.raises(bill_async.ProtocolError) as caught:
        wire.decode_envelope(200, body, "X.json")
    assert len(caught.value.body) <= 500
    assert "secret-session" not in str(caught.value)


@pytest.mark.anyio
async def test_malformed_answers_reach_the_caller_as_protocol_error() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", httpx.Response(200, content=b"<html>maintenance</html>"))
    async with client(fake, retry=bill_async.RetryPolicy(max_retries=0)) as bill:
        with pytest.raises(bill_async.ProtocolError) as caught:
            await bill.vendors.read("009x")
    assert caught.value.status_code == 200
    assert "maintenance" in caught.value.body


def test_multipart_body() -> None:
    body, content_type = wire.encode_multipart(
        {"devKey": DEV_KEY, "data": '{"id":""}'}, "bill.pdf", b"%PDF-1.4", "application/pdf"
    )
    boundary = content_type.split("boundary=")[1]
    assert content_type.startswith("multipart/form-data; boundary=")
    assert body.startswith(f"--{boundary}\r\n".encode())
    assert (
        b'name="file"; filename="bill.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4' in body
    )
    assert body.endswith(f"--{boundary}--\r\n".encode())


def test_form_encoding_escapes() -> None:
    assert wire.encode_form({"userName": "a+b@x.com", "password": "p&q=r"}) == (
        b"userName=a%2Bb%40x.com&password=p%26q%3Dr"
    )
    assert urllib.parse.parse_qs(
        wire.encode_call("devKey=k&sessionId=s", '{"a":"&="}').decode()
    ) == {
        "devKey": ["k"],
        "sessionId": ["s"],
        "data": ['{"a":"&="}'],
    }


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), {(1, 2): "a key JSON cannot hold"}, {"a set": {1, 2}}],
)
def test_anything_json_cannot_hold_is_refused_as_a_bill_error(value: object) -> None:
    with pytest.raises(bill_async.InvalidRequestError, match="send"):
        wire.dumps({"obj": value})


def test_a_secret_inside_another_is_masked_whole() -> None:
    from bill_async._core._redact import mask_values

    text = "echo: key=ABCDEFGH/XYZ and ABCDEFGH"
    assert mask_values(text, ["ABCDEFGH", "ABCDEFGH/XYZ"]) == "echo: key=*** and ***"
    # A short one is left to the key-based masking: masking it in ordinary words gives it away.
    assert mask_values("password do not match", ["pass"]) == "password do not match"


def test_a_timestamp_whose_offset_has_seconds_is_sent_as_the_same_instant_in_utc() -> None:
    # BILL's offsets are whole minutes; -30 s used to be sent as -0001, a minute off.
    odd = dt.datetime(2024, 7, 1, 12, 0, 0, tzinfo=dt.timezone(dt.timedelta(seconds=-30)))
    assert wire.format_timestamp(odd) == "2024-07-01T12:00:30.000+0000"
    lmt = dt.datetime(
        1850, 1, 1, 9, 0, tzinfo=dt.timezone(-dt.timedelta(hours=4, minutes=56, seconds=2))
    )
    assert wire.format_timestamp(lmt) == "1850-01-01T13:56:02.000+0000"
    whole = dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert wire.format_timestamp(whole) == "2024-07-01T12:00:00.000-0400"
