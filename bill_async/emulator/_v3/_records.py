"""Records between the state's v2 shape and v3's: one ``RecordSpec`` per kind of v3 record.

The state keeps every object as v2 has it (the v2 face answers with it unchanged); the v3 face
reads each through its spec into BILL's v3 keys and nesting (``shared/fixtures/
bill-v3-examples``: a vendor's ``address1``/``addressCity``/... is v3's ``address: {line1,
city, ...}``, ``isActive`` "1"/"2" is ``archived``, ``payBy`` "0"/"1"/"2" is
``paymentInformation.payByType``, timestamps end in ``Z``), and writes a v3 body back into v2
fields for the same ``Writer`` the v2 face uses. So a vendor created through either face is the
same object through the other.

Code lists BILL shows only in part are mapped as docs/decisions.md says (v2's codes to the
UPPER_SNAKE names BILL's v3 examples use; ``UNDEFINED`` for a code without one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._entities import ZERO_ID
from .._errors import invalid_datatype
from .._state import OrgData
from ._convert import (
    ARCHIVED,
    BOOL,
    COUNTRY,
    DATE,
    NUMBER,
    TEXT,
    TIME,
    Conv,
    Ref,
    codes,
    get_path,
    present,
    set_path,
    shared_rule,
)

__all__ = [
    "ACCOUNTING_CLASS",
    "ACCOUNT_TYPES",
    "AR_PAYMENT_TYPES",
    "BILL",
    "CHART_OF_ACCOUNTS",
    "CREDIT_MEMO",
    "CREDIT_MEMO_LINES",
    "CUSTOMER",
    "DEPARTMENT",
    "EMPLOYEE",
    "F",
    "Field",
    "INVOICE",
    "ITEM",
    "JOB",
    "LOCATION",
    "Lines",
    "PAYMENT",
    "READ_ONLY",
    "RECEIVABLE_PAYMENT",
    "RecordSpec",
    "SPECS",
    "VENDOR",
    "VENDOR_CREDIT",
]


@attrs.frozen
class Field:
    """One v3 key (a dotted path) and the v2 key it is kept in."""

    v3: str
    v2: str
    conv: Conv = TEXT
    writable: bool = True
    readable: bool = True  # False: a key of requests only (an invoice's ``customer.id``)

    @property
    def can_write(self) -> bool:
        return self.writable and not self.conv.read_only


def _field(v3: str, v2: str | None = None, conv: Conv = TEXT, **options: Any) -> Field:
    return Field(v3, v2 if v2 is not None else v3.rsplit(".", 1)[-1], conv, **options)


F = _field
READ_ONLY = {"writable": False}


@attrs.frozen
class Lines:
    """A record's line items: under ``v3`` in v3, ``v2`` in v2, one ``Field`` per line key."""

    v3: str
    v2: str
    fields: tuple[Field, ...]
    entity: str | None = None  # v2's entity of a line, where the v2 object keeps it

    def to_v3(self, lines: Any) -> list[dict[str, Any]]:
        return [_read(self.fields, line) for line in lines or () if isinstance(line, Mapping)]

    def to_v2(self, lines: Any) -> list[dict[str, Any]]:
        """The lines of a request as v2 lines (an ``id`` kept: the line it names is changed)."""
        if not isinstance(lines, list) or not all(isinstance(line, Mapping) for line in lines):
            raise shared_rule(invalid_datatype(self.v3))
        converted = []
        for line in lines:
            given = _write(self.fields, line, f"{self.v3}[].")
            if self.entity is not None:
                given["entity"] = self.entity
            if isinstance(line.get("id"), str) and line["id"]:
                given["id"] = line["id"]
            converted.append(given)
        return converted


# Extras: keys an answer has that are not a stored field (a bill's vendorName, a vendor's bank
# account), added by a function of the organization and the v2 object.
Extra = Callable[[OrgData, Mapping[str, Any], dict[str, Any]], None]


