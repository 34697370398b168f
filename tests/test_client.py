"""The client: life cycle, pluggable transports, client.call, and the generated groups."""

from __future__ import annotations

import json
import random
from typing import Any

import anyio
import httpx
import pytest
import respx

import bill_async
from tests.fakebill import BASE_URL, ORG, FakeBill, client, credential, error, fixture, ok
from tests.loopback import post, read_body, serve


def test_base_url_constants() -> None:
    assert bill_async.PRODUCTION_URL == "https://api.bill.com/api/v2"
    assert bill_async.SANDBOX_URL == "https://api-stage.bill.com/api/v2"


@pytest.mark.anyio
async def test_context_manager_closes_the_pool_and_aclose_is_idempotent() -> None:
    closed: list[bool] = []

    class Transport(httpx.MockTransport):
        async def aclose(self) -> None:
            closed.append(True)

    fake = FakeBill()
    bill = bill_async.Client(credential(), base_url=BASE_URL, transport=Transport(fake.handle))
    async with bill:
        assert not bill.is_closed
    assert bill.is_closed
    await bill.aclose()
    await bill.aclose()
    assert closed == [True]
    with pytest.raises(bill_async.ClientStateError, match="closed"):
        await bill.vendors.read("009x")
    assert fake.seen == []


@pytest.mark.anyio
async def test_default_transport_is_owned_and_closed_with_the_client() -> None:
    bill = bill_async.Client(credential())
    transport = bill._pipeline.shared.sender.transport
    assert isinstance(transport, bill_async.PooledTransport)
    closed: list[bool] = []
    real_aclose = transport.aclose

    async def aclose() -> None:
        closed.append(True)
        await real_aclose()

    transport.aclose = aclose  # type: ignore[method-assign]
    async with bill:
        pass
    assert closed == [True]


@pytest.mark.anyio
async def test_client_call_goes_through_the_same_pipeline() -> None:
    fake = FakeBill()
    fake.on(
        "GetEntityMetadata.json", lambda seen: ok({"Vendor": {"fields": {}}, "asked": seen.data})
    )
    fake.on("Some/New/Operation.json", ok({"done": True}))
    async with client(fake) as bill:
        meta = await bill.call("GetEntityMetadata.json", {"entity": ["Vendor"]})
        assert meta == {"Vendor": {"fields": {}}, "asked": {"entity": ["Vendor"]}}
        # An operation the table lacks is still sent, with the session.
        assert await bill.call("Some/New/Operation.json", {"x": 1}) == {"done": True}
        with pytest.raises(bill_async.UnsupportedOperationError) as caught:
            await bill.call("Nope.json")
    assert caught.value.code == "BDC_1121"
    assert fake.paths() == [
        "Login.json",
        "GetEntityMetadata.json",
        "Some/New/Operation.json",
        "Nope.json",
    ]
    assert "data" not in fake.seen[-1].form


@pytest.mark.anyio
async def test_client_call_refuses_what_is_not_a_path() -> None:
    fake = FakeBill()
    async with client(fake) as bill:
        for bad in ("https://evil.example/Login.json", "/Crud/Read/Vendor.json", "Vendor"):
            with pytest.raises(bill_async.InvalidRequestError):
                await bill.call(bad)
        with pytest.raises(bill_async.InvalidRequestError, match="list_orgs"):
            await bill.call("ListOrgs.json")
    assert fake.seen == []


@pytest.mark.anyio
async def test_respx_plugs_in_as_the_transport() -> None:
    router = respx.MockRouter(using=None, assert_all_called=True)
    router.post(f"{BASE_URL}/Login.json").respond(json=ok({"sessionId": "!s1", "orgId": ORG}))
    read = router.post(f"{BASE_URL}/Crud/Read/Customer.json").respond(
        json=json.loads(json.dumps(ok(fixture("Crud_Read_Customer")), default=str))
    )
    async with bill_async.Client(
        credential(), base_url=BASE_URL, transport=httpx.MockTransport(router.handler)
    ) as bill:
        customer = await bill.customers.read("0cu02EAQUAPCBNTDsmzc")
    assert isinstance(customer, bill_async.Customer)
    assert customer.company_name == "A Company"
    assert read.call_count == 1


