"""BILL's objects as the emulator stores them: id prefixes, payload templates, and field rules.

Objects are plain dicts in wire form (camelCase keys, ``isActive`` "1"/"2", dates as
``YYYY-MM-DD``, timestamps as ``YYYY-MM-DDThh:mm:ss.SSS+0000``, amounts as JSON numbers, unset
references as twenty zeros). Vendor, Customer, Bill, Invoice and the bank accounts start from
the real sandbox payloads in ``_templates``; the other entities from the fields of reference §5.3.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
import string
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

import attrs

from . import _templates as templates
from ._errors import invalid_data_key, invalid_datatype

__all__ = [
    "CODE_LISTS",
    "ENTITIES",
    "PREFIXES",
    "ZERO_ID",
    "EntitySpec",
    "LINE_TEMPLATES",
    "IdMaker",
    "amount_of",
    "check_date",
    "format_ms",
    "fresh",
    "is_id_of",
    "money",
    "money_cents",
    "parse_time",
]

ZERO_ID = "00000000000000000000"

# reference §5.1, plus prefixes seen in real payloads.
PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "User": "006",
        "Organization": "008",
        "Vendor": "009",
        "Invoice": "00e",
        "InvoiceLineItem": "00f",
        "InboxDocument": "00h",
        "Bill": "00n",
        "PaymentTerm": "00p",
        "BillApprover": "0ba",
        "ChartOfAccount": "0ca",
        "Customer": "0cu",
        "Department": "0de",
        "Document": "0du",
        "Item": "0ii",
        "InvoicePay": "0ip",
        "Profile": "0po",
        "ReceivedPay": "0rp",
        "LargeBiller": "0rv",
        "Note": "act",
        "Attachment": "att",
        "ApprovalPolicyApprover": "apa",
        "ApprovalPolicy": "app",
        "BankAccount": "bac",
        "BillCredit": "bcr",
        "BillLineItem": "bli",
        "BillPay": "blp",
        "RecurringBill": "btp",
        "CustomerBankAccount": "cba",
        "CreditMemo": "ccr",
        # A credit memo's line (v3 only): BILL's id list names no prefix; "cml" is invented.
        "CreditMemoLineItem": "cml",
        "CheckImage": "cki",
        "ActgClass": "cls",
        "CustomerContact": "cpu",
        "Employee": "emp",
        "InvoiceTemplate": "itm",
        "Job": "job",
        "Location": "loc",
        "MoneyMovement": "mmt",
        "NetworkRequest": "nrr",
        "RecurringInvoice": "rit",
        "RPConvFee": "rpf",
        "SentPay": "stp",
        "VendorBankAccount": "vba",
        "VendorCreditApprover": "vca",
        "VendorCredit": "vcr",
    }
)

# Byte -> character tables: ten capitals, then a five-character lowercase-and-digit tail.
_HEAD = bytes((string.ascii_uppercase * 10)[:256], "ascii")
_TAIL = bytes(((string.ascii_lowercase + string.digits) * 8)[:256], "ascii")


class IdMaker:
    """BILL-style ids: prefix + ``02`` + ten capitals + a five-character lowercase tail.

    Ids are drawn from ``rng`` (so seeded data is reproducible) and never repeat within the
    ``issued`` set shared by everything one emulator hands out.
    """

    def __init__(self, rng: random.Random, issued: set[str]) -> None:
        self._rng = rng
        self._issued = issued

    def __call__(self, entity: str) -> str:
        prefix = PREFIXES[entity] + "02"
        while True:
            raw = self._rng.randbytes(15)
            new = prefix + (raw[:10].translate(_HEAD) + raw[10:].translate(_TAIL)).decode()
            if new not in self._issued:
                self._issued.add(new)
                return new


def is_id_of(entity: str, value: Any) -> bool:
    """Whether ``value`` has the form of an id of ``entity``: twenty characters after its prefix."""
    return (
        isinstance(value, str)
        and len(value) == 20
        and value.isalnum()
        and value.startswith(PREFIXES[entity])
    )


_DAYS: dict[int, str] = {}


def format_ms(ms: int) -> str:
    """BILL's timestamp for POSIX milliseconds: ``2024-07-30T19:31:00.000+0000``."""
    seconds, millis = divmod(ms, 1000)
    day, second = divmod(seconds, 86_400)
    date = _DAYS.get(day)
    if date is None:
        t = time.gmtime(day * 86_400)
        date = _DAYS[day] = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{date}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}+0000"


