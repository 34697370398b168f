"""The token permission map: every rule refused before anything is sent, everything else sent."""

from __future__ import annotations

from typing import Any

import pytest

import bill_async
from bill_async import ENDPOINTS, ENDPOINTS_BY_PATH, TOKEN_PERMISSIONS, Shape
from bill_async._v2._convert import camel
from tests.fakebill import FakeBill, client, credential, ok, token

# Every rule of BILL's token sign-in page (and the inferred ones), as concrete operations.
FORBIDDEN = {
    "Crud/Create/User.json": "users",
    "Crud/Update/User.json": "users",
    "Crud/Delete/User.json": "users",
    "Crud/Undelete/User.json": "users",
    "SendInvoice.json": "send or mail invoices",
    "MailInvoice.json": "send or mail invoices",
    "PayBills.json": "pay, cancel or void",
    "CancelAPPayment.json": "pay, cancel or void",
    "VoidAPPayment.json": "pay, cancel or void",
    "Approve.json": "approve or deny",
    "Deny.json": "approve or deny",
    "Crud/Create/ApprovalPolicyApprover.json": "approval policy approvers",
    "Crud/Update/ApprovalPolicyApprover.json": "approval policy approvers",
    "Crud/Delete/ApprovalPolicyApprover.json": "approval policy approvers",
    "Bulk/Crud/Create/ApprovalPolicyApprover.json": "approval policy approvers",
    "SetApprovers.json": "set bill approvers",
    "ClearApprovers.json": "set bill approvers",
    "MFAChallenge.json": "MFA",
    "MFAAuthenticate.json": "MFA",
    "MFAStatus.json": "MFA",
    "ChargeCustomer.json": "payment capabilities",
}

ALLOWED_SAMPLE = [
    "Crud/Create/Vendor.json",
    "Crud/Read/User.json",
    "List/User.json",
    "Crud/Create/Bill.json",
    "RecordAPPayment.json",
    "RecordARPayment.json",
    "Crud/Create/Invoice.json",
    "Crud/Create/ApprovalPolicy.json",
    "Crud/Read/ApprovalPolicyApprover.json",
    "ListApprovers.json",
    "Crud/Create/VendorBankAccount.json",
    "SendVendorInvite.json",
    "SetCustomerAuthorization.json",
    "GetAPSummary.json",
    "GetDocumentPages.json",
]


def test_the_map_is_derived_from_the_table_and_covers_every_rule() -> None:
    assert set(TOKEN_PERMISSIONS) == set(FORBIDDEN)
    for path, words in FORBIDDEN.items():
        assert words in TOKEN_PERMISSIONS[path].text
        assert ENDPOINTS_BY_PATH[path].token_rule is TOKEN_PERMISSIONS[path]
    assert sum(e.token_allowed for e in ENDPOINTS) == len(ENDPOINTS) - len(FORBIDDEN)


def call_generated(bill: bill_async.Client, path: str) -> Any:
    """The generated method for ``path``, called with plausible arguments."""
    endpoint = ENDPOINTS_BY_PATH[path]
    method = getattr(getattr(bill, endpoint.group), endpoint.method)
    if endpoint.shape is Shape.ID:
        return method("00n01ABCDEFGHIJKLMNO")
    if endpoint.shape is Shape.OBJ:
        return method(id="00n01ABCDEFGHIJKLMNO")
    if endpoint.shape is Shape.BULK_OBJ:
        return method([{"approvalPolicyId": "app01", "usersId": "006x"}])
    if endpoint.shape is Shape.BULK_ID:
        return method(["00n01ABCDEFGHIJKLMNO"])
    if endpoint.shape is Shape.LIST:
        return method().collect()
    if endpoint.shape is Shape.NONE:
        return method()
    if endpoint.params:  # the row names its arguments: data holds only those
        return method({endpoint.params[0].wire or camel(endpoint.params[0].name): None})
    return method({"objectId": "00n01ABCDEFGHIJKLMNO", "entity": "Bill"})


@pytest.mark.anyio
@pytest.mark.parametrize("path", sorted(FORBIDDEN))
async def test_token_session_is_refused_before_anything_is_sent(path: str) -> None:
    fake = FakeBill()
    async with client(fake, token()) as bill:
        with pytest.raises(bill_async.TokenPermissionError) as generated:
            await call_generated(bill, path)
        with pytest.raises(bill_async.TokenPermissionError) as by_path:
            await bill.call(path, {"id": "x"})
    for caught in (generated.value, by_path.value):
        assert caught.operation == path
        assert caught.rule == TOKEN_PERMISSIONS[path].text
        assert path in str(caught) and FORBIDDEN[path] in str(caught)
        assert isinstance(caught, bill_async.BillError)
    assert fake.seen == []  # not even a login