@pytest.mark.anyio
async def test_an_asgi_app_plugs_in_as_the_transport() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await read_body(receive)  # the whole request, as a server reads it
        path = scope["path"].rsplit("/", 1)[-1]
        data = ok({"sessionId": "!asgi"}) if path == "Login.json" else ok({"path": path})
        payload = json.dumps(data).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": payload})

    transport = httpx.ASGITransport(app=app)
    async with bill_async.Client(credential(), base_url=BASE_URL, transport=transport) as bill:
        assert await bill.session.get_info() == {"path": "GetSessionInfo.json"}


@pytest.mark.anyio
async def test_generated_methods_send_the_right_shapes() -> None:
    fake = FakeBill()
    vendor = fixture("Crud_Read_Vendor")
    fake.on(
        "Crud/Create/Vendor.json", lambda seen: ok({**vendor, "name": seen.data["obj"]["name"]})
    )
    fake.on("Crud/Delete/Vendor.json", ok({**vendor, "isActive": "2"}))
    fake.on("RecordAPPayment.json", ok({"entity": "SentPay", "id": "stp01", "amount": 5}))
    fake.on("GetAPSummary.json", ok({"bills": {"allCount": 1}}))
    async with client(fake) as bill:
        created = await bill.vendors.create(name="Acme Vendor", email="a@b.c")
        deleted = await bill.vendors.delete(created.id or "")
        paid = await bill.payments.record_ap_payment(
            vendor_id="009x", bill_pays=[{"billId": "00n1", "amount": 5}]
        )
        summary = await bill.payments.get_ap_summary()
    assert fake.seen[1].data == {
        "obj": {"entity": "Vendor", "name": "Acme Vendor", "email": "a@b.c"}
    }
    assert created.name == "Acme Vendor"
    assert fake.seen[2].data == {"id": "00902YSABCAKZHY25m0r"}
    assert deleted.is_active is False
    assert fake.seen[3].data == {"vendorId": "009x", "billPays": [{"billId": "00n1", "amount": 5}]}
    assert isinstance(paid, bill_async.SentPay)
    assert summary == {"bills": {"allCount": 1}}
    assert "data" not in fake.seen[4].form


@pytest.mark.anyio
async def test_api_errors_carry_code_message_and_operation() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Bill.json", error("BDC_1002", "Unknown error occurred."))
    async with client(fake) as bill:
        with pytest.raises(bill_async.ApiError) as caught:
            await bill.bills.read("00n1")
    assert (caught.value.code, caught.value.message, caught.value.operation) == (
        "BDC_1002",
        "Unknown error occurred.",
        "Crud/Read/Bill.json",
    )
    assert fake.count("Crud/Read/Bill.json") == 1


@pytest.mark.anyio
async def test_upload_is_multipart() -> None:
    fake = FakeBill()
    fake.on("UploadAttachment.json", ok({"id": "00h01"}))
    async with client(fake) as bill:
        answer = await bill.documents.upload(
            "invoice.pdf", b"%PDF-1.4 test", object_id="00n1", content_type="application/pdf"
        )
    upload = fake.seen[-1]
    assert answer == {"id": "00h01"}
    assert upload.content_type.startswith("multipart/form-data; boundary=")
    assert b'name="devKey"\r\n\r\ndev-key-SECRET-1' in upload.body
    assert b'name="data"\r\n\r\n{"id":"00n1","fileName":"invoice.pdf"}' in upload.body
    assert (
        b'filename="invoice.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 test'
        in upload.body
    )


def test_a_client_used_on_another_event_loop_raises_a_clear_error() -> None:
    import asyncio

    from tests.loopback import serve

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        name = scope["path"].rsplit("/", 1)[-1]
        data = {"sessionId": "!s", "orgId": ORG} if name == "Login.json" else fixture_vendor()
        body = json.dumps(ok(data), default=str).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    with serve(app) as url:
        bill = bill_async.Client(credential(), base_url=f"{url}/api/v2")

        async def first() -> str | None:
            return (await bill.vendors.read("009x")).id

        async def second() -> None:
            with pytest.raises(bill_async.ClientStateError, match="another event loop"):
                await bill.vendors.read("009x")

        home = asyncio.new_event_loop()
        try:
            assert home.run_until_complete(first()) == fixture_vendor()["id"]
            asyncio.run(second())  # not httpx's "Event loop is closed"
            assert bill.limits.in_flight == 0  # readable outside any loop
            home.run_until_complete(bill.aclose())  # closed where it was opened
        finally:
            home.close()
        assert bill.is_closed


def fixture_vendor() -> dict[str, Any]:
    return dict(fixture("Crud_Read_Vendor"))