# A plain date may leave out the zero padding (``2025-9-1``), as BILL's own Node client sends
# dates and BILL accepts them; a timestamp's date is padded.
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?$"
)
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_time(value: Any) -> _dt.datetime | None:
    """A timestamp or a plain date (midnight UTC) as an aware datetime; None if it is neither."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    offset = _dt.timedelta(0)
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if zone[0] == "-":
            offset = -offset
    try:
        return _dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=_dt.timezone(offset),
        )
    except ValueError:
        return None


def check_date(value: Any, field: str) -> str:
    """``value`` as BILL stores a date (``YYYY-MM-DD``), given with or without zero padding
    (``2025-9-1``); otherwise BILL's refusal of the data key's value."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is not None:
        try:
            return _dt.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            pass
    raise invalid_data_key(field, value)


def amount_of(value: Any, field: str) -> Decimal:
    """An amount from a request (a JSON number, or a string of one) as a Decimal."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        return Decimal(repr(value))
    if value is None:
        return Decimal(0)
    if kind is bool or not isinstance(value, str | Decimal):
        raise invalid_datatype(field)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise invalid_datatype(field) from None
    if not number.is_finite():
        raise invalid_datatype(field)
    return number


_CENT = Decimal("0.01")


def money(value: Decimal | int | float) -> int | float:
    """An amount as BILL sends it: a JSON number, integral when it has no cents."""
    if type(value) is int:
        return value
    cents = (value if isinstance(value, Decimal) else Decimal(repr(value))).quantize(_CENT)
    if cents == cents.to_integral_value():
        return int(cents)
    return float(cents)


def money_cents(cents: int) -> int | float:
    """``money`` for a whole number of cents."""
    whole, rest = divmod(cents, 100)
    return whole if rest == 0 else cents / 100


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


# Per template: the template itself (to check the id still names it), a plain dict of it
# (copying a dict is ten times faster than copying a mappingproxy), and its nested keys.
_FRESH: dict[int, tuple[Mapping[str, Any], dict[str, Any], tuple[str, ...]]] = {}


def fresh(template: Mapping[str, Any]) -> dict[str, Any]:
    """A new object from a template (nested dicts and lists copied, not shared)."""
    cached = _FRESH.get(id(template))
    if cached is None or cached[0] is not template:
        keys = tuple(k for k, v in template.items() if isinstance(v, dict | list))
        cached = _FRESH[id(template)] = (template, dict(template), keys)
    obj = cached[1].copy()
    for key in cached[2]:
        obj[key] = _copy(obj[key])
    return obj


def _base(entity: str, *fields: str, **defaults: Any) -> dict[str, Any]:
    template: dict[str, Any] = {"entity": entity, "id": None, "isActive": "1"}
    template["createdTime"] = None
    template["updatedTime"] = None
    for field in fields:
        template[field] = defaults.pop(field, None)
    if defaults:
        raise ValueError(f"defaults for undeclared fields: {sorted(defaults)}")
    return template


def _in_order(entity: str, *keys: str, **defaults: Any) -> dict[str, Any]:
    """A template with exactly ``keys``, in the order BILL's answer has them."""
    template: dict[str, Any] = {key: defaults.pop(key, None) for key in keys}
    template.update(entity=entity, isActive=template["isActive"] or "1")
    if defaults:
        raise ValueError(f"defaults for undeclared fields: {sorted(defaults)}")
    return template


# The key orders of BILL's own answers for these entities (developersupport.bill.com's
# examples, ../shared/fixtures/bill-v2-docs-examples); ActgClass follows Department's.
def _tracking(entity: str, parent: str) -> dict[str, Any]:
    return _in_order(
        entity,
        "entity",
        "id",
        "name",
        "shortName",
        "isActive",
        "description",
        parent,
        "createdTime",
        "updatedTime",
        "mergedIntoId",
        **{parent: ZERO_ID, "mergedIntoId": ZERO_ID},
    )


