"""The FastAPI example against the emulator under uvicorn: BILL's refusals reach the app's
client as RFC 9457 problem details with the status a client expects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import bill_async
from bill_async.emulator import Emulator, RunningEmulator
from tests.integration.conftest import credential, make_client
from tests.loopback import serve
from tests.test_fastapi import example

pytestmark = pytest.mark.integration

PROBLEM_MEMBERS = {"type", "title", "status", "detail"}


@pytest.fixture
def app_url(served: RunningEmulator, emulator: Emulator) -> Iterator[str]:
    """The example service, on its own uvicorn, signed in to the emulator's first organization."""
    org_id = emulator.org_ids[0]
    app = example().create_app(lambda: make_client(served.base_url, credential(org_id)))
    with serve(app, lifespan="on") as url:
        yield url


def assert_problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem.keys() >= PROBLEM_MEMBERS
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    return problem


@pytest.mark.anyio
async def test_an_unknown_vendor_is_a_404_problem(app_url: str) -> None:
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as http:
        answer = await http.get("/vendors/00902NOSUCHVENDORabc/open-bills")
    problem = assert_problem(answer, 404)
    assert problem["title"] == "Not Found"
    assert problem["error"] == "NotFoundError"
    assert problem["code"] == "BDC_1120"
    assert problem["detail"] == "No data found."


@pytest.mark.anyio
async def test_an_id_not_of_bills_form_is_a_404_too(app_url: str) -> None:
    # BILL names the id of a Read as invalid data ("Invalid value for data key,value: id, ...")
    # when it is not of the entity's form: for the app's client, there is no such bill.
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as http:
        answer = await http.post("/bills/1234567890/payments", json=PAYMENT)
    problem = assert_problem(answer, 404)
    assert problem["error"] == "InvalidInputError"
    assert problem["field"] == "id"


PAYMENT = {"amount": "0.01", "process_date": "2024-08-01"}


def payable_bill(emulator: Emulator) -> dict[str, Any]:
    org_id = emulator.org_ids[0]
    return next(
        bill
        for bill in emulator.objects(org_id, "Bill")
        if bill["paymentStatus"] == "1" and bill["dueAmount"] > 0 and bill["isActive"] == "1"
    )


@pytest.mark.anyio
async def test_an_overpayment_is_a_422_problem(app_url: str, emulator: Emulator) -> None:
    bill = payable_bill(emulator)
    too_much = {**PAYMENT, "amount": str(bill["dueAmount"] + 1)}
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as http:
        answer = await http.post(f"/bills/{bill['id']}/payments", json=too_much)
        paid = await http.post(f"/bills/{bill['id']}/payments", json=PAYMENT)
    problem = assert_problem(answer, 422)
    assert problem["title"] == "Unprocessable Content"
    assert problem["code"] == "BDC_1002"
    assert problem["operation"] == "RecordAPPayment.json"
    assert "more than" in problem["detail"]
    assert paid.status_code == 201, paid.text  # the same route pays what is owed


@pytest.mark.anyio
async def test_an_unknown_organization_is_a_404_problem(app_url: str, emulator: Emulator) -> None:
    bill = payable_bill(emulator)
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as http:
        unknown = await http.get(
            f"/orgs/00899BOGUS0000000001/vendors/{bill['vendorId']}/open-bills"
        )
        known = await http.get(f"/orgs/{emulator.org_ids[0]}/vendors/{bill['vendorId']}/open-bills")
    problem = assert_problem(unknown, 404)
    assert problem["org_id"] == "00899BOGUS0000000001"
    assert "unknown organization" in problem["detail"]
    assert known.status_code == 200
    assert bill["id"] in {b["id"] for b in known.json()}


@pytest.mark.anyio
async def test_no_secret_in_a_refused_sign_in(served: RunningEmulator, emulator: Emulator) -> None:
    wrong = bill_async.CredentialLogin(
        "demo@example.com", "wrong-password-s3cret", emulator.org_ids[0], "demo-dev-key"
    )
    app = example().create_app(lambda: make_client(served.base_url, wrong))
    with serve(app, lifespan="on") as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            answer = await http.get("/vendors/00902NOSUCHVENDORabc/open-bills")
    problem = assert_problem(answer, 502)
    assert problem["error"] == "AuthenticationError"
    assert problem["detail"] == "the service could not sign in to BILL"
    for secret in ("wrong-password-s3cret", "demo-dev-key", "demo@example.com"):
        assert secret not in answer.text