@pytest.mark.anyio
async def test_action_methods_name_their_arguments_and_send_only_those_given() -> None:
    import datetime as dt
    from decimal import Decimal

    fake = FakeBill()
    fake.on("SetApprovers.json", ok({}))
    fake.on(
        "ChargeCustomer.json", ok({"chargedReceivedPay": {"entity": "ReceivedPay", "id": "0rp1"}})
    )
    async with client(fake) as bill:
        await bill.approvals.set_approvers(
            object_id="00n1", entity="Bill", approvers=["006a", "006b"]
        )
        charged = await bill.payments.charge_customer(
            customer_id="0cu1",
            payment_date=dt.date(2026, 11, 26),
            payment_account_id="cba1",
            memo="thanks",
            invoice_pays=[{"invoiceId": "00e1", "amount": Decimal("12.50")}],
            extra={"extraFlag": True},  # not a named argument: sent as given, explicitly
        )
        with pytest.raises(TypeError, match="extra_flag"):
            await bill.payments.charge_customer(customer_id="0cu1", extra_flag=True)  # type: ignore[call-arg]
    assert fake.seen[1].data == {
        "objectId": "00n1",
        "entity": "Bill",
        "approvers": ["006a", "006b"],
    }
    assert fake.seen[2].data == {
        "customerId": "0cu1",
        "paymentDate": "2026-11-26",
        "paymentAccountId": "cba1",
        "Memo": "thanks",
        "invoicePays": [{"invoiceId": "00e1", "amount": 12.5}],
        "extraFlag": True,
    }
    assert isinstance(charged, bill_async.ReceivedPay) and charged.id == "0rp1"
    assert len(fake.seen) == 3  # the misspelt call sent nothing


@pytest.mark.anyio
async def test_a_call_waiting_for_its_slot_when_the_client_closes_is_not_sent() -> None:
    fake = FakeBill(latency=0.05)
    fake.on("Crud/Create/Vendor.json", lambda seen: ok({"entity": "Vendor", "id": "009new"}))
    outcomes: dict[str, object] = {}
    async with client(fake, max_in_flight=1) as bill:
        await bill.login()  # signed in

        async def create(name: str) -> None:
            try:
                outcomes[name] = await bill.vendors.create(name=name)
            except bill_async.BillError as error:
                outcomes[name] = error

        async with anyio.create_task_group() as group:
            group.start_soon(create, "first")  # in flight
            await anyio.sleep(0.01)
            group.start_soon(create, "second")  # waits for the one slot
            await anyio.sleep(0.01)
            await bill.aclose()
    assert isinstance(outcomes["first"], bill_async.Vendor)
    assert isinstance(outcomes["second"], bill_async.ClientStateError)
    assert "not sent" in str(outcomes["second"])
    assert [s.data["obj"]["name"] for s in fake.seen if s.path == "Crud/Create/Vendor.json"] == [
        "first"
    ]


@pytest.mark.anyio
async def test_close_stops_a_call_waiting_to_retry() -> None:
    fake = FakeBill()
    fake.on("Crud/Read/Vendor.json", httpx.Response(503, text="down"))

    class Longest(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b  # no jitter: the wait before the retry is the full 0.5 s

    slow = bill_async.RetryPolicy(base_delay=0.5, max_delay=0.5, max_retries=5)
    async with client(fake, retry=slow, random=Longest()) as bill:
        outcome: list[BaseException] = []

        async def read() -> None:
            try:
                await bill.vendors.read("009x")
            except bill_async.BillError as caught:
                outcome.append(caught)

        async with anyio.create_task_group() as group:
            group.start_soon(read)
            await anyio.sleep(0.05)  # the first attempt failed; it waits to retry
            await bill.aclose()
    assert [type(e) for e in outcome] == [bill_async.ClientStateError]
    assert fake.count("Crud/Read/Vendor.json") == 1


@pytest.mark.anyio
async def test_a_closed_pooled_transport_sends_nothing_and_opens_nothing() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    with serve(app) as url:
        transport = bill_async.PooledTransport()
        await post(transport, url + "/a", b"", "text/plain", httpx.Timeout(5))
        await transport.aclose()
        with pytest.raises(bill_async.ClientStateError, match="closed"):
            await post(transport, url + "/b", b"", "text/plain", httpx.Timeout(5))
        with pytest.raises(bill_async.ClientStateError, match="closed"):
            await transport.handle_async_request(httpx.Request("POST", url + "/c"))
    assert seen == ["/a"]
    assert all(pool is None or not pool.connections for pool in transport._pools)
