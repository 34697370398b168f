"""The record operations every v3 object has, by its ``RecordSpec``: list, get, create (201),
update (PATCH), replace (PUT), archive and restore, and their bulk forms.

Writes go through the v2 face's ``Writer`` (its required fields, references, amounts and
balances). A body is checked first as v3 names it: the keys a create needs (400 "FIELD: The
FIELD field is required", as BILL words it for an invoice without its customer), the JSON
type of each key (BDC_1124), code lists (BDC_1119), and the records its ids name (BDC_1119;
a vendor or customer must not be archived). PATCH changes what the body has (its lines with
an ``id`` in place, lines without one added); PUT replaces the record (what the body leaves out
is cleared, lines left out are removed). Archive and restore may be repeated.

Bulk calls are BILL's all-or-nothing: more items than the row's ``bulk_limit`` is refused
(400) with nothing written; an item refused puts back everything the call wrote before it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .._entities import ENTITIES, ZERO_ID, amount_of, fresh, money
from .._errors import Fault, invalid_datatype, invalid_field_value
from .._state import OrgData
from ._context import Answer, Handler, V3Call, reraise_shared
from ._convert import Ref, get_path, present, shared_rule
from ._lists import page_of
from ._records import (
    CREDIT_MEMO,
    CREDIT_MEMO_LINES,
    VENDOR,
    VENDOR_CREDIT,
    Field,
    RecordSpec,
)
from ._wire import V3Fault, bad_request, no_record

__all__ = ["Snapshot", "record_handlers", "required_message"]

_PARTIES = ("Vendor", "Customer")


def required_message(path: str) -> str:
    """BILL's wording for a key a body must have (a third party's live probe)."""
    name = path.rsplit(".", 1)[-1]
    return f"{path}: The {name} field is required"


class Snapshot:
    """What a bulk call may change, kept to put back if one of its items is refused."""

    def __init__(self, org: OrgData, entities: tuple[str, ...]) -> None:
        self._org = org
        self._tables = {name: copy.deepcopy(org.table(name)) for name in entities}
        self._ids = set(org.kinds)
        self._v3_only = copy.deepcopy(org.v3_only)

    def restore(self) -> None:
        org = self._org
        for name, table in self._tables.items():
            org.objects[name] = table
        for object_id in [i for i in org.kinds if i not in self._ids]:
            del org.kinds[object_id]
        org.v3_only = self._v3_only


# -- checks -------------------------------------------------------------------------------------


def _check_required(spec: RecordSpec, body: Mapping[str, Any]) -> None:
    for path in spec.required:
        value = get_path(body, path)
        if not present(value) or value in ("", [], {}):
            raise bad_request(required_message(path))


def _check_refs(
    org: OrgData, fields: tuple[Field, ...], body: Mapping[str, Any], prefix: str
) -> None:
    """Every id the body gives names a record of its kind (a vendor or customer not archived)."""
    for field in fields:
        if not field.can_write or not isinstance(field.conv, Ref):
            continue
        value = get_path(body, field.v3)
        if not present(value) or value in ("", ZERO_ID):
            continue
        target = field.conv.target
        found = org.get(target, value)
        party = target in _PARTIES and field.v3 in ("vendorId", "customerId", "customer.id")
        if found is None or (party and found["isActive"] != "1"):
            raise shared_rule(invalid_field_value(prefix + field.v3, value))


def _check_body(org: OrgData, spec: RecordSpec, body: Mapping[str, Any], *, whole: bool) -> None:
    if whole:
        _check_required(spec, body)
    _check_refs(org, spec.fields, body, "")
    if spec.lines is not None:
        lines = get_path(body, spec.lines.v3)
        if present(lines) and isinstance(lines, list):
            for line in lines:
                if isinstance(line, Mapping):
                    _check_refs(org, spec.lines.fields, line, f"{spec.lines.v3}[].")


# -- what some records add to the shared writer ---------------------------------------------------


def _vendor_bank_account(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The v2 VendorBankAccount fields of a vendor body's ``paymentInformation.bankAccount``."""
    account = get_path(body, "paymentInformation.bankAccount")
    if not present(account):
        return None
    if not isinstance(account, Mapping):
        raise shared_rule(invalid_datatype("paymentInformation.bankAccount"))
    given: dict[str, Any] = {}
    for v3, v2 in (
        ("nameOnAccount", "nameOnAcct"),
        ("accountNumber", "accountNumber"),
        ("routingNumber", "routingNumber"),
    ):
        value = account.get(v3)
        if not isinstance(value, str) or not value:
            raise bad_request(required_message(f"paymentInformation.bankAccount.{v3}"))
        given[v2] = value
    given["isSavings"] = account.get("type") == "SAVINGS"
    given["isPersonalAcct"] = account.get("ownerType") == "PERSON"
    return given