@attrs.frozen
class RecordSpec:
    """One kind of v3 record kept as the v2 ``entity``.

    Attributes:
        fields: the v3 keys, in the order BILL's answers have them.
        required: the v3 paths a create (or a replace) must give.
        lines: the line items, if the record has them.
        extra: adds the keys the answer computes (``vendorName``, ``payments``, ...).
        detail_only: keys that only a get and a list show (BILL's create and update answers
            leave a bill's ``vendorName`` out).
        touched: other v2 entities a write may change (a bill changes its vendor's balance):
            what a bulk call puts back when one of its items is refused.
    """

    name: str
    entity: str
    fields: tuple[Field, ...]
    required: tuple[str, ...] = ()
    lines: Lines | None = None
    extra: Extra | None = None
    detail_only: tuple[str, ...] = ()
    touched: tuple[str, ...] = ()

    @property
    def by_path(self) -> Mapping[str, Field]:
        return {field.v3: field for field in self.fields if field.readable}

    def to_v3(self, org: OrgData, obj: Mapping[str, Any], *, detail: bool = True) -> dict[str, Any]:
        """The v3 record of a v2 object (``detail``: as a get or a list shows it)."""
        record = _read(self.fields, obj)
        if self.lines is not None:
            record[self.lines.v3] = self.lines.to_v3(obj.get(self.lines.v2))
        if self.extra is not None:
            self.extra(org, obj, record)
        if not detail:
            for key in self.detail_only:
                record.pop(key, None)
        return record

    def to_v2(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The v2 fields a v3 body gives (only the keys it has), lines included."""
        given = _write(self.fields, body, "")
        if self.lines is not None:
            lines = get_path(body, self.lines.v3)
            if present(lines):
                given[self.lines.v2] = self.lines.to_v2(lines)
        return given


def _read(fields: tuple[Field, ...], obj: Mapping[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for field in fields:
        if not field.readable:
            continue
        value = field.conv.read(obj.get(field.v2))
        if value is not None:
            set_path(record, field.v3, value)
    return record


def _write(fields: tuple[Field, ...], body: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for field in fields:
        if not field.can_write:
            continue
        value = get_path(body, field.v3)
        if present(value):
            given[field.v2] = field.conv.write(value, prefix + field.v3)
    return given


# -- code lists (v2 code -> v3 name) --------------------------------------------------------------

ACCOUNT_TYPES = codes({"0": "NONE", "1": "BUSINESS", "2": "PERSON"})
_PAY_BY = codes({"0": "CHECK", "1": "ACH", "2": "RPPS"})
_TAX_ID_TYPES = codes({"1": "EIN", "2": "SSN"})
_BILL_PAYMENT_STATUS = codes(
    {"0": "PAID", "1": "UNPAID", "2": "PARTIALLY_PAID", "4": "SCHEDULED", "5": "PENDING"}
)
_APPROVAL_STATUS = codes(
    {"0": "UNASSIGNED", "1": "ASSIGNED", "3": "APPROVED", "4": "APPROVING", "5": "DENIED"}
)
_INVOICE_STATUS = codes(
    {"0": "PAID", "1": "OPEN", "2": "PARTIAL_PAYMENT", "4": "SCHEDULED", "5": "PENDING"}
)
_SENT_PAY_STATUS = codes({"1": "SCHEDULED", "2": "PAID", "3": "CANCELLED", "4": "VOID"})
_RECEIVED_PAY_STATUS = codes({"0": "PAID", "1": "VOID", "2": "SCHEDULED"})
AR_PAYMENT_TYPES = codes(
    {"0": "CASH", "1": "CHECK", "2": "CREDIT_CARD", "3": "ACH", "4": "PAYPAL", "5": "OTHER"}
)
_ACCOUNT_KINDS = codes(
    {
        "0": "UNSPECIFIED",
        "1": "BANK",
        "2": "ACCOUNTS_RECEIVABLE",
        "3": "OTHER_CURRENT_ASSET",
        "4": "FIXED_ASSET",
        "5": "OTHER_ASSET",
        "6": "ACCOUNTS_PAYABLE",
        "7": "CREDIT_CARD",
        "8": "OTHER_CURRENT_LIABILITY",
        "9": "LONG_TERM_LIABILITY",
        "10": "EQUITY",
        "11": "INCOME",
        "12": "COST_OF_GOODS_SOLD",
        "13": "EXPENSE",
        "14": "OTHER_INCOME",
        "15": "OTHER_EXPENSE",
    }
)
_ITEM_TYPES = codes(
    {
        "1": "SERVICE",
        "2": "NON_INVENTORY",
        "3": "INVENTORY",
        "4": "DISCOUNT",
        "5": "OTHER_CHARGE",
        "6": "SALES_TAX",
        "7": "SALES_TAX_GROUP",
        "8": "PAYMENT",
        "9": "FIXED_ASSET",
    }
)


def _address(
    prefix: str, v2_prefix: str, city: str, state: str, zip_: str, country: str
) -> tuple[Field, ...]:
    return (
        F(f"{prefix}.line1", f"{v2_prefix}1"),
        F(f"{prefix}.line2", f"{v2_prefix}2"),
        F(f"{prefix}.city", city),
        F(f"{prefix}.stateOrProvince", state),
        F(f"{prefix}.zipOrPostalCode", zip_),
        F(f"{prefix}.country", country, COUNTRY),
    )


def _head(*, archived_first: bool) -> tuple[Field, ...]:
    archived = F("archived", "isActive", ARCHIVED)
    identity = F("id", "id", TEXT, **READ_ONLY)
    return (archived, identity) if archived_first else (identity, archived)


_TIMES = (F("createdTime", "createdTime", TIME), F("updatedTime", "updatedTime", TIME))


def _classifications(*keys: str) -> tuple[Field, ...]:
    """``classifications.<key>`` fields; v3's ``accountingClassId`` is v2's ``actgClassId``."""
    targets = {
        "chartOfAccountId": ("chartOfAccountId", "ChartOfAccount"),
        "accountingClassId": ("actgClassId", "ActgClass"),
        "departmentId": ("departmentId", "Department"),
        "employeeId": ("employeeId", "Employee"),
        "jobId": ("jobId", "Job"),
        "locationId": ("locationId", "Location"),
        "itemId": ("itemId", "Item"),
        "customerId": ("customerId", "Customer"),
    }
    return tuple(F(f"classifications.{key}", targets[key][0], Ref(targets[key][1])) for key in keys)


def _money(*names: str, v2: Mapping[str, str] | None = None) -> tuple[Field, ...]:
    renamed = v2 or {}
    return tuple(F(name, renamed.get(name, name), NUMBER, **READ_ONLY) for name in names)


# -- vendors and customers ----------------------------------------------------------------------


def _vendor_extra(org: OrgData, obj: Mapping[str, Any], record: dict[str, Any]) -> None:
    """The vendor's active bank account, as v3 nests it in ``paymentInformation``."""
    for account in org.all("VendorBankAccount"):
        if account["vendorId"] == obj["id"] and account["isActive"] == "1":
            info = record.setdefault("paymentInformation", {})
            info["bankAccount"] = {
                "nameOnAccount": account["nameOnAcct"],
                "accountNumber": account["accountNumber"],
                "routingNumber": account["routingNumber"],
                "type": "SAVINGS" if account.get("isSavings") else "CHECKING",
                "ownerType": "PERSON" if account.get("isPersonalAcct") else "BUSINESS",
            }
            return


VENDOR = RecordSpec(
    "Vendor",
    "Vendor",
    (
        *_head(archived_first=True),
        F("name"),
        F("shortName"),
        F("accountNumber", "accNumber"),
        F("accountType", "accountType", ACCOUNT_TYPES),
        F("email"),
        F("phone"),
        *_address(
            "address", "address", "addressCity", "addressState", "addressZip", "addressCountry"
        ),
        F("paymentInformation.payeeName", "nameOnCheck"),
        F("paymentInformation.email", "paymentEmail"),
        F("paymentInformation.payByType", "payBy", _PAY_BY, **READ_ONLY),
        F("additionalInfo.taxId", "taxId"),
        F("additionalInfo.taxIdType", "taxIdType", _TAX_ID_TYPES),
        F("additionalInfo.track1099", "track1099", BOOL),
        F("additionalInfo.combinePayments", "enabledCombinePayments", BOOL),
        F("additionalInfo.paymentTermId", "paymentTermId", Ref("PaymentTerm")),
        F("additionalInfo.companyName", "companyName"),
        F("recurringPayments", "hasRecurringPayments", BOOL, **READ_ONLY),
        F("billCurrency"),
        *_TIMES,
        F("balance.amount", "balance", NUMBER, **READ_ONLY),
        F("autoPay.enabled", "hasBankAccountAutoPay", BOOL),
    ),
    required=("name",),
    extra=_vendor_extra,
    touched=("VendorBankAccount",),
)

CUSTOMER = RecordSpec(
    "Customer",
    "Customer",
    (
        F("email"),
        F("name"),
        F("id", "id", TEXT, **READ_ONLY),
        F("archived", "isActive", ARCHIVED),
        F("companyName"),
        F("contact.firstName", "contactFirstName"),
        F("contact.lastName", "contactLastName"),
        F("phone"),
        F("fax"),
        F("description"),
        F("invoiceCurrency"),
        F("accountType", "accountType", ACCOUNT_TYPES),
        F("paymentTermId", "paymentTermId", Ref("PaymentTerm")),
        F("accountNumber", "accNumber"),
        *_address(
            "billingAddress",
            "billAddress",
            "billAddressCity",
            "billAddressState",
            "billAddressZip",
            "billAddressCountry",
        ),
        *_address(
            "shippingAddress",
            "shipAddress",
            "shipAddressCity",
            "shipAddressState",
            "shipAddressZip",
            "shipAddressCountry",
        ),
        F("balance.amount", "balance", NUMBER, **READ_ONLY),
        *_TIMES,
    ),
    required=("name",),
)

# -- bills and invoices -------------------------------------------------------------------------

_BILL_LINES = Lines(
    "billLineItems",
    "billLineItems",
    (
        F("amount", "amount", NUMBER),
        F("id", "id", TEXT, **READ_ONLY),
        F("quantity", "quantity", NUMBER),
        F("price", "unitPrice", NUMBER),
        F("description"),
        *_classifications(
            "chartOfAccountId",
            "accountingClassId",
            "departmentId",
            "employeeId",
            "jobId",
            "locationId",
            "itemId",
            "customerId",
        ),
    ),
)


def _bill_extra(org: OrgData, obj: Mapping[str, Any], record: dict[str, Any]) -> None:
    vendor = org.get("Vendor", obj.get("vendorId"))
    if vendor is not None:
        record["vendorName"] = vendor["name"]


BILL = RecordSpec(
    "Bill",
    "Bill",
    (
        *_head(archived_first=True),
        F("vendorId", "vendorId", Ref("Vendor")),
        *_money("amount", "paidAmount", "dueAmount", "scheduledAmount", "creditAmount"),
        F("exchangeRate", "exchangeRate", NUMBER, **READ_ONLY),
        F("description"),
        F("dueDate", "dueDate", DATE),
        F("invoice.invoiceDate", "invoiceDate", DATE),
        F("invoice.invoiceNumber", "invoiceNumber"),
        F("payFromChartOfAccountId", "payFromChartOfAccountId", Ref("ChartOfAccount")),
        F("paymentStatus", "paymentStatus", _BILL_PAYMENT_STATUS, **READ_ONLY),
        F("approvalStatus", "approvalStatus", _APPROVAL_STATUS, **READ_ONLY),
        *_TIMES,
        *_classifications("chartOfAccountId", "accountingClassId", "departmentId", "locationId"),
        F("purchaseOrderNumber", "poNumber"),
    ),
    required=("vendorId", "dueDate", "invoice.invoiceNumber", "invoice.invoiceDate"),
    lines=_BILL_LINES,
    extra=_bill_extra,
    detail_only=("vendorName",),
    touched=("Vendor",),
)

_INVOICE_LINES = Lines(
    "invoiceLineItems",
    "invoiceLineItems",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("description"),
        F("price", "price", NUMBER),
        F("quantity", "quantity", NUMBER),
        # BILL's own replace sample gives a new line an amount and a quantity, no price.
        F("amount", "amount", NUMBER, readable=False),
        *_classifications(
            "chartOfAccountId",
            "accountingClassId",
            "departmentId",
            "jobId",
            "locationId",
            "itemId",
        ),
    ),
)


