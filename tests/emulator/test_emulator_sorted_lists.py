"""Lists kept sorted between pages (``bill_async/emulator/_sorted.py``) answer exactly as the
plain lists did (``tests/emulator/plain_lists.py``): over random objects, filters and sorts with
writes between the pages, and through both faces of a served emulator."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from bill_async.emulator import Emulator
from bill_async.emulator._entities import ENTITIES
from bill_async.emulator._errors import Fault
from bill_async.emulator._http import dump_json
from bill_async.emulator._query import OPERATORS, select
from bill_async.emulator._sorted import KeptList, SortedLists
from bill_async.emulator._v3._lists import page_of
from bill_async.emulator._v3._records import SPECS
from bill_async.emulator._v3._wire import V3Fault
from tests.emulator.plain_lists import plain_page, plain_select
from tests.emulator.rawhttp import Raw, bill_obj
from tests.emulator.rawv3 import RawV3

BILL = ENTITIES["Bill"].template
V3_BILL = SPECS["Bill"]

# Values that tie, instants written differently (+0500 is the first one again), plain dates,
# nothing at all, and values that are no instant, number or date.
TIMES = [
    "2024-01-01T00:00:00.000+0000",
    "2024-01-01T05:00:00.000+0500",
    "2024-01-01T00:00:00.001+0000",
    "2024-01-02T10:00:00.000+0000",
    "2024-01-02",
    None,
    "",
    "not a time",
]
VALUES: dict[str, list[Any]] = {
    "updatedTime": TIMES,
    "createdTime": TIMES,
    "amount": [1, 1.5, "2", "2.50", 0, None, "x", 2],
    "dueDate": ["2024-08-01", "2024-08-02", "2024-08-01T00:00:00.000+0000", None, "soon"],
    "isActive": ["1", "2", True, None],
    "invoiceNumber": ["A", "B", "a", "", None, 5],
    "description": ["x", "y", None, "xy"],
}
V2_FIELDS = [*VALUES, "id"]
# A few objects get a value no key orders totally: the lists fall back to the plain way.
ODD_VALUES: dict[str, list[Any]] = {"amount": ["NaN", "sNaN"], "invoiceNumber": [["A"]]}


def _random_object(rng: random.Random, number: int, odd: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {"entity": "Bill", "id": f"00n{number:017d}"}
    for field, values in VALUES.items():
        if rng.random() < 0.9:  # else the key is missing
            obj[field] = rng.choice(values)
    if odd and rng.random() < 0.05:
        field = rng.choice(list(ODD_VALUES))
        obj[field] = rng.choice(ODD_VALUES[field])
    return obj


def _pool(field: str) -> list[Any]:
    return VALUES.get(field, ["00n00000000000000000003", "00n00000000000000000010"])


def _random_v2_filter(rng: random.Random) -> Any:
    if rng.random() < 0.03:
        return rng.choice([{"field": "bogus", "op": "=", "value": "1"}, "junk"])
    field = rng.choice(V2_FIELDS)
    op = rng.choice(sorted(OPERATORS)) if rng.random() < 0.97 else "~"
    pool = _pool(field)
    if op in ("in", "nin"):
        chosen = [str(value) for value in rng.sample(pool, 2) if value is not None]
        return {"field": field, "op": op, "value": rng.choice([chosen, ",".join(chosen)])}
    return {"field": field, "op": op, "value": rng.choice(pool)}


def _random_v2_sorts(rng: random.Random) -> list[Any]:
    sorts: list[Any] = []
    for _ in range(rng.randint(1, 3)):
        item: dict[str, Any] = {"field": rng.choice(["updatedTime", "updatedTime", *V2_FIELDS])}
        direction = rng.choice([True, False, "true", "false", 1, 0, None])
        if direction is not None:
            item["asc"] = direction
        sorts.append(item)
    if rng.random() < 0.03:
        sorts.insert(rng.randint(0, len(sorts)), rng.choice([{"field": "bogus"}, "junk"]))
    return sorts


def _random_v2_data(rng: random.Random) -> dict[str, Any]:
    """Most often a keyset page: ``updatedTime >= t`` first, sorted by it then ``id``."""
    sorts = _random_v2_sorts(rng)
    if rng.random() < 0.4:
        sorts = [{"field": "updatedTime", "asc": True}, {"field": "id", "asc": True}]
    filters = [_random_v2_filter(rng) for _ in range(rng.choice([0, 0, 1, 1, 2]))]
    if rng.random() < 0.6 and isinstance(sorts[0], dict):
        first = sorts[0]["field"]
        if first in V2_FIELDS:
            filters.insert(0, {"field": first, "op": ">=", "value": rng.choice(_pool(first))})
    data: dict[str, Any] = {"sort": sorts}
    if filters:
        data["filters"] = filters
    return data


def _outcome(run: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """What ``run(*args)`` answered: its rows' ids (and a page's cursors), its refusal, or that
    it failed (SYSTEM_ERROR)."""
    try:
        result = run(*args)
    except Fault as fault:
        return ("refused", fault.code, fault.message)
    except V3Fault as fault:
        return ("refused", fault.status, fault.code, fault.message)
    except Exception:
        return ("failed",)
    rows = result.rows if hasattr(result, "rows") else result
    extra = (result.next_page, result.prev_page) if hasattr(result, "rows") else ()
    return ("rows", [row["id"] for row in rows], *extra)


def _write(rng: random.Random, table: dict[str, dict[str, Any]], number: int, odd: bool) -> None:
    """One random write: an object made, deleted, archived or restored, or a field changed."""
    choice = rng.random()
    if choice < 0.15 or not table:
        new = _random_object(rng, number, odd)
        table[new["id"]] = new
    elif choice < 0.25:
        del table[rng.choice(list(table))]
    else:
        obj = table[rng.choice(list(table))]
        field = rng.choice(list(VALUES))
        obj[field] = rng.choice(VALUES[field])


@pytest.mark.parametrize("seed", range(12))
def test_v2_select_from_kept_lists_is_the_plain_select(seed: int) -> None:
    rng = random.Random(seed)
    odd = seed % 3 == 0
    table = {obj["id"]: obj for obj in (_random_object(rng, n, odd) for n in range(60))}
    lists, generation = SortedLists(), 0
    kept_checked = 0
    for step in range(300):
        if rng.random() < 0.3:
            _write(rng, table, 1000 + step, odd)
            generation += 1  # as State.wrote() after every write
            continue
        kept = KeptList(lists, generation, ("org", "Bill"), table.values)
        data = _random_v2_data(rng)
        expected = _outcome(plain_select, list(table.values()), data, BILL)
        found = _outcome(select, list(table.values()), data, BILL, kept)
        assert found == expected, (seed, step, data)
        kept_checked += expected[0] == "rows"
    assert kept_checked > 100


V3_TIMES = [
    '"2024-01-01T00:00:00.000Z"',
    '"2024-01-01T00:00:00.001Z"',
    '"2024-01-02"',
    '"2024-01-02T10:00:00.000Z"',
]
V3_VALUES: dict[str, list[str]] = {
    "updatedTime": V3_TIMES,
    "createdTime": V3_TIMES,
    "amount": ["1", "1.5", "2.5", "0"],
    "dueDate": ['"2024-08-01"', '"2024-08-02"'],
    "archived": ["true", "false"],
    "invoice.invoiceNumber": ['"A"', '"a"', '"B"', '""'],
    "description": ['"x"', '"xy"'],
    "id": ['"00n00000000000000000003"'],
}
V3_OPS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "sw"]


def _random_v3_filter(rng: random.Random, field: str | None = None, op: str | None = None) -> str:
    field = field or rng.choice(list(V3_VALUES))
    op = op or rng.choice(V3_OPS)
    if op in ("in", "nin"):
        chosen = [value.strip('"') for value in rng.sample(V3_VALUES[field], 1)]
        return f'{field}:{op}:"{",".join(chosen)}"'
    return f"{field}:{op}:{rng.choice(V3_VALUES[field])}"


def _random_v3_query(rng: random.Random) -> dict[str, str]:
    """Most often a keyset page: ``updatedTime:gte:t`` first, sorted by it then ``id``."""
    if rng.random() < 0.4:
        sorts = ["updatedTime:asc", "id:asc"]
    else:
        fields = [*V3_VALUES, "updatedTime"]
        directions = ["asc", "desc", ""]
        sorts = [
            f"{rng.choice(fields)}:{rng.choice(directions)}".rstrip(":")
            for _ in range(rng.randint(1, 3))
        ]
    if rng.random() < 0.03:
        sorts.append(rng.choice(["bogus:asc", "id:up"]))
    filters = [_random_v3_filter(rng) for _ in range(rng.choice([0, 0, 1, 2]))]
    first = sorts[0].partition(":")[0]
    if rng.random() < 0.6 and first in V3_VALUES:
        filters.insert(0, _random_v3_filter(rng, first, "gte"))
    if rng.random() < 0.03:
        filters.append(rng.choice(["amount:~:1", "bogus:eq:1", 'amount:gte:"x"']))
    query = {"sort": ",".join(sorts), "max": str(rng.choice([1, 3, 20, 100]))}
    if filters:
        query["filters"] = ",".join(filters)
    return query


@pytest.mark.parametrize("seed", range(12))
def test_v3_pages_from_kept_lists_are_the_plain_pages(seed: int) -> None:
    rng = random.Random(seed)
    odd = seed % 3 == 0
    table = {obj["id"]: obj for obj in (_random_object(rng, n, odd) for n in range(60))}
    lists, generation = SortedLists(), 0
    kept_checked = 0
    for step in range(200):
        query = _random_v3_query(rng)
        for _page in range(4):  # a few pages of the list, writes between them now and then
            kept = KeptList(lists, generation, ("org", "Bill"), table.values)
            expected = _outcome(plain_page, V3_BILL, table.values(), query, "/v3/bills")
            found = _outcome(page_of, V3_BILL, table.values(), query, "/v3/bills", kept)
            assert found == expected, (seed, step, query)
            kept_checked += expected[0] == "rows"
            if expected[0] != "rows" or expected[2] is None:
                break
            query = {**query, "page": expected[2]}
            if rng.random() < 0.3:
                _write(rng, table, 1000 + step, odd)
                generation += 1
    assert kept_checked > 100


def test_the_kept_rows_serve_until_the_next_write() -> None:
    table = {f"00n{n:017d}": {"id": f"00n{n:017d}", "updatedTime": TIMES[n % 4]} for n in range(9)}
    lists = SortedLists()
    data = {"sort": [{"field": "updatedTime"}, {"field": "id"}]}
    made: list[int] = []

    def objects() -> Any:
        made.append(1)
        return table.values()

    for _ in range(3):
        select(table.values(), data, BILL, KeptList(lists, 0, ("org", "Bill"), objects))
    assert len(made) == 1  # sorted once, for three pages
    changed = f"00n{1:017d}"
    table[changed]["updatedTime"] = "2030-01-01"
    rows = select(table.values(), data, BILL, KeptList(lists, 1, ("org", "Bill"), objects))
    assert len(made) == 2 and rows[-1]["id"] == changed


def test_a_list_being_paged_through_stays_kept_while_others_come_and_go() -> None:
    lists = SortedLists()
    built: list[str] = []

    def build(name: str) -> Callable[[], None]:
        return lambda: built.append(name)

    for number in range(1000):
        lists.get("paged", 0, build("paged"))  # one page of it between every other list
        lists.get(number, 0, build("other"))
    assert built.count("paged") == 1 and built.count("other") == 1000
    for number in range(999, 999 - 200, -1):  # the most recently read others are still kept
        lists.get(number, 0, build("again"))
    assert "again" not in built


# -- through the faces --------------------------------------------------------------------------


def _v2_expected(emulator: Emulator, entity: str, data: dict[str, Any]) -> Any:
    with emulator.lock:
        org = emulator.state.org(emulator.org_ids[0])
        rows = plain_select(org.all(entity), data, ENTITIES[entity].template)
        start = data.get("start", 0)
        return json.loads(dump_json(rows[start : start + data.get("max", 999)]))


def _v3_expected(emulator: Emulator, name: str, path: str, query: dict[str, str]) -> Any:
    spec = SPECS[name]
    with emulator.lock:
        org = emulator.state.org(emulator.org_ids[0])
        page = plain_page(spec, org.all(spec.entity), query, path)
        payload: dict[str, Any] = {}
        if page.next_page is not None:
            payload["nextPage"] = page.next_page
        if page.prev_page is not None:
            payload["prevPage"] = page.prev_page
        payload["results"] = [spec.to_v3(org, obj) for obj in page.rows]
        return json.loads(dump_json(payload))


def _check_lists(session: Raw, v3_session: RawV3, emulator: Emulator, since: str) -> None:
    """Pages of a few lists on both faces, each the plain list's; none of them a write."""
    generation = emulator.state.generation
    keyset = [{"field": "updatedTime", "asc": True}, {"field": "id", "asc": True}]
    v2_lists: list[tuple[str, dict[str, Any]]] = [
        ("Bill", {"filters": [{"field": "updatedTime", "op": ">=", "value": since}]}),
        ("Bill", {"filters": [{"field": "isActive", "op": "=", "value": "1"}]}),
        ("Bill", {"sort": [{"field": "dueAmount", "asc": False}, {"field": "id"}]}),
        ("Vendor", {"sort": [{"field": "balance", "asc": False}]}),
        ("SentPay", {}),
    ]
    for entity, extra in v2_lists:
        for start in (0, 4, 8):
            data: dict[str, Any] = {"start": start, "max": 4, "sort": keyset, **extra}
            answer = session.ok(f"List/{entity}.json", data)
            assert answer == _v2_expected(emulator, entity, data), (entity, data)
    v3_since = since.replace("+0000", "Z")
    v3_lists = [
        ("Bill", "/v3/bills", f'updatedTime:gte:"{v3_since}"', "updatedTime:asc,id:asc"),
        ("Bill", "/v3/bills", "archived:eq:false", "dueDate:desc,id:asc"),
        ("Vendor", "/v3/vendors", "", "balance.amount:desc"),
        ("Payment", "/v3/payments", "", "updatedTime:asc,id:asc"),
    ]
    for name, path, filters, sort in v3_lists:
        query = {"max": "4", "sort": sort}
        if filters:
            query["filters"] = filters
        for _ in range(3):
            answer = v3_session.ok("GET", path, params=query)
            assert answer == _v3_expected(emulator, name, path, query), (path, query)
            if "nextPage" not in answer:
                break
            query = {**query, "page": answer["nextPage"]}
    assert emulator.state.generation == generation  # reads move nothing