def _credit_memo_lines(call: V3Call, body: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """A credit memo's lines as the v3 face keeps them (with ids and amounts), or None when
    the body has none. Amounts: price times quantity, or a percentage of the lines above."""
    lines = get_path(body, "creditMemoLineItems")
    if not present(lines):
        return None
    converted = CREDIT_MEMO_LINES.to_v2(lines)
    kept = []
    subtotal = Decimal(0)
    for line in converted:
        if line.get("ratePercent") is not None:
            amount = subtotal * amount_of(line["ratePercent"], "ratePercent") / 100
        else:
            if line.get("price") is None:
                raise bad_request(required_message("creditMemoLineItems[].price"))
            amount = amount_of(line["price"], "price") * amount_of(
                line.get("quantity") or 1, "quantity"
            )
        subtotal += amount
        line["amount"] = money(amount)
        line["id"] = line.get("id") or call.state.runtime_ids("CreditMemoLineItem")
        line.pop("entity", None)
        kept.append(line)
    return kept


def _before_write(
    call: V3Call,
    spec: RecordSpec,
    body: Mapping[str, Any],
    given: dict[str, Any],
    current: Mapping[str, Any] | None,
) -> None:
    """The v2 fields a record needs beyond its spec's (an invoice's date, a memo's amount).
    ``current``: the object a replace or update changes (None for a create)."""
    if spec.entity == "Invoice" and "invoiceDate" in given and given["invoiceDate"] is None:
        del given["invoiceDate"]  # a replace keeps it: BILL's own replace sample has none
    if spec.entity == "Invoice" and current is None and "invoiceDate" not in given:
        given["invoiceDate"] = call.today().isoformat()  # BILL's own create sample has none
    if spec is CREDIT_MEMO:
        lines = _credit_memo_lines(call, body)
        if lines is not None:
            total = sum((amount_of(line["amount"], "amount") for line in lines), Decimal(0))
            if total <= 0:
                raise V3Fault(422, None, "A credit memo's lines must add up to more than 0.")
            given["amount"] = money(total)
            given["creditMemoLineItems"] = lines
    if spec.entity == "Invoice" and spec.lines is not None:
        for line in given.get("invoiceLineItems") or []:
            if line.get("price") is None and line.get("amount") is not None:
                quantity = amount_of(line.get("quantity") or 1, "quantity")
                line["price"] = money(amount_of(line.pop("amount"), "amount") / quantity)


def _after_write(
    call: V3Call,
    spec: RecordSpec,
    given: dict[str, Any],
    obj: dict[str, Any],
    account: dict[str, Any] | None,
) -> None:
    if spec is CREDIT_MEMO and "creditMemoLineItems" in given:
        call.org.v3_only.setdefault(obj["id"], {})["creditMemoLineItems"] = given[
            "creditMemoLineItems"
        ]
    if spec is VENDOR_CREDIT and "vendorCreditLineItems" in given:
        lines = given["vendorCreditLineItems"]
        obj["vendorCreditLineItems"] = lines
        obj["amount"] = money(
            sum((amount_of(line.get("amount"), "amount") for line in lines), Decimal(0))
        )
    if account is not None:
        call.writer.create("VendorBankAccount", {"vendorId": obj["id"], **account})


# -- one record ---------------------------------------------------------------------------------


def _create(call: V3Call, spec: RecordSpec, body: Any) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise shared_rule(invalid_datatype(spec.name))
    _check_body(call.org, spec, body, whole=True)
    given = spec.to_v2(body)
    account = _vendor_bank_account(body) if spec is VENDOR else None
    _before_write(call, spec, body, given, None)

    def write() -> dict[str, Any]:
        obj = call.writer.create(spec.entity, given)
        _after_write(call, spec, given, obj, account)
        return obj

    obj: dict[str, Any] = reraise_shared(write)
    return spec.to_v3(call.org, obj, detail=False)


def _merged_lines(
    spec: RecordSpec, old: list[dict[str, Any]], new: list[dict[str, Any]], *, patch: bool
) -> list[dict[str, Any]]:
    """The lines a PATCH or PUT leaves: a given line with an ``id`` changes that line; PATCH
    keeps the lines it does not name and adds those without an id, PUT leaves exactly the
    lines it gives."""
    assert spec.lines is not None
    by_id = {line["id"]: line for line in old}
    named = {line["id"]: line for line in new if "id" in line}
    for line_id in named:
        if line_id not in by_id:
            raise shared_rule(invalid_field_value(f"{spec.lines.v3}[].id", line_id))

    def changed(line: dict[str, Any]) -> dict[str, Any]:
        given = named.get(line["id"], {})
        merged = {**line, **given}
        if "amount" not in given and ("quantity" in given or "unitPrice" in given):
            merged.pop("amount", None)  # the new quantity and price make the amount
        return merged

    if patch:
        return [changed(line) for line in old] + [line for line in new if "id" not in line]
    return [changed(by_id[line["id"]]) if "id" in line else line for line in new]


def _change(
    call: V3Call, spec: RecordSpec, record_id: Any, body: Any, *, patch: bool
) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise shared_rule(invalid_datatype(spec.name))
    if not isinstance(record_id, str):
        raise bad_request(required_message("id"))
    obj = call.org.get(spec.entity, record_id)
    if obj is None:
        raise no_record(record_id)
    _check_body(call.org, spec, body, whole=not patch)
    given = spec.to_v2(body)
    if not patch:  # a replace clears what the body leaves out
        template = fresh(ENTITIES[spec.entity].template)
        cleared = {
            f.v2: template.get(f.v2) for f in spec.fields if f.can_write and f.v2 not in given
        }
        given = {**cleared, **given}
    lines = spec.lines
    if lines is not None and lines.v2 in given and spec is not VENDOR_CREDIT:
        old = [line for line in obj.get(lines.v2) or [] if line.get("id")]
        given[lines.v2] = _merged_lines(spec, old, given[lines.v2], patch=patch)
    _before_write(call, spec, body, given, obj)

    def write() -> dict[str, Any]:
        changed = call.writer.update(spec.entity, {**given, "id": record_id})
        _after_write(call, spec, given, changed, None)
        return changed

    changed: dict[str, Any] = reraise_shared(write)
    return spec.to_v3(call.org, changed, detail=False)


def _set_archived(call: V3Call, spec: RecordSpec, record_id: str, archived: bool) -> dict[str, Any]:
    if call.org.get(spec.entity, record_id) is None:
        raise no_record(record_id)
    obj = reraise_shared(lambda: call.writer.set_active(spec.entity, record_id, not archived))
    return spec.to_v3(call.org, obj, detail=False)


# -- all or nothing -----------------------------------------------------------------------------


def _all_or_nothing(
    call: V3Call, spec: RecordSpec, items: list[Any], one: Callable[[Any], dict[str, Any]]
) -> list[dict[str, Any]]:
    """``one`` for every item, or for none: an item refused puts back what the others wrote,
    and the refusal names the item (BILL prefixes bulk errors so)."""
    snapshot = Snapshot(call.org, (spec.entity, *spec.touched))
    done = []
    for index, item in enumerate(items):
        try:
            done.append(one(item))
        except V3Fault as refused:
            snapshot.restore()
            raise V3Fault(refused.status, refused.code, f"[{index}] {refused.message}") from None
        except Fault as refused:  # pragma: no cover - the handlers convert these
            snapshot.restore()
            raise shared_rule(refused) from None
    return done


def _items(call: V3Call) -> list[Any]:
    items = call.json()
    if not isinstance(items, list) or not items:
        raise bad_request("A bulk request's body is a JSON array of one or more objects.")
    limit = call.op.bulk_limit
    if limit is not None and len(items) > limit:
        raise bad_request(f"A bulk request takes at most {limit} items, not {len(items)}.")
    return items


def _ids(call: V3Call, spec: RecordSpec) -> list[str]:
    raw = call.query.get("ids", "")
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not ids:
        raise bad_request(required_message("ids"))
    for record_id in ids:
        if call.org.get(spec.entity, record_id) is None:
            raise no_record(record_id)
    return ids


def _bulk_answer(call: V3Call, records: list[dict[str, Any]], status: int) -> Answer:
    key = call.op.result_key
    return Answer(status, records if key is None else {key: records})


# -- the handlers -------------------------------------------------------------------------------


def _list(spec: RecordSpec) -> Handler:
    def handle(call: V3Call) -> Answer:
        kept = call.state.kept_list(call.org, spec.entity)
        page = page_of(spec, call.org.all(spec.entity), call.query, call.op.path, kept)
        payload: dict[str, Any] = {}
        if page.next_page is not None:
            payload["nextPage"] = page.next_page
        if page.prev_page is not None:
            payload["prevPage"] = page.prev_page
        # What the records' answers find of other objects (an invoice's payments): one pass
        # over them for the page.
        with call.org.grouped(obj["id"] for obj in page.rows):
            payload["results"] = [spec.to_v3(call.org, obj) for obj in page.rows]
        return Answer(200, payload)

    return handle


def record_handlers(
    spec: RecordSpec, base: str, param: str, *, writable: bool
) -> dict[tuple[str, str], Handler]:
    """The handlers of a record's operations, by (method, path template) of the v3 table."""
    one = f"{base}/{{{param}}}"

    def get(call: V3Call) -> Answer:
        return Answer(200, spec.to_v3(call.org, call.record(spec, param)))

    handlers: dict[tuple[str, str], Handler] = {("GET", base): _list(spec), ("GET", one): get}
    if not writable:
        return handlers

    def create(call: V3Call) -> Answer:
        return Answer(201, _create(call, spec, call.json_object()))

    def update(call: V3Call) -> Answer:
        return Answer(200, _change(call, spec, call.params[param], call.json_object(), patch=True))

    def replace(call: V3Call) -> Answer:
        return Answer(200, _change(call, spec, call.params[param], call.json_object(), patch=False))

    def archive(call: V3Call) -> Answer:
        return Answer(200, _set_archived(call, spec, call.params[param], True))

    def restore(call: V3Call) -> Answer:
        return Answer(200, _set_archived(call, spec, call.params[param], False))

    def bulk_create(call: V3Call) -> Answer:
        items = _items(call)
        return _bulk_answer(
            call, _all_or_nothing(call, spec, items, lambda item: _create(call, spec, item)), 201
        )

    def bulk_change(patch: bool) -> Handler:
        def handle(call: V3Call) -> Answer:
            items = _items(call)

            def one_item(item: Any) -> dict[str, Any]:
                record_id = item.get("id") if isinstance(item, Mapping) else None
                return _change(call, spec, record_id, item, patch=patch)

            return _bulk_answer(call, _all_or_nothing(call, spec, items, one_item), 200)

        return handle

    def bulk_archive(archived: bool) -> Handler:
        def handle(call: V3Call) -> Answer:
            ids = _ids(call, spec)
            done = _all_or_nothing(
                call, spec, ids, lambda i: _set_archived(call, spec, i, archived)
            )
            return _bulk_answer(call, done, 200)

        return handle

    handlers.update(
        {
            ("POST", base): create,
            ("PATCH", one): update,
            ("PUT", one): replace,
            ("POST", f"{one}/archive"): archive,
            ("POST", f"{one}/restore"): restore,
            ("POST", f"{base}/bulk"): bulk_create,
            ("PATCH", f"{base}/bulk"): bulk_change(True),
            ("PUT", f"{base}/bulk"): bulk_change(False),
            ("POST", f"{base}/bulk/archive"): bulk_archive(True),
            ("POST", f"{base}/bulk/restore"): bulk_archive(False),
        }
    )
    return handlers
