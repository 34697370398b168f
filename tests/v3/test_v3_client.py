"""The v3 client over a scripted fake of BILL's v3 API (``httpx.MockTransport``): sign-in and
header sessions, error arrays, cursor pages, bulk chunks, uploads, the permission map and MFA,
the message limit, and what v2 and v3 clients of one devKey share."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

import bill_async
from bill_async import v3
from tests.fakebill import ManualClock

BASE = "https://gateway.test/connect"
DEV_KEY = "dev-key-SECRET-v3"
PASSWORD = "password-SECRET-v3"
ORG = "00801V3ORG"
VENDOR = {
    "id": "00901V3",
    "name": "Acme",
    "archived": False,
    "createdTime": "2026-01-02T03:04:05.678Z",
}

Handler = Callable[[httpx.Request], httpx.Response]


def errors(status: int, code: str | None, message: str) -> httpx.Response:
    item: dict[str, Any] = {"message": message, "severity": "ERROR", "category": "REQUEST"}
    if code is not None:
        item["code"] = code
    return httpx.Response(status, json=[item])


class V3Fake:
    """BILL v3 as far as these tests need: a login, header sessions, scripted operations."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.seen: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        self.sessions: set[str] = set()
        self.logins = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.transport = httpx.MockTransport(self.handle)

    def on(self, method: str, path: str, answer: Handler | httpx.Response) -> None:
        self.routes[(method, path)] = answer if callable(answer) else (lambda _r: answer)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.seen]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path.removeprefix("/connect-events").removeprefix("/connect")
        if path == "/v3/login":
            return self._login(json.loads(request.content))
        if request.headers.get("sessionId") not in self.sessions:
            return errors(401, "BDC_1109", "Session is invalid. Please log in.")
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await anyio.sleep(self.latency)
            route = self.routes.get((request.method, path))
            if route is None:
                return errors(404, "BDC_1121", "API not supported.")
            return route(request)
        finally:
            self.in_flight -= 1

    def _login(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("password") != PASSWORD or body.get("devKey") != DEV_KEY:
            return errors(401, "BDC_1101", "User name and/or password do not match our records.")
        self.logins += 1
        session = f"session-SECRET-{self.logins}"
        self.sessions.add(session)
        trusted = "rememberMeId" in body
        return httpx.Response(
            200,
            json={
                "organizationId": body["organizationId"],
                "sessionId": session,
                "trusted": trusted,
                "userId": "006x",
            },
        )


def credential(**options: Any) -> bill_async.CredentialLogin:
    return bill_async.CredentialLogin("ap@example.com", PASSWORD, ORG, DEV_KEY, **options)


def token() -> bill_async.TokenLogin:
    return bill_async.TokenLogin("nightly", PASSWORD, ORG, DEV_KEY)


def client(fake: V3Fake, auth: bill_async.AuthStrategy | None = None, **options: Any) -> v3.Client:
    options.setdefault("limits", bill_async.InProcessLimits())
    options.setdefault("retry", bill_async.RetryPolicy(base_delay=0.001, max_delay=0.01))
    return v3.Client(auth or credential(), base_url=BASE, transport=fake.transport, **options)


@pytest.mark.anyio
async def test_sign_in_is_json_and_the_session_travels_in_headers() -> None:
    fake = V3Fake()
    fake.on("GET", "/v3/vendors/00901V3", httpx.Response(200, json=VENDOR))
    async with client(fake) as bill:
        vendor = await bill.vendors.get("00901V3")
    login, read = fake.seen
    assert json.loads(login.content) == {
        "username": "ap@example.com",
        "password": PASSWORD,
        "organizationId": ORG,
        "devKey": DEV_KEY,
    }
    assert read.headers["sessionId"] == "session-SECRET-1" and read.headers["devKey"] == DEV_KEY
    assert isinstance(vendor, v3.Vendor) and vendor.name == "Acme" and vendor.archived is False
    assert vendor.to_wire() == VENDOR


@pytest.mark.anyio
async def test_a_remembered_mfa_device_signs_in_trusted_and_is_sent_as_remember_me() -> None:
    fake = V3Fake()
    fake.on("POST", "/v3/payments", httpx.Response(201, json={"id": "stp1", "amount": 5}))
    auth = credential(mfa_id="mfa-SECRET-remembered", device_id="laptop")
    async with client(fake, auth) as bill:
        paid = await bill.payments.create({"vendorId": "009x", "amount": 5})
    body = json.loads(fake.seen[0].content)
    assert (body["rememberMeId"], body["device"]) == ("mfa-SECRET-remembered", "laptop")
    assert paid.id == "stp1"


@pytest.mark.anyio
async def test_an_expired_session_401_is_renewed_once_and_the_call_replayed() -> None:
    fake = V3Fake()
    fake.on("GET", "/v3/vendors/00901V3", httpx.Response(200, json=VENDOR))
    async with client(fake) as bill:
        await bill.vendors.get("00901V3")
        fake.sessions.clear()
        assert (await bill.vendors.get("00901V3")).id == "00901V3"
    assert fake.logins == 2
    assert fake.paths().count("GET /connect/v3/vendors/00901V3") == 3


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "error_class", "code"),
    [
        (errors(404, "BDC_1205", "No data found."), bill_async.ApiError, "BDC_1205"),
        (errors(400, None, "address: must not be null"), bill_async.InvalidInputError, "HTTP_400"),
        (errors(404, None, "operation not found"), bill_async.NotFoundError, "HTTP_404"),
        (
            errors(403, "BDC_1361", "Untrusted session."),
            bill_async.UntrustedSessionError,
            "BDC_1361",
        ),
        (errors(422, "BDC_1152", "Invalid Process Date"), bill_async.ApiError, "BDC_1152"),
    ],
)
async def test_error_arrays_map_onto_the_tree_by_code_or_by_status(
    answer: httpx.Response, error_class: type[Exception], code: str
) -> None:
    fake = V3Fake()
    fake.on("GET", "/v3/vendors/00901V3", answer)
    async with client(fake) as bill:
        with pytest.raises(error_class) as caught:
            await bill.vendors.get("00901V3")
    assert isinstance(caught.value, bill_async.ApiError)
    assert caught.value.code == code and caught.value.status_code == answer.status_code
    assert caught.value.operation == "GET /v3/vendors/{vendorId}"
    assert len(caught.value.errors) == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(502, text="<html>Bad gateway</html>"),
        httpx.Response(400, json={"error": "not an array"}),
        httpx.Response(200, text="not json"),
    ],
)
async def test_a_body_that_is_not_bills_is_a_protocol_error(answer: httpx.Response) -> None:
    fake = V3Fake()
    fake.on("POST", "/v3/vendors", answer)
    async with client(fake) as bill:
        with pytest.raises((bill_async.ProtocolError, bill_async.AmbiguousWriteError)) as caught:
            await bill.vendors.create({"name": "x"})
    # A write answered with junk may have run: it is ambiguous, and it was sent once.
    assert isinstance(caught.value, bill_async.AmbiguousWriteError)
    assert isinstance(caught.value.__cause__, bill_async.ProtocolError)
    assert fake.paths().count("POST /connect/v3/vendors") == 1


