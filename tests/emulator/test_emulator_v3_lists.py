"""v3 lists on the emulator: cursor pages, filters with their ops and quoting, sorts."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

import pytest

from bill_async.emulator import Emulator
from tests.emulator.rawv3 import RawV3


def _all(raw: RawV3, path: str, **params: str) -> tuple[list[dict[str, Any]], int]:
    """Every record of a list, following nextPage; and how many pages it took."""
    records: list[dict[str, Any]] = []
    pages, cursor = 0, None
    while True:
        query = dict(params)
        if cursor is not None:
            query["page"] = cursor
        answer = raw.ok("GET", path, params=query)
        pages += 1
        records.extend(answer["results"])
        cursor = answer.get("nextPage")
        if cursor is None:
            return records, pages


def test_pages_follow_next_page_to_the_end(v3_session: RawV3, emulator: Emulator) -> None:
    bills = emulator.objects(emulator.org_ids[0], "Bill")
    records, pages = _all(v3_session, "/v3/bills", max="7")
    assert [r["id"] for r in records] == [b["id"] for b in bills]  # creation order
    assert pages == -(-len(bills) // 7)
    first = v3_session.ok("GET", "/v3/bills", params={"max": "7"})
    assert "prevPage" not in first
    second = v3_session.ok("GET", "/v3/bills", params={"max": "7", "page": first["nextPage"]})
    back = v3_session.ok("GET", "/v3/bills", params={"max": "7", "page": second["prevPage"]})
    assert back["results"] == first["results"]


def test_max_is_20_by_default_and_1_to_100(v3_session: RawV3) -> None:
    assert len(v3_session.ok("GET", "/v3/bills")["results"]) == 20
    assert len(v3_session.ok("GET", "/v3/bills", params={"max": "1"})["results"]) == 1
    for bad in ("0", "101", "x"):
        code, _ = v3_session.refused("GET", "/v3/bills", 400, params={"max": bad})
        assert code is None


def test_a_cursor_serves_only_its_own_list(v3_session: RawV3) -> None:
    cursor = v3_session.ok("GET", "/v3/bills", params={"max": "2"})["nextPage"]
    other = {"max": "2", "page": cursor, "sort": "dueDate:asc"}
    assert v3_session.refused("GET", "/v3/bills", 400, params=other)[0] is None
    assert v3_session.refused("GET", "/v3/bills", 400, params={"page": "junk"})[0] is None


def _ids(records: list[dict[str, Any]]) -> set[str]:
    return {r["id"] for r in records}


def test_filters_compare_by_kind_with_every_operator(v3_session: RawV3, emulator: Emulator) -> None:
    org = emulator.org_ids[0]
    bills = emulator.objects(org, "Bill")
    cut = sorted(b["createdTime"] for b in bills)[len(bills) // 2]
    cut_v3 = cut.replace("+0000", "Z")
    day = _dt.date.fromisoformat(sorted(b["dueDate"] for b in bills)[10])

    def ids(text: str) -> set[str]:
        return _ids(_all(v3_session, "/v3/bills", filters=text, max="100")[0])

    def check(text: str, wanted: set[str]) -> None:
        assert 0 < len(wanted) < len(bills), text  # the filter must choose
        assert ids(text) == wanted, text

    def amount(b: dict[str, Any]) -> Decimal:
        return Decimal(str(b["amount"]))

    check(f'createdTime:gte:"{cut_v3}"', {b["id"] for b in bills if b["createdTime"] >= cut})
    check(f'createdTime:lt:"{cut_v3}"', {b["id"] for b in bills if b["createdTime"] < cut})
    check(f'dueDate:lte:"{day}"', {b["id"] for b in bills if b["dueDate"] <= str(day)})
    check("amount:gt:1000", {b["id"] for b in bills if amount(b) > 1000})
    check("paymentStatus:eq:PAID", {b["id"] for b in bills if b["paymentStatus"] == "0"})
    check('paymentStatus:ne:"PAID"', {b["id"] for b in bills if b["paymentStatus"] != "0"})
    both = {b["id"] for b in bills if b["paymentStatus"] in ("0", "1")}
    check('paymentStatus:in:"PAID,UNPAID"', both)
    check('paymentStatus:nin:"PAID,UNPAID"', _ids(bills) - both)
    vendor = bills[0]["vendorId"]
    check(f'vendorId:eq:"{vendor}"', {b["id"] for b in bills if b["vendorId"] == vendor})
    number = bills[3]["invoiceNumber"]
    check(
        f'invoice.invoiceNumber:sw:"{number[:-1]}"',
        {b["id"] for b in bills if b["invoiceNumber"].startswith(number[:-1])},
    )
    # All filters must hold; a date-time may be given in BILL's shorter forms.
    check(
        f'amount:gt:1000,createdTime:gte:"{cut[:10]}"',
        {b["id"] for b in bills if amount(b) > 1000 and b["createdTime"][:10] >= cut[:10]},
    )
    assert ids("archived:eq:false") == _ids(bills)


def test_a_filter_value_with_a_comma_needs_quotes(v3_session: RawV3, emulator: Emulator) -> None:
    v3_session.ok("POST", "/v3/vendors", {"name": "Smith, Jones & Co"})
    found, _ = _all(v3_session, "/v3/vendors", filters='name:eq:"Smith, Jones & Co"')
    assert [v["name"] for v in found] == ["Smith, Jones & Co"]


@pytest.mark.parametrize(
    ("filters", "code"),
    [
        ("nosuchfield:eq:1", "BDC_1130"),
        ("amount:like:1", None),
        ("amount:gt:lots", "BDC_1119"),
        ('name:eq:"open', None),
    ],
)
def test_bad_filters_are_refused(v3_session: RawV3, filters: str, code: str | None) -> None:
    path = "/v3/vendors" if filters.startswith("name") else "/v3/bills"
    assert v3_session.refused("GET", path, 400, params={"filters": filters})[0] == code


def test_sorts_apply_in_order(v3_session: RawV3, emulator: Emulator) -> None:
    bills = emulator.objects(emulator.org_ids[0], "Bill")
    records, _ = _all(v3_session, "/v3/bills", sort="paymentStatus:asc,amount:desc", max="9")
    expected = sorted(bills, key=lambda b: -Decimal(str(b["amount"])))
    names = {"0": "PAID", "1": "UNPAID", "2": "PARTIALLY_PAID", "4": "SCHEDULED"}
    expected.sort(key=lambda b: names[b["paymentStatus"]])
    assert [r["id"] for r in records] == [b["id"] for b in expected]
    assert v3_session.refused("GET", "/v3/bills", 400, params={"sort": "amount:up"})[0] is None
    assert v3_session.refused("GET", "/v3/bills", 400, params={"sort": "x:asc"})[0] == "BDC_1130"