def _invoice_extra(org: OrgData, obj: Mapping[str, Any], record: dict[str, Any]) -> None:
    """The invoice's payments, from the received payments applied to it."""
    payments = []
    for pay in org.naming("InvoicePay", "invoiceId", obj["id"]):
        received = org.get("ReceivedPay", pay["receivedPayId"]) or {}
        payments.append(
            {
                "id": pay["receivedPayId"],
                "amount": NUMBER.read(pay["amount"]),
                "status": "VOID" if pay["paymentStatus"] == "1" else "PAID",
                "date": received.get("paymentDate"),
            }
        )
    if payments:
        record["payments"] = payments


INVOICE = RecordSpec(
    "Invoice",
    "Invoice",
    (
        *_head(archived_first=False),
        F("invoiceNumber"),
        F("invoiceDate", "invoiceDate", DATE),
        F("dueDate", "dueDate", DATE),
        F("customerId", "customerId", Ref("Customer"), **READ_ONLY),
        # An invoice is written with a customer object and read with a flat customerId
        # (a third party's live probe: a create that sends customerId is refused).
        F("customer.id", "customerId", Ref("Customer"), readable=False),
        *_money(
            "totalAmount",
            "dueAmount",
            "scheduledAmount",
            "creditAmount",
            v2={"totalAmount": "amount", "dueAmount": "amountDue"},
        ),
        F("status", "paymentStatus", _INVOICE_STATUS, **READ_ONLY),
        F("exchangeRate", "exchangeRate", NUMBER, **READ_ONLY),
        *_TIMES,
        F("payToChartOfAccountId", "payToChartOfAccountId", Ref("ChartOfAccount")),
        *_classifications("accountingClassId", "departmentId", "jobId", "locationId"),
        F("salesTaxItemId", "itemSalesTax", Ref("Item")),
        F("salesTaxTotal", "salesTaxTotal", NUMBER, **READ_ONLY),
        F("salesTaxPercentage", "salesTaxPercentage", NUMBER),
    ),
    required=("customer", "customer.id", "invoiceNumber", "dueDate"),
    lines=_INVOICE_LINES,
    extra=_invoice_extra,
    touched=("Customer",),
)