@pytest.mark.anyio
async def test_cursor_pages_follow_next_page_and_send_checked_filters_and_sort() -> None:
    fake = V3Fake()
    pages = {
        None: {"nextPage": "p2", "results": [{"id": "1"}, {"id": "2"}]},
        "p2": {"nextPage": "p3", "results": []},  # an empty page with a cursor: go on
        "p3": {"results": [{"id": "3"}]},
    }
    fake.on(
        "GET", "/v3/vendors", lambda r: httpx.Response(200, json=pages[r.url.params.get("page")])
    )
    when = __import__("datetime").datetime(2026, 9, 1, tzinfo=__import__("datetime").UTC)
    async with client(fake) as bill:
        found = await bill.vendors.list(
            filters=[
                bill_async.Filter("updatedTime", ">=", when),
                bill_async.Filter("name", "sw", "Ac"),
            ],
            sort=[bill_async.Sort("updatedTime")],
            page_size=2,
        ).collect()
        with pytest.raises(bill_async.InvalidRequestError, match="1 to 100"):
            bill.vendors.list(page_size=101)
        with pytest.raises(bill_async.InvalidRequestError, match="operator"):
            bill.vendors.list(filters=[bill_async.Filter("name", "like", "x")])
    assert [v.id for v in found] == ["1", "2", "3"]
    first = fake.seen[1].url.params
    assert first["max"] == "2" and first["sort"] == "updatedTime:asc"
    assert first["filters"] == 'updatedTime:gte:"2026-09-01T00:00:00.000Z",name:sw:"Ac"'
    assert [r.url.params.get("page") for r in fake.seen[1:]] == [None, "p2", "p3"]