# Entities without a real payload to copy: the fields of reference §5.3 and §4.
_OTHER_TEMPLATES: dict[str, dict[str, Any]] = {
    "Organization": _base(
        "Organization",
        "name",
        "displayName",
        "address1",
        "address2",
        "addressCity",
        "addressState",
        "addressZip",
        "addressCountry",
        "mailingAddress1",
        "mailingAddress2",
        "mailingAddressCity",
        "mailingAddressState",
        "mailingAddressZip",
        "mailingAddressCountry",
        "phone",
        "timezoneId",
        "taxIdType",
        "industry",
        "networkConnections",
        timezoneId="9",
        taxIdType="1",
        networkConnections=0,
    ),
    "User": _base(
        "User", "firstName", "lastName", "email", "profileId", "timezoneId", timezoneId="9"
    ),
    "Profile": _base("Profile", "name", "type", "description"),
    "BankAccount": _base(
        "BankAccount",
        "name",
        "bankName",
        "nameOnAcct",
        "accountNumber",
        "routingNumber",
        "accountType",
        "chartOfAccountId",
        "isDefault",
        "balance",
        accountType="1",
        chartOfAccountId=ZERO_ID,
        isDefault=False,
        balance=0,
    ),
    "MoneyMovement": _base(
        "MoneyMovement",
        "amount",
        "bankAccountId",
        "entityId",
        "movementType",
        "processDate",
        "description",
        amount=0,
        bankAccountId=ZERO_ID,
        entityId=ZERO_ID,
    ),
    "CustomerContact": _base(
        "CustomerContact",
        "customerId",
        "firstName",
        "lastName",
        "email",
        "phone",
        "altPhone",
        "fax",
        "timezoneId",
        customerId=ZERO_ID,
        timezoneId="9",
    ),
    "RecurringInvoice": _base(
        "RecurringInvoice",
        "customerId",
        "timePeriod",
        "frequencyPerTimePeriod",
        "nextDueDate",
        "endDate",
        "daysInAdvance",
        "description",
        "amount",
        "recurringInvoiceLineItems",
        customerId=ZERO_ID,
        frequencyPerTimePeriod=1,
        daysInAdvance=0,
        amount=0,
        recurringInvoiceLineItems=[],
    ),
    "CreditMemo": _base(
        "CreditMemo",
        "customerId",
        "refNumber",
        "creditDate",
        "amount",
        "appliedAmount",
        "description",
        customerId=ZERO_ID,
        amount=0,
        appliedAmount=0,
    ),
    "ReceivedPay": _base(
        "ReceivedPay",
        "customerId",
        "status",
        "paymentDate",
        "depositToAccountId",
        "isOnline",
        "paymentType",
        "amount",
        "unappliedAmount",
        "description",
        "refNumber",
        "convFeeAmount",
        "payToBankAccountId",
        "rPConvFee",
        "invoicePays",
        customerId=ZERO_ID,
        status="0",
        depositToAccountId=ZERO_ID,
        isOnline=False,
        paymentType="1",
        amount=0,
        unappliedAmount=0,
        convFeeAmount=0,
        payToBankAccountId=ZERO_ID,
        rPConvFee=[],
        invoicePays=[],
    ),
    "InvoicePay": _base(
        "InvoicePay",
        "invoiceId",
        "receivedPayId",
        "amount",
        "paymentStatus",
        "description",
        invoiceId=ZERO_ID,
        receivedPayId=ZERO_ID,
        amount=0,
        paymentStatus="0",
    ),
    "RPConvFee": _base("RPConvFee", "receivedPayId", "amount", receivedPayId=ZERO_ID, amount=0),
    "RecurringBill": _base(
        "RecurringBill",
        "vendorId",
        "timePeriod",
        "frequencyPerTimePeriod",
        "nextDueDate",
        "endDate",
        "daysInAdvance",
        "description",
        "amount",
        "recurringBillLineItems",
        vendorId=ZERO_ID,
        frequencyPerTimePeriod=1,
        daysInAdvance=0,
        amount=0,
        recurringBillLineItems=[],
    ),
    "VendorCredit": _base(
        "VendorCredit",
        "vendorId",
        "refNumber",
        "creditDate",
        "glPostingDate",
        "amount",
        "appliedAmount",
        "approvalStatus",
        "creditStatus",
        "description",
        "vendorCreditLineItems",
        vendorId=ZERO_ID,
        amount=0,
        appliedAmount=0,
        approvalStatus="0",
        creditStatus="0",
        vendorCreditLineItems=[],
    ),
    "SentPay": _base(
        "SentPay",
        "processDate",
        "amount",
        "status",
        "description",
        "txnNumber",
        "name",
        "vendorId",
        "isOnline",
        "chartOfAccountId",
        "syncReference",
        "toPrintCheck",
        "bankAccountId",
        "needAttnReviewed",
        "source",
        "paymentType",
        "voidRequests",
        "billPays",
        "billCredits",
        amount=0,
        status="1",
        vendorId=ZERO_ID,
        isOnline=True,
        chartOfAccountId=ZERO_ID,
        toPrintCheck=False,
        bankAccountId=ZERO_ID,
        needAttnReviewed=False,
        source="0",
        paymentType="1",
        voidRequests=[],
        billPays=[],
        billCredits=[],
    ),
    "BillPay": _base(
        "BillPay",
        "billId",
        "name",
        "paymentStatus",
        "amount",
        "description",
        "processDate",
        "paymentType",
        "syncReference",
        "toPrintCheck",
        "chartOfAccountId",
        "sentPayId",
        "allowExport",
        billId=ZERO_ID,
        paymentStatus="1",
        amount=0,
        paymentType="1",
        toPrintCheck=False,
        chartOfAccountId=ZERO_ID,
        sentPayId=ZERO_ID,
        allowExport=True,
    ),
    "BillCredit": _base(
        "BillCredit",
        "billId",
        "vendorCreditId",
        "sentPayId",
        "amount",
        billId=ZERO_ID,
        vendorCreditId=ZERO_ID,
        sentPayId=ZERO_ID,
        amount=0,
    ),
    "ApprovalPolicy": _base(
        "ApprovalPolicy",
        "name",
        "type",
        "amountThreshold",
        "minNumApprovers",
        "description",
        type="0",
        amountThreshold=0,
        minNumApprovers=1,
    ),
    "ApprovalPolicyApprover": {
        "entity": "ApprovalPolicyApprover",
        "id": None,
        "approvalPolicyId": ZERO_ID,
        "usersId": ZERO_ID,
        "isActive": "1",
        "createdTime": None,
        "updatedTime": None,
    },
    "ChartOfAccount": _in_order(
        "ChartOfAccount",
        "entity",
        "id",
        "name",
        "isActive",
        "accountNumber",
        "accountType",
        "description",
        "parentChartOfAccountId",
        "ca1099Type",
        "createdTime",
        "updatedTime",
        "mergedIntoId",
        parentChartOfAccountId=ZERO_ID,
        ca1099Type="0",
        mergedIntoId=ZERO_ID,
    ),
    "Department": _tracking("Department", "parentDepartmentId"),
    "Location": _tracking("Location", "parentLocationId"),
    "ActgClass": _tracking("ActgClass", "parentActgClassId"),
    "Job": _tracking("Job", "parentJobId"),
    "Item": _in_order(
        "Item",
        "entity",
        "id",
        "isActive",
        "createdTime",
        "updatedTime",
        "name",
        "type",
        "description",
        "price",
        "percentage",
        "parentItemId",
        "hasPurInfo",
        "expenseAccount",
        "purDescription",
        "purCost",
        "chartOfAccountId",
        "taxable",
        "shortName",
        "mergedIntoId",
        type="1",
        price=0,
        parentItemId=ZERO_ID,
        hasPurInfo=False,
        expenseAccount=ZERO_ID,
        chartOfAccountId=ZERO_ID,
        taxable=False,
        mergedIntoId=ZERO_ID,
    ),
    "Employee": _in_order(
        "Employee",
        "entity",
        "id",
        "shortName",
        "isActive",
        "firstName",
        "lastName",
        "parentEmployeeId",
        "createdTime",
        "updatedTime",
        "mergedIntoId",
        parentEmployeeId=ZERO_ID,
        mergedIntoId=ZERO_ID,
    ),
    "PaymentTerm": _base(
        "PaymentTerm",
        "name",
        "dueDays",
        "discountDays",
        "discountPercent",
        dueDays=30,
        discountDays=0,
        discountPercent=0,
    ),
}