# -- credits ------------------------------------------------------------------------------------


def _credit_status(amount: Any, applied: Any) -> str:
    total, used = NUMBER.read(amount) or 0, NUMBER.read(applied) or 0
    if used <= 0:
        return "NOT_APPLIED"
    return "FULLY_APPLIED" if used >= total else "PARTIALLY_APPLIED"


# Kept by the v3 face in ``OrgData.v3_only`` (v2's CreditMemo has no lines), in v3's form.
CREDIT_MEMO_LINES = Lines(
    "creditMemoLineItems",
    "creditMemoLineItems",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("description"),
        F("price", "price", NUMBER),
        F("quantity", "quantity", NUMBER),
        F("amount", "amount", NUMBER, **READ_ONLY),
        F("ratePercent", "ratePercent", NUMBER),
        F("taxable", "taxable", BOOL),
        *_classifications(
            "chartOfAccountId", "accountingClassId", "departmentId", "jobId", "locationId", "itemId"
        ),
    ),
)


def _credit_memo_extra(org: OrgData, obj: Mapping[str, Any], record: dict[str, Any]) -> None:
    """Its status, and its lines (kept by the v3 face: v2's CreditMemo has none)."""
    record["status"] = _credit_status(obj.get("amount"), obj.get("appliedAmount"))
    lines = org.v3_only.get(obj["id"], {}).get("creditMemoLineItems")
    if lines:
        record["creditMemoLineItems"] = [dict(line) for line in lines]
    for key in ("createdTime", "updatedTime"):  # after the status and lines, as BILL's are
        if key in record:
            record[key] = record.pop(key)