@pytest.mark.anyio
async def test_bulk_goes_in_chunks_each_all_or_nothing() -> None:
    fake = V3Fake()
    calls: list[int] = []

    def bulk(request: httpx.Request) -> httpx.Response:
        items = json.loads(request.content)
        calls.append(len(items))
        if any(item["name"] == "bad" for item in items):
            return errors(400, "BDC_1246", "Rollback due to other failures.")
        return httpx.Response(
            201, json={"vendors": [{"id": f"v{i}", **i_} for i, i_ in enumerate(items)]}
        )

    fake.on("POST", "/v3/vendors/bulk", bulk)
    items = [{"name": f"v{n}"} for n in range(45)]
    items[30]["name"] = "bad"
    async with client(fake) as bill:
        results = await bill.vendors.bulk_create(items)
    assert sorted(calls) == [5, 20, 20]  # BILL's 20 vendors per request
    assert len(results) == 45 and len(results.succeeded) == 25
    assert {index for index, _ in results.failed} == set(range(20, 40))
    assert all(isinstance(error, bill_async.ApiError) for _, error in results.failed)


@pytest.mark.anyio
async def test_a_token_session_is_refused_before_anything_is_sent() -> None:
    fake = V3Fake()
    async with client(fake, token()) as bill:
        with pytest.raises(bill_async.TokenPermissionError, match="payment capabilities"):
            await bill.payments.create({"vendorId": "009x"})
        with pytest.raises(bill_async.TokenPermissionError, match="MFA"):
            await bill.mfa.challenge({"useBackup": False})
        with pytest.raises(bill_async.TokenPermissionError, match="autoPay"):
            await bill.vendors.create({"name": "x", "autoPay": {"enabled": True}})
        with pytest.raises(bill_async.TokenPermissionError):
            await bill.request("POST", "/v3/invoices/00e1/email", json={})
    assert fake.seen == []


@pytest.mark.anyio
async def test_mfa_protected_calls_and_options_need_a_trusted_session() -> None:
    fake = V3Fake()
    fake.on("POST", "/v3/vendors", httpx.Response(201, json=VENDOR))
    async with client(fake) as bill:
        with pytest.raises(bill_async.MfaRequiredError):
            await bill.payments.create({"vendorId": "009x"})
        with pytest.raises(bill_async.MfaRequiredError):
            await bill.vendors.create({"name": "x", "autoPay": {"enabled": True}})
        await bill.vendors.create({"name": "x", "autoPay": {"enabled": False}})
    assert fake.paths() == ["POST /connect/v3/login", "POST /connect/v3/vendors"]


@pytest.mark.anyio
async def test_calls_that_text_or_email_wait_for_bills_five_a_minute() -> None:
    fake = V3Fake()
    fake.on("POST", "/v3/invoices/00e1/email", httpx.Response(200))
    wall = ManualClock(start=1_700_000_000.0)
    slept: list[float] = []

    async def sleep_and_move(seconds: float) -> None:
        if seconds:  # the fake's own latency is 0
            slept.append(seconds)
            wall.advance(seconds)

    async with client(fake, wall_clock=wall) as bill:
        for _ in range(5):
            await bill.invoices.email("00e1")
        original = anyio.sleep
        anyio.sleep = sleep_and_move  # type: ignore[assignment]
        try:
            await bill.invoices.email("00e1")
        finally:
            anyio.sleep = original  # type: ignore[assignment]
    assert fake.paths().count("POST /connect/v3/invoices/00e1/email") == 6
    assert len(slept) == 1 and 59 <= slept[0] <= 60


