"""FastAPI: the example service under load against the emulator, and the error handlers."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI

import bill_async
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    EmulatorConfig,
    running_emulator,
)
from bill_async.fastapi import (
    OrgClient,
    bill_lifespan,
    error_response,
    get_client,
    install_exception_handlers,
)
from tests.loopback import serve

ROOT = Path(__file__).parent.parent


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fastapi_app", ROOT / "examples" / "fastapi_app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    return module


@pytest.mark.anyio
async def test_200_concurrent_requests_one_login_no_pool_growth_closed_at_shutdown() -> None:
    clients: list[bill_async.Client] = []
    with running_emulator(EmulatorConfig(scale=0.05, latency=0.002)) as emulated:
        org = emulated.emulator.org_ids[0]
        payable = next(
            b
            for b in emulated.emulator.objects(org, "Bill")
            if b["paymentStatus"] == "1" and b["dueAmount"] > 0 and b["isActive"] == "1"
        )
        vendor = payable["vendorId"]
        open_bills = [
            b
            for b in emulated.emulator.objects(org, "Bill")
            if b["vendorId"] == vendor and b["paymentStatus"] != "0" and b["isActive"] == "1"
        ]

        def make_client() -> bill_async.Client:
            auth = bill_async.CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org, DEMO_DEV_KEY)
            client = bill_async.Client(
                auth, base_url=emulated.base_url, limits=bill_async.InProcessLimits()
            )
            clients.append(client)
            return client

        app = example().create_app(make_client)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with serve(app, lifespan="on") as url:
                async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                    answers = []

                    async def get() -> None:
                        answers.append(await http.get(f"/vendors/{vendor}/open-bills"))

                    async with anyio.create_task_group() as group:
                        for _ in range(200):
                            group.start_soon(get)
                    (client,) = clients
                    pools = client._pipeline.shared.sender.transport._pools  # type: ignore[attr-defined]
                    connections = sum(len(p.connections) for p in pools if p is not None)
                    payment = await http.post(
                        f"/bills/{payable['id']}/payments",
                        json={"amount": "0.01", "process_date": "2024-08-01"},
                    )
        assert [a.status_code for a in answers] == [200] * 200
        assert {b["id"] for b in answers[0].json()} == {b["id"] for b in open_bills}
        assert all(a.json() == answers[0].json() for a in answers)
        assert emulated.emulator.counters.logins == 1
        assert emulated.emulator.counters.errors.get("BDC_1322", 0) == 0
        assert connections <= 3  # the governor's three: the pool did not grow with the load
        assert payment.status_code == 201, payment.text
        assert payment.json()["amount"] == "0.01"
        assert client.is_closed  # closed by the lifespan at shutdown
        assert [str(w.message) for w in caught] == []


def test_exception_handlers_map_errors_to_http() -> None:
    reset = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    now = reset.timestamp() - 90
    cases: list[tuple[bill_async.BillError, int, dict[str, str]]] = [
        (bill_async.TokenPermissionError("PayBills.json", "no"), 403, {}),
        (
            bill_async.RateLimitError("BDC_1144", "limit", "List/Bill.json", reset),
            429,
            {"retry-after": "90"},
        ),
        (bill_async.AmbiguousWriteError("Crud/Create/Bill.json", {}, "ReadTimeout"), 502, {}),
        (bill_async.ReadTimeoutError("slow"), 504, {}),
        (bill_async.ApiError("BDC_1002", "Unknown error", "X.json"), 502, {}),
        (bill_async.InvalidRequestError("bad filter"), 400, {}),
        (bill_async.ConcurrencyLimitError("BDC_1322", "busy", "X.json"), 503, {"retry-after": "1"}),
    ]
    for error, status, headers in cases:
        response = error_response(error, clock=lambda: now)
        assert response.status_code == status, error
        for key, value in headers.items():
            assert response.headers[key] == value
    ambiguous = error_response(cases[2][0]).body.decode()
    assert "may or may not" in ambiguous


@pytest.mark.anyio
async def test_installed_handlers_answer_for_a_route() -> None:
    app = FastAPI()
    install_exception_handlers(app)

    @app.get("/refused")
    async def refused() -> Any:
        raise bill_async.TokenPermissionError("Approve.json", "a token session cannot approve")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        answer = await http.get("/refused")
    assert answer.status_code == 403
    assert answer.json()["error"] == "TokenPermissionError"


@pytest.mark.anyio
async def test_a_route_without_the_lifespan_gets_a_clear_error() -> None:
    from starlette.requests import Request

    app = FastAPI()
    request = Request({"type": "http", "app": app, "state": {}})
    with pytest.raises(bill_async.ClientStateError, match="bill_lifespan"):
        await get_client(request)


@pytest.mark.anyio
async def test_org_client_serves_only_known_orgs() -> None:
    from tests.fakebill import ORG, OTHER_ORG, FakeBill, client, ok

    fake = FakeBill()
    fake.on(
        "ListOrgs.json", ok([{"orgId": ORG, "orgName": "A"}, {"orgId": OTHER_ORG, "orgName": "B"}])
    )
    fake.on("GetSessionInfo.json", lambda seen: ok({"organizationId": seen.form["sessionId"]}))
    app = FastAPI(lifespan=bill_lifespan(lambda: client(fake)))

    @app.get("/orgs/{org_id}/me")
    async def me(bill: OrgClient) -> Any:
        return {"org": bill.org_id}

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            for _ in range(3):
                assert (await http.get(f"/orgs/{OTHER_ORG}/me")).json() == {"org": OTHER_ORG}
            unknown = [await http.get(f"/orgs/00899BOGUS{n:010d}/me") for n in range(20)]
    assert [u.status_code for u in unknown] == [404] * 20
    assert fake.paths() == ["ListOrgs.json"]  # asked once; no login for unknown orgs


def test_decimal_amounts_are_exact_in_answers() -> None:
    module = example()
    assert module._money(Decimal("0.1") + Decimal("0.2")) == "0.3"