CREDIT_MEMO = RecordSpec(
    "CreditMemo",
    "CreditMemo",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("customerId", "customerId", Ref("Customer")),
        F("referenceNumber", "refNumber"),
        F("creditDate", "creditDate", DATE),
        F("description"),
        F("archived", "isActive", ARCHIVED),
        *_money("amount", "appliedAmount"),
        *_TIMES,
    ),
    required=("customerId", "creditDate", "creditMemoLineItems"),
    extra=_credit_memo_extra,
)

_VENDOR_CREDIT_LINES = Lines(
    "vendorCreditLineItems",
    "vendorCreditLineItems",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("description"),
        F("amount", "amount", NUMBER),
        *_classifications(
            "chartOfAccountId",
            "accountingClassId",
            "departmentId",
            "jobId",
            "locationId",
            "itemId",
            "employeeId",
            "customerId",
        ),
    ),
    entity="VendorCreditLineItem",
)


def _vendor_credit_extra(org: OrgData, obj: Mapping[str, Any], record: dict[str, Any]) -> None:
    record["status"] = _credit_status(obj.get("amount"), obj.get("appliedAmount"))


VENDOR_CREDIT = RecordSpec(
    "VendorCredit",
    "VendorCredit",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("vendorId", "vendorId", Ref("Vendor")),
        F("referenceNumber", "refNumber"),
        F("creditDate", "creditDate", DATE),
        F("description"),
        F("archived", "isActive", ARCHIVED),
        *_money("amount", "appliedAmount"),
        *_TIMES,
    ),
    required=("vendorId", "referenceNumber", "creditDate", "vendorCreditLineItems"),
    lines=_VENDOR_CREDIT_LINES,
    extra=_vendor_credit_extra,
)