@pytest.mark.anyio
async def test_an_upload_is_raw_bytes_named_in_the_query_and_refused_over_6_mb() -> None:
    fake = V3Fake()
    fake.on(
        "POST",
        "/v3/attachments/vendors/009x",
        httpx.Response(200, json={"id": "att1", "name": "w9.pdf", "downloadLink": "https://x"}),
    )
    async with client(fake) as bill:
        made = await bill.attachments.upload_for_vendor(
            "009x", "w9.pdf", b"%PDF-1.7", content_type="application/pdf"
        )
        with pytest.raises(bill_async.InvalidRequestError, match="at most 6291456"):
            await bill.attachments.upload_for_vendor(
                "009x", "big.pdf", b"x" * (6 * 1024 * 1024 + 1)
            )
    upload = fake.seen[-1]
    assert upload.url.params["name"] == "w9.pdf" and upload.content == b"%PDF-1.7"
    assert upload.headers["content-type"] == "application/pdf"
    assert isinstance(made, v3.Attachment) and made.id == "att1"
    assert len(fake.seen) == 2


@pytest.mark.anyio
async def test_a_webhook_create_sends_one_idempotency_key_for_every_attempt() -> None:
    fake = V3Fake()
    keys: list[str] = []

    def create(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["X-Idempotent-Key"])
        if len(keys) == 1:
            raise httpx.ReadError("the answer was lost")
        return httpx.Response(200, json={"id": "sub1", "securityKey": "key-SECRET"})

    fake.on("POST", "/v3/subscriptions", create)
    async with client(fake) as bill:
        made = await bill.webhooks.create_subscription({"name": "all", "events": []})
    assert made["id"] == "sub1"
    assert len(keys) == 2 and keys[0] == keys[1]
    assert str(fake.seen[-1].url).startswith("https://gateway.test/connect-events/v3/")


@pytest.mark.anyio
async def test_request_by_path_keeps_the_rows_facts_and_refuses_non_canonical_paths() -> None:
    fake = V3Fake()
    fake.on("GET", "/v3/vendors/00901V3", httpx.Response(200, json=VENDOR))
    async with client(fake, token()) as bill:
        assert (await bill.request("GET", "/v3/vendors/00901V3"))["id"] == "00901V3"
        for path in ("/v3/payments/../payments", "/v3/%70ayments", "v3/payments", "/v3/payments/"):
            with pytest.raises(bill_async.InvalidRequestError, match="canonical"):
                await bill.request("POST", path, json={})
        with pytest.raises(bill_async.TokenPermissionError):
            await bill.request("POST", "/v3/payments", json={})
    assert fake.paths() == ["POST /connect/v3/login", "GET /connect/v3/vendors/00901V3"]


@pytest.mark.anyio
async def test_v2_and_v3_clients_of_one_devkey_share_the_governor_and_keep_their_own_sessions() -> (
    None
):
    fake = V3Fake(latency=0.01)
    fake.on("GET", "/v3/vendors/00901V3", httpx.Response(200, json=VENDOR))

    async def v2_handler(request: httpx.Request) -> httpx.Response:
        # One count of calls in flight for the organization, whichever API they came by.
        if request.url.path.endswith("Login.json"):
            body = {"sessionId": "v2-SECRET", "orgId": ORG}
        else:
            fake.in_flight += 1
            fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
            await anyio.sleep(0.01)
            fake.in_flight -= 1
            body = {"entity": "Vendor", "id": "00901V2"}
        return httpx.Response(
            200, json={"response_status": 0, "response_message": "Success", "response_data": body}
        )

    limits = bill_async.InProcessLimits()
    store = bill_async.InProcessSessionStore()
    async with (
        client(fake, limits=limits, session_store=store) as three,
        bill_async.Client(
            credential(),
            base_url="https://api.test/api/v2",
            transport=httpx.MockTransport(v2_handler),
            limits=limits,
            session_store=store,
        ) as two,
        anyio.create_task_group() as group,
    ):
        for _ in range(10):
            group.start_soon(three.vendors.get, "00901V3")
            group.start_soon(two.vendors.read, "00901V2")
    assert fake.most_in_flight == 3  # the two clients shared one governor
    assert fake.logins == 1  # the v3 session was not v2's, and v2's was not reused for v3
    assert three.session_manager.current is not None
    assert three.session_manager.current.session_id != "v2-SECRET"