# Fields whose value must be one of BILL's codes (reference §5.2; PaymentType of the SDK).
CODE_LISTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "isActive": frozenset({"1", "2"}),
        "paymentType": frozenset({"0", "1", "2", "3", "4", "5"}),
    }
)

# Keys no request may set: the server owns them.
_ALWAYS_READ_ONLY = frozenset({"entity", "id", "isActive", "createdTime", "updatedTime"})


@attrs.frozen
class EntitySpec:
    """How one entity is made and changed.

    Attributes:
        template: the object's keys, in order, with their default values.
        required: keys a Create must set (to something other than null or "").
        refs: reference fields whose non-zero value must name an object of the given entity.
        read_only: keys a request may not set (silently ignored, as BILL does on Update).
        max_lengths: the longest string BILL takes in a field.
    """

    name: str
    template: Mapping[str, Any]
    required: tuple[str, ...] = ()
    refs: Mapping[str, str] = attrs.field(factory=dict)
    read_only: frozenset[str] = frozenset()
    max_lengths: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def prefix(self) -> str:
        return PREFIXES[self.name]

    def writable(self, key: str) -> bool:
        return key in self.template and key not in _ALWAYS_READ_ONLY and key not in self.read_only


_BILL_COMPUTED = frozenset(
    {
        "approvalStatus",
        "amount",
        "localAmount",
        "scheduledAmount",
        "paidAmount",
        "dueAmount",
        "creditAmount",
        "paymentStatus",
        "uiPaymentStatus",
        "createdBy",
        "item",
        "expense",
        "multipleBillLineItems",
        "lastPaymentDate",
        "fullPaymentDate",
        "numApprPolicyEx",
    }
)
_INVOICE_COMPUTED = frozenset(
    {
        "amount",
        "localAmount",
        "amountDue",
        "paymentStatus",
        "createdBy",
        "lastSentTime",
        "salesTaxTotal",
        "creditAmount",
        "scheduledAmount",
    }
)
_PARTY_COMPUTED = frozenset(
    {"balance", "availCredit", "mergedIntoId", "acctBalance", "vendorBankAccountStatus"}
)