# -- classifications ----------------------------------------------------------------------------


def _tracking(name: str, entity: str, parent: str) -> RecordSpec:
    return RecordSpec(
        name,
        entity,
        (
            F("id", "id", TEXT, **READ_ONLY),
            F("name"),
            F("shortName"),
            F("description"),
            F("parentId", parent, Ref(entity)),
            F("archived", "isActive", ARCHIVED),
            *_TIMES,
        ),
        required=("name",),
    )


ACCOUNTING_CLASS = _tracking("AccountingClass", "ActgClass", "parentActgClassId")
DEPARTMENT = _tracking("Department", "Department", "parentDepartmentId")
JOB = _tracking("Job", "Job", "parentJobId")
LOCATION = _tracking("Location", "Location", "parentLocationId")

EMPLOYEE = RecordSpec(
    "Employee",
    "Employee",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("firstName"),
        F("lastName"),
        F("shortName"),
        F("parentId", "parentEmployeeId", Ref("Employee")),
        F("archived", "isActive", ARCHIVED),
        *_TIMES,
    ),
    required=("firstName", "lastName"),
)

CHART_OF_ACCOUNTS = RecordSpec(
    "ChartOfAccount",
    "ChartOfAccount",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("archived", "isActive", ARCHIVED),
        F("name"),
        F("description"),
        F("parentId", "parentChartOfAccountId", Ref("ChartOfAccount")),
        F("account.type", "accountType", _ACCOUNT_KINDS),
        F("account.number", "accountNumber"),
        *_TIMES,
    ),
    required=("name", "account.type"),
)

ITEM = RecordSpec(
    "Item",
    "Item",
    (
        F("id", "id", TEXT, **READ_ONLY),
        F("type", "type", _ITEM_TYPES),
        F("shortName"),
        F("name"),
        F("description"),
        F("archived", "isActive", ARCHIVED),
        F("parentId", "parentItemId", Ref("Item")),
        F("price", "price", NUMBER),
        F("expenseChartOfAccountId", "expenseAccount", Ref("ChartOfAccount")),
        F("purchaseDescription", "purDescription"),
        F("purchaseCost", "purCost", NUMBER),
        F("chartOfAccountId", "chartOfAccountId", Ref("ChartOfAccount")),
        F("taxable", "taxable", BOOL),
        F("percentage", "percentage", NUMBER),
        *_TIMES,
    ),
    required=("name",),
)

# -- payments -----------------------------------------------------------------------------------