@pytest.mark.anyio
async def test_a_mass_payment_is_followed_until_bill_completes_it() -> None:
    fake = V3Fake()
    statuses = iter(["SCHEDULED", "SCHEDULED", "COMPLETED"])
    fake.on(
        "POST",
        "/v3/payments/mass",
        httpx.Response(201, json={"paymentBatchId": "bbq1"}),
    )
    fake.on(
        "GET",
        "/v3/payments/mass/bbq1",
        lambda _r: httpx.Response(
            200,
            json={"paymentBatchId": "bbq1", "batchStatus": next(statuses), "count": {"failed": 0}},
        ),
    )
    auth = credential(mfa_id="mfa-SECRET-remembered", device_id="laptop")
    async with client(fake, auth) as bill:
        started = await bill.payments.create_mass({"payments": []})
        final = await bill.payments.wait_for_mass(started["paymentBatchId"], every=0.001)
        with pytest.raises(bill_async.RequestTimeoutError, match="not finished"):
            fake.on(
                "GET",
                "/v3/payments/mass/bbq2",
                httpx.Response(200, json={"batchStatus": "SCHEDULED"}),
            )
            await bill.payments.wait_for_mass("bbq2", every=0.001, give_up_after=0.05)
    assert final["batchStatus"] == "COMPLETED"
    assert fake.paths().count("GET /connect/v3/payments/mass/bbq1") == 3


@pytest.mark.anyio
async def test_bill_documents_still_processing_are_visible_and_followed() -> None:
    fake = V3Fake()
    rounds = iter(
        [
            [{"uploadId": "0du1", "status": "IVA_PROCESSING"}],
            [{"uploadId": "0du1", "documentId": "00h1", "status": "UPLOADED"}],
        ]
    )
    fake.on(
        "POST",
        "/v3/documents/bills/00n1",
        httpx.Response(200, json={"id": "0du1", "name": "bill.pdf"}),
    )
    fake.on("GET", "/v3/documents/upload-status", lambda _r: httpx.Response(200, json=next(rounds)))
    async with client(fake) as bill:
        uploading = await bill.documents.upload_for_bill("00n1", "bill.pdf", b"%PDF")
        done = await bill.documents.wait_for_uploads([uploading.id or ""], every=0.001)
    assert uploading.id == "0du1"  # BILL's temporary id while it processes the document
    assert done == [{"uploadId": "0du1", "documentId": "00h1", "status": "UPLOADED"}]
    assert fake.seen[-1].url.params["ids"] == "0du1"


@pytest.mark.anyio
async def test_a_bulk_payment_is_one_body_and_over_bills_limit_is_refused_unsent() -> None:
    fake = V3Fake()
    fake.on("POST", "/v3/payments/bulk", httpx.Response(201, json={"payments": [{"id": "stp1"}]}))
    auth = credential(mfa_id="mfa-SECRET-remembered", device_id="laptop")
    body = {"processDate": "2026-12-10", "payments": [{"billId": "00n1", "amount": 5}]}
    async with client(fake, auth) as bill:
        made = await bill.payments.create_bulk(body)
        with pytest.raises(bill_async.InvalidRequestError, match="at most 50"):
            await bill.payments.create_bulk({"payments": [{"billId": "00n1"}] * 51})
    assert made == {"payments": [{"id": "stp1"}]}
    assert json.loads(fake.seen[-1].content) == body
    assert fake.paths().count("POST /connect/v3/payments/bulk") == 1
