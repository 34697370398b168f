"""FastAPI: the example service under load against the emulator, and the error handlers."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
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
    RunningEmulator,
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
async def test_200_concurrent_requests_one_login_no_pool_growth_closed_at_shutdown(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    clients: list[bill_async.Client] = []
    with serve_emulator(EmulatorConfig(scale=0.05, latency=0.002)) as emulated:
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


def _api(cls: type[bill_async.ApiError], code: str, message: str = "m", op: str = "X.json") -> Any:
    return cls(code, message, op)


RESET = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)

# (error, status, Retry-After): every class of the tree, and the answers decided by code.
STATUS_CASES: list[tuple[bill_async.BillError, int, str | None]] = [
    (_api(bill_async.NotFoundError, "BDC_1120", "No data found."), 404, None),
    (_api(bill_async.InvalidInputError, "BDC_1119", "Invalid field,value: id, x."), 422, None),
    (
        _api(
            bill_async.InvalidInputError,
            "BDC_1129",
            "Invalid value for data key,value: id, 1234567890.",
            "Crud/Read/Vendor.json",
        ),
        404,
        None,
    ),
    (_api(bill_async.ServerError, "BDC_1002", "The amount is more than bill 1 owes."), 422, None),
    (_api(bill_async.ServerError, "BDC_1001", "System error occurred."), 502, None),
    (bill_async.InvalidRequestError("bad filter"), 400, None),
    (bill_async.UnknownFieldError("no such field", "nmae", "name"), 400, None),
    (bill_async.TokenPermissionError("PayBills.json", "no"), 403, None),
    (bill_async.MfaRequiredError("PayBills.json"), 403, None),
    (_api(bill_async.UntrustedSessionError, "BDC_1361"), 403, None),
    (_api(bill_async.MfaError, "BDC_1356"), 403, None),
    (_api(bill_async.PaymentError, "BDC_1150"), 403, None),
    (bill_async.RateLimitError("BDC_1144", "limit", "List/Bill.json", RESET), 429, "90"),
    (bill_async.BudgetExhaustedError("BDC_1144", "spent", "List/Bill.json", RESET), 429, "90"),
    # No reset_at: until the top of the next hour (the clock is 90 s before one).
    (bill_async.RateLimitError("BDC_1144", "limit", "List/Bill.json"), 429, "90"),
    (_api(bill_async.ConcurrencyLimitError, "BDC_1322"), 429, "1"),
    (_api(bill_async.LockedOutError, "BDC_1107"), 503, None),
    (_api(bill_async.AuthenticationError, "BDC_1101"), 502, None),
    (_api(bill_async.InactiveDevKeyError, "BDC_1103"), 502, None),
    (_api(bill_async.SessionExpiredError, "BDC_1109"), 502, None),
    (_api(bill_async.UnsupportedOperationError, "BDC_1121"), 502, None),
    (_api(bill_async.ApiError, "BDC_1999"), 502, None),
    (bill_async.AmbiguousWriteError("Crud/Create/Bill.json", {}, "ReadTimeout"), 502, None),
    (
        bill_async.ProtocolError("not JSON", status_code=200, body="<html>", operation="X.json"),
        502,
        None,
    ),
    (bill_async.ConnectError("X.json: ConnectError: 10.0.0.5 refused"), 502, None),
    (bill_async.ConnectionLostError("X.json: RemoteProtocolError: gone"), 502, None),
    (bill_async.PoolTimeoutError("X.json: PoolTimeout"), 503, None),
    (bill_async.ReadTimeoutError("X.json: ReadTimeout"), 504, None),
    (bill_async.ConnectTimeoutError("X.json: ConnectTimeout"), 504, None),
    (bill_async.WriteTimeoutError("X.json: WriteTimeout"), 504, None),
    (bill_async.RequestTimeoutError("X.json: TimeoutException"), 504, None),
    (bill_async.ConfigurationError("set BILL_PASSWORD"), 500, None),
    (bill_async.ClientStateError("closed"), 500, None),
]


@pytest.mark.parametrize(("error", "status", "retry_after"), STATUS_CASES, ids=repr)
def test_each_error_is_a_problem_with_the_status_a_client_expects(
    error: bill_async.BillError, status: int, retry_after: str | None
) -> None:
    response = error_response(error, clock=lambda: RESET.timestamp() - 90)
    assert response.status_code == status
    assert response.headers.get("retry-after") == retry_after
    assert response.media_type == "application/problem+json"
    problem = json.loads(response.body)
    assert problem["type"] == "about:blank"
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    assert problem["error"] == type(error).__name__
    if isinstance(error, bill_async.ApiError):
        assert problem["code"] == error.code


def test_every_class_of_the_tree_has_a_case() -> None:
    tested = {type(error) for error, _, _ in STATUS_CASES}
    classes = {
        getattr(bill_async, name)
        for name in bill_async.__all__
        if isinstance(getattr(bill_async, name), type)
        and issubclass(getattr(bill_async, name), bill_async.BillError)
    }
    abstract = {bill_async.BillError, bill_async.RequestRejectedError, bill_async.TransportError}
    assert classes - abstract - tested == set()


def test_problem_bodies_hold_no_secret_nor_the_services_addresses() -> None:
    leaky = [
        bill_async.ConnectError("X.json: ConnectError: [Errno 111] 10.0.0.5:443"),
        bill_async.ProtocolError(
            "not JSON", status_code=200, body="sessionId=s3cret", operation="X.json"
        ),
        bill_async.AuthenticationError(
            "BDC_1111", "No active user for: ap@corp.test, 00801.", "Login.json"
        ),
        bill_async.ConfigurationError("BILL_PASSWORD is set but BILL_USER_NAME is not"),
        bill_async.AmbiguousWriteError("Crud/Create/Bill.json", {"amount": 7}, "ReadTimeout"),
    ]
    for error in leaky:
        body = error_response(error).body.decode()
        for private in ("10.0.0.5", "s3cret", "ap@corp.test", "BILL_PASSWORD", "amount"):
            assert private not in body, (error, body)
    ambiguous = json.loads(error_response(leaky[-1]).body)
    assert "may or may not" in ambiguous["detail"]


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
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "Approve.json: not allowed for a token session: a token session cannot approve",
        "error": "TokenPermissionError",
        "operation": "Approve.json",
    }


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
    install_exception_handlers(app)

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
    assert unknown[0].json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "unknown organization '00899BOGUS0000000000'",
        "org_id": "00899BOGUS0000000000",
    }
    assert fake.paths() == ["ListOrgs.json"]  # asked once; no login for unknown orgs


def test_decimal_amounts_are_exact_in_answers() -> None:
    module = example()
    assert module._money(Decimal("0.1") + Decimal("0.2")) == "0.3"