def _received_extra(org: OrgData, obj: Mapping[str, Any], record: dict[str, Any]) -> None:
    rows = obj.get("invoicePays") or []
    record["invoicePayments"] = [
        {
            "invoiceId": row["invoiceId"],
            "amount": NUMBER.read(row["amount"]),
            "paymentDate": obj.get("paymentDate"),
        }
        for row in rows
    ]
    account = obj.get("depositToAccountId")
    if account not in (None, ZERO_ID):
        record["receivablesAccount"] = {"id": account, "type": "CHART_OF_ACCOUNT"}


RECEIVABLE_PAYMENT = RecordSpec(
    "ReceivablePayment",
    "ReceivedPay",
    (
        F("amount", "amount", NUMBER, **READ_ONLY),
        F("id", "id", TEXT, **READ_ONLY),
        F("customerId", "customerId", Ref("Customer"), **READ_ONLY),
        F("description", "description", TEXT, **READ_ONLY),
        F("paymentDate", "paymentDate", DATE, **READ_ONLY),
        F("unappliedAmount", "unappliedAmount", NUMBER, **READ_ONLY),
        F("convenienceFeeAmount", "convFeeAmount", NUMBER, **READ_ONLY),
        F("receivablesType", "paymentType", AR_PAYMENT_TYPES, **READ_ONLY),
        F("status", "status", _RECEIVED_PAY_STATUS, **READ_ONLY),
        F("referenceNumber", "refNumber", TEXT, **READ_ONLY),
        F("onlinePayment", "isOnline", BOOL, **READ_ONLY),
        *_TIMES,
    ),
    extra=_received_extra,
)


def _payment_extra(org: OrgData, obj: Mapping[str, Any], record: dict[str, Any]) -> None:
    """The bills a payment pays (with the vendor credits applied to each), and where from."""
    credits: dict[str, list[dict[str, Any]]] = {}
    for credit in obj.get("billCredits") or []:
        credits.setdefault(credit["billId"], []).append(
            {"id": credit["vendorCreditId"], "amount": NUMBER.read(credit["amount"])}
        )
    pays = [
        {
            "id": row["id"],
            "billId": row["billId"],
            "amount": NUMBER.read(row["amount"]),
            **({"vendorCredits": credits[row["billId"]]} if row["billId"] in credits else {}),
        }
        for row in obj.get("billPays") or []
    ]
    if len(pays) == 1:
        record["billId"] = pays[0]["billId"]
    record["billPayments"] = pays
    if obj.get("bankAccountId") not in (None, ZERO_ID):
        record["fundingAccount"] = {"type": "BANK_ACCOUNT", "id": obj["bankAccountId"]}


PAYMENT = RecordSpec(
    "Payment",
    "SentPay",
    (
        F("amount", "amount", NUMBER, **READ_ONLY),
        F("id", "id", TEXT, **READ_ONLY),
        F("vendorId", "vendorId", Ref("Vendor"), **READ_ONLY),
        F("vendorName", "name", TEXT, **READ_ONLY),
        F("description", "description", TEXT, **READ_ONLY),
        F("processDate", "processDate", DATE, **READ_ONLY),
        F("transactionNumber", "txnNumber", TEXT, **READ_ONLY),
        F("status", "status", _SENT_PAY_STATUS, **READ_ONLY),
        F("onlinePayment", "isOnline", BOOL, **READ_ONLY),
        F("toPrintCheck", "toPrintCheck", BOOL, **READ_ONLY),
        F("syncReference", "syncReference", TEXT, **READ_ONLY),
        *_TIMES,
    ),
    extra=_payment_extra,
)

# The specs by v3 model name, as the v3 endpoint table names them.
SPECS: Mapping[str, RecordSpec] = {
    spec.name: spec
    for spec in (
        VENDOR,
        CUSTOMER,
        BILL,
        INVOICE,
        CREDIT_MEMO,
        VENDOR_CREDIT,
        ACCOUNTING_CLASS,
        CHART_OF_ACCOUNTS,
        DEPARTMENT,
        EMPLOYEE,
        ITEM,
        JOB,
        LOCATION,
        RECEIVABLE_PAYMENT,
        PAYMENT,
    )
}