def test_both_faces_list_as_before_with_writes_between_pages(
    session: Raw, v3_session: RawV3, emulator: Emulator
) -> None:
    org = emulator.org_ids[0]
    bills = [b for b in emulator.objects(org, "Bill") if b["isActive"] == "1"]
    since = sorted(b["updatedTime"] for b in bills)[len(bills) // 2]
    open_bill = next(b for b in bills if b["dueAmount"] > 70 and b["approvalStatus"] in ("0", "3"))
    unpaid = [b for b in bills if not b["paidAmount"] and not b["scheduledAmount"]]
    vendor = emulator.objects(org, "Vendor")[0]
    writes: list[Callable[[], Any]] = [
        lambda: session.ok(
            "Crud/Update/Bill.json", {"obj": {**bills[0], "description": "changed"}}
        ),
        lambda: session.ok("Crud/Delete/Bill.json", {"id": unpaid[0]["id"]}),
        lambda: session.ok("Crud/Undelete/Bill.json", {"id": unpaid[0]["id"]}),
        lambda: session.ok(  # one stamp for three bills: ties on updatedTime
            "Bulk/Crud/Update/Bill.json",
            {"bulk": [{"obj": {**b, "description": "tied"}} for b in bills[2:5]]},
        ),
        lambda: session.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"], 80)}),
        lambda: v3_session.ok("PATCH", f"/v3/bills/{bills[5]['id']}", {"description": "v3"}),
        lambda: v3_session.ok("POST", f"/v3/bills/{unpaid[1]['id']}/archive"),
        lambda: v3_session.ok(
            "POST",
            "/v3/bills/record-payment",
            {
                "vendorId": open_bill["vendorId"],
                "processDate": "2024-07-20",
                "toPrintCheck": False,
                "payments": [{"billId": open_bill["id"], "amount": 70}],
            },
        ),
    ]
    _check_lists(session, v3_session, emulator, since)
    for write in writes:
        generation = emulator.state.generation
        write()
        assert emulator.state.generation > generation
        _check_lists(session, v3_session, emulator, since)