def _spec(
    name: str,
    template: Mapping[str, Any],
    required: tuple[str, ...] = (),
    refs: Mapping[str, str] | None = None,
    read_only: frozenset[str] = frozenset(),
    max_lengths: Mapping[str, int] | None = None,
) -> EntitySpec:
    return EntitySpec(
        name, MappingProxyType(dict(template)), required, refs or {}, read_only, max_lengths or {}
    )


# BILL refuses a vendor's or customer's name over 100 characters (its Node client's tests
# against BILL's sandbox); other limits are not known.
_NAME_LIMIT = {"name": 100}


_T = _OTHER_TEMPLATES
ENTITIES: Mapping[str, EntitySpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            _spec("Organization", _T["Organization"], ("name",)),
            _spec(
                "User",
                _T["User"],
                ("firstName", "lastName", "email", "profileId"),
                {"profileId": "Profile"},
            ),
            _spec("Profile", _T["Profile"], ("name",)),
            _spec("BankAccount", _T["BankAccount"], ("name",)),
            _spec("MoneyMovement", _T["MoneyMovement"]),
            _spec(
                "Vendor",
                templates.VENDOR,
                ("name",),
                {"paymentTermId": "PaymentTerm"},
                _PARTY_COMPUTED | {"payBy", "networkStatus", "lastPaymentDate"},
                _NAME_LIMIT,
            ),
            _spec(
                "VendorBankAccount",
                templates.VENDOR_BANK_ACCOUNT,
                ("vendorId", "nameOnAcct", "accountNumber", "routingNumber"),
                {"vendorId": "Vendor"},
                frozenset({"status", "usersId"}),
            ),
            _spec(
                "Customer",
                templates.CUSTOMER,
                ("name",),
                {"paymentTermId": "PaymentTerm", "parentCustomerId": "Customer"},
                _PARTY_COMPUTED | {"hasBankAccount", "hasAuthorizedToCharge"},
                _NAME_LIMIT,
            ),
            _spec(
                "CustomerContact",
                _T["CustomerContact"],
                ("customerId", "firstName"),
                {"customerId": "Customer"},
            ),
            _spec(
                "CustomerBankAccount",
                templates.CUSTOMER_BANK_ACCOUNT,
                ("customerId", "nameOnAccount", "accountNumber", "routingNumber"),
                {"customerId": "Customer"},
                frozenset({"status"}),
            ),
            _spec(
                "Bill",
                templates.BILL,
                ("vendorId", "invoiceNumber", "invoiceDate", "dueDate"),
                {"vendorId": "Vendor", "paymentTermId": "PaymentTerm"},
                _BILL_COMPUTED,
            ),
            _spec(
                "Invoice",
                templates.INVOICE,
                ("customerId", "invoiceNumber", "invoiceDate", "dueDate"),
                {"customerId": "Customer"},
                _INVOICE_COMPUTED,
            ),
            _spec(
                "RecurringBill",
                _T["RecurringBill"],
                ("vendorId", "timePeriod", "nextDueDate"),
                {"vendorId": "Vendor"},
            ),
            _spec(
                "RecurringInvoice",
                _T["RecurringInvoice"],
                ("customerId", "timePeriod", "nextDueDate"),
                {"customerId": "Customer"},
            ),
            _spec(
                "VendorCredit",
                _T["VendorCredit"],
                ("vendorId", "refNumber", "creditDate"),
                {"vendorId": "Vendor"},
                frozenset({"appliedAmount", "approvalStatus"}),
            ),
            _spec(
                "CreditMemo",
                _T["CreditMemo"],
                ("customerId", "creditDate"),
                {"customerId": "Customer"},
                frozenset({"appliedAmount"}),
            ),
            _spec("SentPay", _T["SentPay"]),
            _spec("BillPay", _T["BillPay"]),
            _spec("BillCredit", _T["BillCredit"]),
            _spec("ReceivedPay", _T["ReceivedPay"]),
            _spec("InvoicePay", _T["InvoicePay"]),
            _spec("RPConvFee", _T["RPConvFee"]),
            _spec("ApprovalPolicy", _T["ApprovalPolicy"]),
            _spec(
                "ApprovalPolicyApprover",
                _T["ApprovalPolicyApprover"],
                ("approvalPolicyId", "usersId"),
                {"approvalPolicyId": "ApprovalPolicy", "usersId": "User"},
            ),
            _spec(
                "ChartOfAccount",
                _T["ChartOfAccount"],
                ("name", "accountType"),
                {"parentChartOfAccountId": "ChartOfAccount"},
            ),
            _spec("Department", _T["Department"], ("name",), {"parentDepartmentId": "Department"}),
            _spec("Location", _T["Location"], ("name",), {"parentLocationId": "Location"}),
            _spec("ActgClass", _T["ActgClass"], ("name",), {"parentActgClassId": "ActgClass"}),
            _spec("Job", _T["Job"], ("name",), {"parentJobId": "Job"}),
            _spec(
                "Item",
                _T["Item"],
                ("name",),
                {
                    "parentItemId": "Item",
                    "chartOfAccountId": "ChartOfAccount",
                    "expenseAccount": "ChartOfAccount",
                },
            ),
            _spec(
                "Employee",
                _T["Employee"],
                ("firstName", "lastName"),
                {"parentEmployeeId": "Employee"},
            ),
            _spec("PaymentTerm", _T["PaymentTerm"], ("name",)),
        )
    }
)

LINE_TEMPLATES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "BillLineItem": templates.BILL_LINE_ITEM,
        "InvoiceLineItem": templates.INVOICE_LINE_ITEM,
    }
)