@pytest.mark.anyio
@pytest.mark.parametrize("path", ALLOWED_SAMPLE)
async def test_token_session_sends_allowed_operations(path: str) -> None:
    fake = FakeBill()
    fake.on(path, ok([] if path.startswith("List/") else {}))
    async with client(fake, token()) as bill:
        await call_generated(bill, path)
    assert fake.paths() == ["Login.json", path]


@pytest.mark.anyio
@pytest.mark.parametrize("path", sorted(p for p in FORBIDDEN if not ENDPOINTS_BY_PATH[p].needs_mfa))
async def test_credential_session_sends_what_tokens_may_not(path: str) -> None:
    fake = FakeBill()
    key = ENDPOINTS_BY_PATH[path].result_key
    fake.on(path, ok({"bulk": [ok({})]} if path.startswith("Bulk/") else {key: {}} if key else {}))
    async with client(fake, credential()) as bill:
        await call_generated(bill, path)
    assert fake.paths() == ["Login.json", path]


def test_readme_shows_the_generated_table() -> None:
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert bill_async.token_permission_table() in readme


# Other spellings of forbidden paths, which a server (or a proxy before it) may read as the
# forbidden operation: percent-encoding, dot segments, double slashes, another case.
RESPELLED = [
    "%50ayBills.json",
    "./PayBills.json",
    "x/../PayBills.json",
    "Crud/Create/%55ser.json",
    "Crud//Create/User.json",
    "paybills.json",
    "Crud/Create/user.json",
    "PayBills.json?x=1",
    "PayBills.json/.",
    "/PayBills.json",
    "https://evil.test/PayBills.json",
]


@pytest.mark.anyio
@pytest.mark.parametrize("path", RESPELLED)
async def test_a_path_spelled_otherwise_is_refused_before_anything_is_sent(path: str) -> None:
    fake = FakeBill()
    for make_auth in (token, credential):
        async with client(fake, make_auth()) as bill:
            with pytest.raises(bill_async.InvalidRequestError):
                await bill.call(path, {"id": "x"})
    assert fake.seen == []  # not even a login


@pytest.mark.anyio
async def test_a_family_rule_holds_in_any_case_for_paths_the_table_lacks() -> None:
    fake = FakeBill()
    async with client(fake, token()) as bill:
        for path in ("Bulk/Crud/Undelete/User.json", "Bulk/Crud/Undelete/USER.json"):
            with pytest.raises(bill_async.TokenPermissionError):
                await bill.call(path, {"bulk": []})
    assert fake.seen == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    [
        "Bulk/Crud/Create/User.json",
        "Crud/Undelete/ApprovalPolicyApprover.json",
        "Bulk/Crud/Update/ApprovalPolicyApprover.json",
    ],
)
async def test_client_call_applies_family_rules_to_paths_the_table_lacks(path: str) -> None:
    fake = FakeBill()
    async with client(fake, token()) as bill:
        with pytest.raises(bill_async.TokenPermissionError):
            await bill.call(path, {"bulk": []})
    assert fake.seen == []


@pytest.mark.anyio
async def test_call_still_reaches_operations_outside_the_table() -> None:
    fake = FakeBill()
    fake.on("GetSomethingNew.json", ok({"answer": 42}))
    fake.on("Crud/Read/Widget_2.json", ok({"id": "w"}))
    async with client(fake, token()) as bill:
        assert await bill.call("GetSomethingNew.json", {"x": 1}) == {"answer": 42}
        assert await bill.call("Crud/Read/Widget_2.json", {"id": "w"}) == {"id": "w"}
    assert fake.paths() == ["Login.json", "GetSomethingNew.json", "Crud/Read/Widget_2.json"]


def test_a_case_variant_of_a_table_path_names_the_right_spelling() -> None:
    from bill_async._v2._permissions import check_path

    with pytest.raises(bill_async.InvalidRequestError, match=r"call 'PayBills\.json'"):
        check_path("Paybills.json")
    check_path("PayBills.json")  # the table's own spelling passes
