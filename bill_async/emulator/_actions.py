"""Handlers for the operations that are not plain Crud/List/Bulk: sessions, MFA, payments,
approvals, invoices, documents, summaries, metadata and the BILL network.

Each action changes the objects the way BILL does (reference §4): paying a bill schedules or
records a SentPay with BillPays and moves the bill's amounts and ``paymentStatus``; recording an
AR payment makes a ReceivedPay with InvoicePays and lowers the invoices' ``amountDue``; approvals
walk a bill's ``approvalStatus`` through "1" assigned, "4" approving, "3" approved or "5" denied.

Approve.json and Deny.json decide for the session's user when they are a pending approver;
otherwise, since the demo user is an administrator, for the next approver in line (so that one
demo login can walk a bill through several approvers).
"""

from __future__ import annotations

import datetime as _dt
import random
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ._entities import (
    ENTITIES,
    ZERO_ID,
    IdMaker,
    amount_of,
    check_date,
    format_ms,
    money,
    parse_time,
)
from ._errors import (
    MAIL_ADDRESS_INCOMPLETE,
    MAIL_ADDRESS_NOT_US,
    MFA_INVALID,
    UNKNOWN_ERROR,
    Fault,
    invalid_data_key,
    invalid_datatype,
    missing_data,
)
from ._objects import (
    invoice_paid,
    refresh_bill,
    refresh_customer_balance,
    refresh_invoice,
    refresh_vendor_balance,
)
from ._ops import Call, Handler
from ._query import DEFAULT_MAX, field_kind, flag_arg, run_list, select, truthy
from ._state import Document

__all__ = ["ACTIONS", "MAX_BILLS_PER_PAYMENT", "MAX_UPLOAD_BYTES"]

ACTIONS: dict[str, Handler] = {}

MAX_BILLS_PER_PAYMENT = 200
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_US = frozenset({"US", "USA", "United States", "United States of America"})
_LARGE_BILLERS = (
    "Pacific Gas & Electric",
    "AT&T",
    "Comcast",
    "Verizon Wireless",
    "Waste Management",
    "American Express",
    "Duke Energy",
    "Spectrum",
)
_biller_ids = IdMaker(random.Random("large-billers"), set())
LARGE_BILLERS = tuple((_biller_ids("LargeBiller"), name) for name in _LARGE_BILLERS)


# What a BillPay repeats of its SentPay (BILL's BillPay carries them; its values are the
# payment's).
_SHARED_WITH_BILL_PAYS = ("paymentType", "syncReference", "toPrintCheck", "chartOfAccountId")


def action(path: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ACTIONS[path] = handler
        return handler

    return register


def _today(call: Call) -> _dt.date:
    return _dt.datetime.fromtimestamp(call.state.config.wall_clock(), _dt.UTC).date()


def _next_business_day(day: _dt.date) -> _dt.date:
    day += _dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += _dt.timedelta(days=1)
    return day


def _list_arg(call: Call, name: str, *, required: bool = True) -> list[Any]:
    value = call.data.get(name)
    if value is None and not required:
        return []
    if value is None or value == []:
        raise missing_data(name)
    if not isinstance(value, list):
        raise invalid_datatype(name)
    return value


def _positive(value: Any, field: str) -> Decimal:
    amount = amount_of(value, field)
    if amount <= 0:
        raise Fault(UNKNOWN_ERROR, f"{field} must be more than 0.")
    return amount


# -- sessions and MFA ---------------------------------------------------------------------------


@action("Logout.json")
def logout(call: Call) -> Any:
    call.state.sessions.pop(call.session.session_id, None)
    return {}


@action("GetSessionInfo.json")
def get_session_info(call: Call) -> Any:
    return {"organizationId": call.org.org_id, "userId": call.session.user_id}


@action("MFAChallenge.json")
def mfa_challenge(call: Call) -> Any:
    challenge = "!" + secrets.token_urlsafe(36)
    call.session.challenges.add(challenge)
    return {"challengeId": challenge}


@action("MFAAuthenticate.json")
def mfa_authenticate(call: Call) -> Any:
    challenge = call.data.get("challengeId")
    if challenge not in call.session.challenges:
        raise Fault(MFA_INVALID)
    if str(call.data.get("token", "")) != call.state.config.mfa_code:
        raise Fault(MFA_INVALID)
    call.session.challenges.discard(challenge)
    call.session.trusted = True
    if not truthy(call.data.get("rememberMe", False)):
        return {}
    device = call.arg("deviceId")
    mfa_id = "!" + secrets.token_urlsafe(48)
    config = call.state.config
    expires = config.wall_clock() + config.mfa_trust_days * 86_400
    call.state.remembered[mfa_id] = (str(device), config.user_name, expires)
    return {"mfaId": mfa_id}


@action("MFAStatus.json")
def mfa_status(call: Call) -> Any:
    remembered = call.state.remembered.get(str(call.data.get("mfaId", "")))
    trusted = (
        remembered is not None
        and remembered[0] == str(call.data.get("deviceId", ""))
        and remembered[2] > call.state.config.wall_clock()
    )
    return {"isTrusted": trusted}


# -- organization, metadata, documents ----------------------------------------------------------


@action("GetEntityMetadata.json")
def get_entity_metadata(call: Call) -> Any:
    wanted = call.data.get("entity") or sorted(ENTITIES)
    if isinstance(wanted, str):
        wanted = [wanted]
    if not isinstance(wanted, list):
        raise Fault(UNKNOWN_ERROR, "entity must be a list of entity names.")
    answer = {}
    for name in wanted:
        spec = ENTITIES.get(name)
        if spec is None:
            raise Fault(UNKNOWN_ERROR, f"Unknown entity: {name!r}.")
        answer[name] = {
            "fields": {
                key: {
                    "type": field_kind(key, default),
                    "required": key in spec.required,
                    "readOnly": not spec.writable(key),
                }
                for key, default in spec.template.items()
            }
        }
    return answer


@action("CurrentTime.json")
def current_time(call: Call) -> Any:
    return {"currentTime": format_ms(int(call.state.config.wall_clock() * 1000))}


@action("GetProfilePermissions.json")
def get_profile_permissions(call: Call) -> Any:
    profile_id = call.data.get("profileId") or call.data.get("id")
    profile = call.org.lookup("Profile", profile_id, "profileId")
    kind = profile["type"]
    return {
        "profileId": profile["id"],
        "permissions": {
            "canPayBills": kind in ("0", "4"),
            "canApprove": kind in ("0", "2"),
            "canManageUsers": kind == "0",
            "canCreateBills": kind in ("0", "1", "3"),
            "canCreateInvoices": kind in ("0", "1", "3"),
            "canViewReports": kind in ("0", "1"),
        },
    }


def _default_bank(call: Call) -> dict[str, Any]:
    accounts = [a for a in call.org.all("BankAccount") if a["isActive"] == "1"]
    for account in accounts:
        if account.get("isDefault"):
            return account
    if not accounts:
        raise Fault(UNKNOWN_ERROR, "The organization has no bank account.")
    return accounts[0]


@action("GetBankBalance.json")
def get_bank_balance(call: Call) -> Any:
    return {"balance": money(Decimal(repr(call.org.bank_balance)))}


@action("SetBankBalance.json")
def set_bank_balance(call: Call) -> Any:
    call.org.bank_balance = float(amount_of(call.arg("balance"), "balance"))
    return {}


@action("UploadAttachment.json")
def upload_attachment(call: Call) -> Any:
    if len(call.files) != 1:
        raise Fault(UNKNOWN_ERROR, "Attach exactly one file, in a part named file.")
    upload = call.files[0]
    file_name = call.data.get("fileName") or upload.file_name
    if not isinstance(file_name, str) or not file_name.strip():
        raise missing_data("fileName")
    if len(upload.content) > MAX_UPLOAD_BYTES:
        raise Fault(UNKNOWN_ERROR, "The file is larger than 20 MB.")
    object_id = call.data.get("id") or None
    if object_id is not None and object_id not in call.org.kinds:
        raise invalid_data_key("id", object_id)
    doc_id = call.state.runtime_ids("Document" if object_id else "InboxDocument")
    call.org.documents[doc_id] = Document(
        id=doc_id,
        file_name=file_name,
        content_type=upload.content_type,
        content=upload.content,
        object_id=object_id,
        created_time=call.stamp,
    )
    return {"id": doc_id}


@action("GetDocumentPages.json")
def get_document_pages(call: Call) -> Any:
    object_id = call.arg("id")
    entity = call.org.kinds.get(object_id)
    if entity not in ("Bill", "VendorCredit"):
        raise Fault(UNKNOWN_ERROR, "GetDocumentPages takes the id of a bill or vendor credit.")
    pages = sum(1 for doc in call.org.documents.values() if doc.object_id == object_id)
    return {
        "documentPages": {
            "numPages": pages or None,
            "fileUrl": f"/is/BillImageServlet?entityId={object_id}" if pages else None,
        }
    }


@action("GetObjectUrl.json")
def get_object_url(call: Call) -> Any:
    object_id = call.arg("id")
    if object_id not in call.org.kinds:
        raise invalid_data_key("id", object_id)
    return {"url": f"{call.base_url.removesuffix('/api/v2')}/neo/frame/{object_id}"}


@action("GetDocumentUploadStatus.json")
def get_document_upload_status(call: Call) -> Any:
    doc_id = call.arg("id")
    document = call.org.documents.get(doc_id)
    if document is None:
        raise invalid_data_key("id", doc_id)
    return {"id": doc_id, "status": "1", "fileName": document.file_name}


# -- AR -----------------------------------------------------------------------------------------


@action("SetCustomerAuthorization.json")
def set_customer_authorization(call: Call) -> Any:
    customer = call.org.lookup("Customer", call.arg("customerId"), "customerId", active=True)
    customer["hasAuthorizedToCharge"] = truthy(call.data.get("hasAuthorizedToCharge", True))
    customer["updatedTime"] = call.stamp
    return {}


@action("SendInvoice.json")
def send_invoice(call: Call) -> Any:
    invoice = call.org.lookup("Invoice", call.arg("invoiceId"), "invoiceId", active=True)
    headers, content = call.data.get("headers"), call.data.get("content")
    if not isinstance(headers, dict) or not isinstance(content, dict):
        raise Fault(UNKNOWN_ERROR, "headers and content must both be present (they may be {}).")
    if bool(headers.get("subject")) != bool(content.get("body")):
        raise Fault(UNKNOWN_ERROR, "subject and body go together: give both or neither.")
    customer = call.org.lookup("Customer", invoice["customerId"], "customerId")
    addresses = headers.get("toEmailAddresses") or (
        [customer["email"]] if customer.get("email") else []
    )
    if not isinstance(addresses, list) or not addresses:
        raise Fault(UNKNOWN_ERROR, "toEmailAddresses is required: the customer has no email.")
    known = {
        contact["email"]
        for contact in call.org.all("CustomerContact")
        if contact["customerId"] == customer["id"]
    }
    known.add(customer.get("email"))
    for address in addresses:
        if address not in known:
            call.writer.create(
                "CustomerContact",
                {
                    "customerId": customer["id"],
                    "firstName": str(address).split("@")[0],
                    "email": address,
                },
            )
            known.add(address)
    invoice["lastSentTime"] = invoice["updatedTime"] = call.stamp
    invoice["isToBeEmailed"] = False
    return {}


@action("MailInvoice.json")
def mail_invoice(call: Call) -> Any:
    invoice = call.org.lookup("Invoice", call.arg("invoiceId"), "invoiceId", active=True)
    customer = call.org.lookup("Customer", invoice["customerId"], "customerId")
    parts = ("billAddress1", "billAddressCity", "billAddressState", "billAddressZip")
    if not all(customer.get(part) for part in parts) or not customer.get("billAddressCountry"):
        raise Fault(MAIL_ADDRESS_INCOMPLETE)
    if customer["billAddressCountry"] not in _US:
        raise Fault(MAIL_ADDRESS_NOT_US)
    invoice["lastSentTime"] = invoice["updatedTime"] = call.stamp
    invoice["isToBePrinted"] = False
    return {}


def _apply_invoice_pays(call: Call, customer_id: str, pays: list[Any]) -> list[tuple[Any, Decimal]]:
    """Check InvoicePays against their invoices; returns (invoice, amount) pairs."""
    checked = []
    for pay in pays:
        if not isinstance(pay, dict):
            raise Fault(UNKNOWN_ERROR, "Each invoicePays item must be an object.")
        invoice = call.org.lookup("Invoice", pay.get("invoiceId"), "invoiceId", active=True)
        if invoice["customerId"] != customer_id:
            raise Fault(UNKNOWN_ERROR, f"The invoice {invoice['id']} is not this customer's.")
        amount = _positive(pay.get("amount"), "invoicePays.amount")
        if amount > amount_of(invoice["amountDue"], "amountDue"):
            raise Fault(UNKNOWN_ERROR, f"The amount is more than invoice {invoice['id']} owes.")
        checked.append((invoice, amount))
    return checked


def _received_pay(
    call: Call,
    customer: dict[str, Any],
    pays: list[tuple[Any, Decimal]],
    total: Decimal,
    fields: dict[str, Any],
) -> dict[str, Any]:
    writer = call.writer
    applied = sum((amount for _, amount in pays), Decimal(0))
    if total < applied:
        raise Fault(UNKNOWN_ERROR, "amount is less than the invoicePays add up to.")
    received = writer.create(
        "ReceivedPay",
        {
            "customerId": customer["id"],
            "amount": money(total),
            "unappliedAmount": money(total - applied),
            **fields,
        },
    )
    rows = []
    for invoice, amount in pays:
        paid = invoice_paid(invoice)
        refresh_invoice(invoice, paid + amount)
        invoice["updatedTime"] = call.stamp
        rows.append(
            writer.create(
                "InvoicePay",
                {
                    "invoiceId": invoice["id"],
                    "receivedPayId": received["id"],
                    "amount": money(amount),
                    "paymentStatus": "0",
                },
            )
        )
    received["invoicePays"] = rows
    refresh_customer_balance(call.org, customer["id"])
    return received


@action("RecordARPayment.json")
def record_ar_payment(call: Call) -> Any:
    customer = call.org.lookup("Customer", call.arg("customerId"), "customerId", active=True)
    payment_date = check_date(call.arg("paymentDate"), "paymentDate")
    pays = _apply_invoice_pays(call, customer["id"], _list_arg(call, "invoicePays", required=False))
    total = (
        amount_of(call.data["amount"], "amount")
        if call.data.get("amount") is not None
        else sum((amount for _, amount in pays), Decimal(0))
    )
    if total <= 0:
        raise Fault(UNKNOWN_ERROR, "amount must be more than 0.")
    deposit = call.data.get("depositToAccountId") or ZERO_ID
    if deposit != ZERO_ID:
        call.org.lookup("ChartOfAccount", deposit, "depositToAccountId")
    return _received_pay(
        call,
        customer,
        pays,
        total,
        {
            "status": "0",
            "isOnline": False,
            "paymentDate": payment_date,
            "paymentType": str(call.data.get("paymentType", "1")),
            "depositToAccountId": deposit,
            "description": call.data.get("description"),
            "refNumber": call.data.get("refNumber"),
        },
    )


@action("ChargeCustomer.json")
def charge_customer(call: Call) -> Any:
    customer = call.org.lookup("Customer", call.arg("customerId"), "customerId", active=True)
    if not customer.get("hasAuthorizedToCharge"):
        raise Fault(UNKNOWN_ERROR, "The customer has not authorized charges.")
    account = call.org.lookup(
        "CustomerBankAccount", call.arg("paymentAccountId"), "paymentAccountId", active=True
    )
    if account["customerId"] != customer["id"]:
        raise Fault(UNKNOWN_ERROR, "The bank account is not this customer's.")
    payment_date = check_date(
        call.data.get("paymentDate") or _today(call).isoformat(), "paymentDate"
    )
    pays = _apply_invoice_pays(call, customer["id"], _list_arg(call, "invoicePays"))
    total = sum((amount for _, amount in pays), Decimal(0))
    received = _received_pay(
        call,
        customer,
        pays,
        total,
        {
            "status": "2",
            "isOnline": True,
            "paymentDate": payment_date,
            "paymentType": "3",
            "payToBankAccountId": _default_bank(call)["id"],
            "description": call.data.get("Memo") or call.data.get("memo"),
        },
    )
    return {"chargedReceivedPay": received}


@action("VoidARPayment.json")
def void_ar_payment(call: Call) -> Any:
    pay_id = call.data.get("id") or call.data.get("receivedPayId")
    received = call.org.lookup("ReceivedPay", pay_id, "id")
    if received["status"] == "1":
        raise Fault(UNKNOWN_ERROR, "The payment is already void.")
    received["status"] = "1"
    received["updatedTime"] = call.stamp
    for row in received["invoicePays"]:
        invoice = call.org.get("Invoice", row["invoiceId"])
        if invoice is not None:
            refresh_invoice(invoice, invoice_paid(invoice) - amount_of(row["amount"], "amount"))
            invoice["updatedTime"] = call.stamp
        row["paymentStatus"] = "1"
        row["updatedTime"] = call.stamp
    refresh_customer_balance(call.org, received["customerId"])
    return {}


def _month_start(day: _dt.date) -> _dt.date:
    return day.replace(day=1)


@action("GetARSummary.json")
def get_ar_summary(call: Call) -> Any:
    today = _today(call).isoformat()
    totals: dict[str, list[Decimal]] = {}

    def add(name: str, amount: Decimal) -> None:
        count_total = totals.setdefault(name, [Decimal(0), Decimal(0)])
        count_total[0] += 1
        count_total[1] += amount

    for invoice in call.org.all("Invoice"):
        due = amount_of(invoice["amountDue"], "amountDue")
        if invoice["isActive"] != "1" or due <= 0:
            continue
        add("all", due)
        if invoice["dueDate"] < today:
            add("overdue", due)
        elif invoice["dueDate"] == today:
            add("dueToday", due)
    this_month = _month_start(_today(call))
    last_month = _month_start(this_month - _dt.timedelta(days=1)).isoformat()
    for received in call.org.all("ReceivedPay"):
        if received["status"] == "1":
            continue
        amount = amount_of(received["amount"], "amount")
        day = received["paymentDate"] or ""
        if day > today:
            add("future", amount)
        elif day == today:
            add("today", amount)
        if this_month.isoformat() <= day <= today:
            add("currentMonth", amount)
        elif last_month <= day < this_month.isoformat():
            add("lastMonth", amount)

    def pair(name: str) -> tuple[int, int | float]:
        count, total = totals.get(name, [Decimal(0), Decimal(0)])
        return int(count), money(total)

    invoices: dict[str, Any] = {}
    for name in ("overdue", "dueToday", "all"):
        invoices[f"{name}Count"], invoices[f"{name}Total"] = pair(name)
    payments: dict[str, Any] = {}
    for name in ("lastMonth", "currentMonth", "today", "future"):
        payments[f"{name}Count"], payments[f"{name}Total"] = pair(name)
    return {"invoices": invoices, "payments": payments}


# -- AP -----------------------------------------------------------------------------------------


def _bill_pays(
    call: Call, vendor_id: str | None, *, pays: list[Any], credits: list[Any]
) -> list[tuple[dict[str, Any], Decimal, list[tuple[dict[str, Any], Decimal]]]]:
    """Check billPays and billCredits; returns (bill, cash amount, [(credit, amount)])."""
    if len(pays) > MAX_BILLS_PER_PAYMENT:
        raise Fault(UNKNOWN_ERROR, f"At most {MAX_BILLS_PER_PAYMENT} bills per call.")
    by_bill: dict[str, tuple[dict[str, Any], Decimal, list[tuple[dict[str, Any], Decimal]]]] = {}
    for pay in pays:
        if not isinstance(pay, dict):
            raise Fault(UNKNOWN_ERROR, "Each billPays item must be an object.")
        bill = call.org.lookup("Bill", pay.get("billId"), "billId", active=True)
        if bill["id"] in by_bill:
            raise Fault(UNKNOWN_ERROR, f"The bill {bill['id']} is listed twice.")
        if vendor_id is not None and bill["vendorId"] != vendor_id:
            raise Fault(UNKNOWN_ERROR, f"The bill {bill['id']} is not this vendor's.")
        by_bill[bill["id"]] = (bill, _positive(pay.get("amount"), "billPays.amount"), [])
    for credit in credits:
        if not isinstance(credit, dict) or credit.get("billId") not in by_bill:
            raise Fault(UNKNOWN_ERROR, "Each billCredits item must name a bill in billPays.")
        vendor_credit = call.org.lookup(
            "VendorCredit", credit.get("vendorCreditId"), "vendorCreditId", active=True
        )
        bill = by_bill[credit["billId"]][0]
        if vendor_credit["vendorId"] != bill["vendorId"]:
            raise Fault(UNKNOWN_ERROR, "The vendor credit is not the bill's vendor's.")
        amount = _positive(credit.get("amount"), "billCredits.amount")
        left = amount_of(vendor_credit["amount"], "amount") - amount_of(
            vendor_credit["appliedAmount"], "appliedAmount"
        )
        if amount > left:
            raise Fault(UNKNOWN_ERROR, "The credit amount is more than the credit has left.")
        by_bill[credit["billId"]][2].append((vendor_credit, amount))
    for bill, cash, applied in by_bill.values():
        credit_total = sum((amount for _, amount in applied), Decimal(0))
        if cash + credit_total > amount_of(bill["dueAmount"], "dueAmount"):
            raise Fault(UNKNOWN_ERROR, f"The amount is more than bill {bill['id']} owes.")
    return list(by_bill.values())


def _sent_pay(
    call: Call,
    vendor: dict[str, Any],
    rows: list[tuple[dict[str, Any], Decimal, list[tuple[dict[str, Any], Decimal]]]],
    *,
    online: bool,
    fields: dict[str, Any],
) -> dict[str, Any]:
    writer = call.writer
    total = sum((cash for _, cash, _ in rows), Decimal(0))
    sent = writer.create(
        "SentPay",
        {
            "vendorId": vendor["id"],
            "name": vendor["name"],
            "amount": money(total),
            "status": "1" if online else "2",
            "isOnline": online,
            "source": "1" if online else "0",
            **fields,
        },
    )
    bill_pays, bill_credits = [], []
    for bill, cash, applied in rows:
        bill_pays.append(
            writer.create(
                "BillPay",
                {
                    "billId": bill["id"],
                    "sentPayId": sent["id"],
                    "name": bill["invoiceNumber"],
                    "amount": money(cash),
                    "paymentStatus": "4" if online else "0",
                    "processDate": sent["processDate"],
                    **{key: sent[key] for key in _SHARED_WITH_BILL_PAYS},
                },
            )
        )
        key = "scheduledAmount" if online else "paidAmount"
        bill[key] = money(amount_of(bill[key], key) + cash)
        for vendor_credit, amount in applied:
            bill_credits.append(
                writer.create(
                    "BillCredit",
                    {
                        "billId": bill["id"],
                        "vendorCreditId": vendor_credit["id"],
                        "sentPayId": sent["id"],
                        "amount": money(amount),
                    },
                )
            )
            bill["creditAmount"] = money(amount_of(bill["creditAmount"], "creditAmount") + amount)
            vendor_credit["appliedAmount"] = money(
                amount_of(vendor_credit["appliedAmount"], "appliedAmount") + amount
            )
            vendor_credit["updatedTime"] = call.stamp
        refresh_bill(bill)
        if not online:
            bill["lastPaymentDate"] = sent["processDate"]
            if bill["paymentStatus"] == "0":
                bill["fullPaymentDate"] = sent["processDate"]
        bill["updatedTime"] = call.stamp
    sent["billPays"] = bill_pays
    sent["billCredits"] = bill_credits
    refresh_vendor_balance(call.org, vendor["id"])
    vendor["lastPaymentDate"] = sent["processDate"]
    return sent


@action("PayBills.json")
def pay_bills(call: Call) -> Any:
    vendor_id = call.data.get("vendorId") or None
    if vendor_id is not None:
        call.org.lookup("Vendor", vendor_id, "vendorId", active=True)
    today = _today(call)
    process_date = check_date(
        call.data.get("processDate") or _next_business_day(today).isoformat(), "processDate"
    )
    if process_date < today.isoformat():
        raise Fault(UNKNOWN_ERROR, "processDate cannot be in the past.")
    bank_id = call.data.get("bankAccountId") or _default_bank(call)["id"]
    call.org.lookup("BankAccount", bank_id, "bankAccountId", active=True)
    rows = _bill_pays(
        call,
        vendor_id,
        pays=_list_arg(call, "billPays"),
        credits=_list_arg(call, "billCredits", required=False),
    )
    by_vendor: dict[str, list[Any]] = {}
    for row in rows:
        by_vendor.setdefault(row[0]["vendorId"], []).append(row)
    sent = [
        _sent_pay(
            call,
            call.org.lookup("Vendor", vendor, "vendorId", active=True),
            vendor_rows,
            online=True,
            fields={"processDate": process_date, "bankAccountId": bank_id},
        )
        for vendor, vendor_rows in by_vendor.items()
    ]
    return {"sentPays": sent}


@action("RecordAPPayment.json")
def record_ap_payment(call: Call) -> Any:
    vendor = call.org.lookup("Vendor", call.arg("vendorId"), "vendorId", active=True)
    process_date = check_date(
        call.data.get("processDate") or _today(call).isoformat(), "processDate"
    )
    account = call.data.get("chartOfAccountId") or ZERO_ID
    if account != ZERO_ID:
        call.org.lookup("ChartOfAccount", account, "chartOfAccountId")
    rows = _bill_pays(
        call,
        vendor["id"],
        pays=_list_arg(call, "billPays"),
        credits=_list_arg(call, "billCredits", required=False),
    )
    return _sent_pay(
        call,
        vendor,
        rows,
        online=False,
        fields={
            "processDate": process_date,
            "chartOfAccountId": account,
            "toPrintCheck": truthy(call.data.get("toPrintCheck", False)),
            "description": call.data.get("description"),
            "syncReference": call.data.get("syncReference"),
        },
    )


def _undo_sent_pay(call: Call, sent: dict[str, Any], new_status: str) -> None:
    was_scheduled = sent["status"] == "1"
    key = "scheduledAmount" if was_scheduled else "paidAmount"
    for row in sent["billPays"]:
        bill = call.org.get("Bill", row["billId"])
        if bill is not None:
            bill[key] = money(amount_of(bill[key], key) - amount_of(row["amount"], "amount"))
            bill["updatedTime"] = call.stamp
        row["paymentStatus"] = "1"
        row["updatedTime"] = call.stamp
    for row in sent["billCredits"]:
        bill = call.org.get("Bill", row["billId"])
        credit = call.org.get("VendorCredit", row["vendorCreditId"])
        amount = amount_of(row["amount"], "amount")
        if bill is not None:
            bill["creditAmount"] = money(amount_of(bill["creditAmount"], "creditAmount") - amount)
        if credit is not None:
            credit["appliedAmount"] = money(
                amount_of(credit["appliedAmount"], "appliedAmount") - amount
            )
            credit["updatedTime"] = call.stamp
    for row in sent["billPays"]:
        bill = call.org.get("Bill", row["billId"])
        if bill is not None:
            refresh_bill(bill)
    sent["status"] = new_status
    sent["updatedTime"] = call.stamp
    refresh_vendor_balance(call.org, sent["vendorId"])


def _sent_pay_arg(call: Call) -> dict[str, Any]:
    pay_id = call.data.get("sentPayId") or call.data.get("id")
    return call.org.lookup("SentPay", pay_id, "sentPayId")


@action("CancelAPPayment.json")
def cancel_ap_payment(call: Call) -> Any:
    sent = _sent_pay_arg(call)
    if not sent["isOnline"] or sent["status"] != "1":
        raise Fault(UNKNOWN_ERROR, "Only a scheduled online payment can be canceled.")
    _undo_sent_pay(call, sent, "3")
    return {}


@action("VoidAPPayment.json")
def void_ap_payment(call: Call) -> Any:
    sent = _sent_pay_arg(call)
    if sent["status"] not in ("1", "2"):
        raise Fault(UNKNOWN_ERROR, "The payment is already canceled or void.")
    if sent["isOnline"] and (
        call.data.get("voidRequestType") in (None, "") or not call.data.get("reason")
    ):
        raise Fault(UNKNOWN_ERROR, "An online payment needs voidRequestType and reason.")
    _undo_sent_pay(call, sent, "4")
    return {}


@action("ListPayments.json")
def list_payments(call: Call) -> Any:
    template = ENTITIES["SentPay"].template
    data = {"start": call.data.get("start", 0), "max": call.data.get("max", DEFAULT_MAX)}
    status = call.data.get("disbursementStatus")
    if status not in (None, ""):
        data["filters"] = [{"field": "status", "op": "=", "value": str(status)}]
    data["nested"] = True
    return {"payments": run_list(call.org.all("SentPay"), data, template)}


@action("GetDisbursementData.json")
def get_disbursement_data(call: Call) -> Any:
    sent = _sent_pay_arg(call)
    ach = sent["isOnline"] and call.org.get("Vendor", sent["vendorId"]) is not None
    vendor = call.org.get("Vendor", sent["vendorId"]) or {}
    ach = ach and vendor.get("payBy") == "1"
    status = {"1": "0", "2": "2", "3": "4", "4": "4"}.get(sent["status"], "0")
    answer: dict[str, Any] = {
        "paymentType": "2" if ach else "1",
        "disbursementStatus": status,
        "checkData": None,
        "achData": None,
        "rppsData": None,
        "payPalData": None,
    }
    if ach:
        answer["achData"] = {
            "depositDate": sent["processDate"],
            "routingNumber": "021000021",
            "accountNumber": "******7890",
            "sentDate": sent["processDate"],
            "errorCode": None,
            "returnedDate": None,
            "uniqueId": sent["id"],
        }
    else:
        answer["checkData"] = {
            "checkNumber": sent["txnNumber"],
            "checkDate": sent["processDate"],
            "arrivesByDate": sent["processDate"],
            "clearedDate": None,
            "amount": sent["amount"],
            "memo": sent["description"],
            "expirationDate": None,
            "trackingInfo": None,
            "errorCode": None,
        }
    return answer


@action("GetCheckImageData.json")
def get_check_image_data(call: Call) -> Any:
    sent = _sent_pay_arg(call)
    return {
        "id": "cki02" + sent["id"][5:],
        "sentPayId": sent["id"],
        "checkNumber": sent["txnNumber"],
        "imageUrl": f"/is/CheckImageServlet?entityId={sent['id']}",
    }


@action("GetAPSummary.json")
def get_ap_summary(call: Call) -> Any:
    today = _today(call).isoformat()
    sections: dict[str, dict[str, Any]] = {}
    for section in ("bills", "approvals"):
        sections[section] = {}
        for name in ("overdue", "dueToday", "all"):
            sections[section][f"{name}Count"] = 0
            sections[section][f"{name}Total"] = Decimal(0)
    for bill in call.org.all("Bill"):
        due = amount_of(bill["dueAmount"], "dueAmount")
        if bill["isActive"] != "1" or due <= 0:
            continue
        targets = ["bills"]
        if bill["approvalStatus"] in ("1", "4"):
            targets.append("approvals")
        names = ["all"]
        if bill["dueDate"] < today:
            names.append("overdue")
        elif bill["dueDate"] == today:
            names.append("dueToday")
        for section in targets:
            for name in names:
                sections[section][f"{name}Count"] += 1
                sections[section][f"{name}Total"] += due
    for counts in sections.values():
        for key, value in counts.items():
            if key.endswith("Total"):
                counts[key] = money(value)
    return sections


@action("GetDynamicExchangeRateQuote2.json")
def get_exchange_rate_quote(call: Call) -> Any:
    currency = str(call.data.get("currency") or call.data.get("toCurrency") or "USD")
    rates = {"USD": "1", "EUR": "0.92", "GBP": "0.79", "CAD": "1.36", "MXN": "17.1", "JPY": "155"}
    if currency not in rates:
        raise Fault(UNKNOWN_ERROR, f"Unsupported currency: {currency}.")
    expires = int((call.state.config.wall_clock() + 600) * 1000)
    return {
        "currency": currency,
        "exchangeRate": float(rates[currency]),
        "quoteId": "!" + secrets.token_urlsafe(16),
        "expiresAt": format_ms(expires),
    }


# -- approvals ----------------------------------------------------------------------------------

_APPROVABLE = {
    "Bill": ("BillApprover", "billId"),
    "VendorCredit": ("VendorCreditApprover", "vendorCreditId"),
}


def _approvable(call: Call) -> tuple[dict[str, Any], str]:
    entity = call.data.get("entity") or "Bill"
    if entity not in _APPROVABLE:
        raise Fault(UNKNOWN_ERROR, 'entity must be "Bill" or "VendorCredit".')
    obj = call.org.lookup(entity, call.arg("objectId"), "objectId", active=True)
    return obj, entity


def _approval_status(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "0"
    statuses = [row["approvalStatus"] for row in rows]
    if "5" in statuses:
        return "5"
    approved = statuses.count("3")
    if approved == len(rows):
        return "3"
    return "4" if approved else "1"


def _set_status(call: Call, obj: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        call.org.approvers[obj["id"]] = rows
    else:
        call.org.approvers.pop(obj["id"], None)
    obj["approvalStatus"] = _approval_status(rows)
    obj["updatedTime"] = call.stamp


@action("SetApprovers.json")
def set_approvers(call: Call) -> Any:
    obj, entity = _approvable(call)
    approvers = _list_arg(call, "approvers")
    if len(set(approvers)) != len(approvers):
        raise Fault(UNKNOWN_ERROR, "An approver is listed twice.")
    for user in approvers:
        call.org.lookup("User", user, "approvers", active=True)
    old = {row["usersId"]: row for row in call.org.approvers.get(obj["id"], [])}
    kind, key = _APPROVABLE[entity]
    rows = []
    for order, user in enumerate(approvers):
        row = old.get(user)
        if row is None or row["approvalStatus"] != "3":
            row = {
                "entity": kind,
                "id": call.state.runtime_ids(kind),
                key: obj["id"],
                "usersId": user,
                "sortOrder": order,
                "approvalStatus": "0",
                "isActive": "1",
                "createdTime": call.stamp,
                "updatedTime": call.stamp,
            }
        row["sortOrder"] = order
        rows.append(row)
    _set_status(call, obj, rows)
    return {}


@action("ClearApprovers.json")
def clear_approvers(call: Call) -> Any:
    obj, _ = _approvable(call)
    _set_status(call, obj, [])
    return {}


@action("ListApprovers.json")
def list_approvers(call: Call) -> Any:
    obj, _ = _approvable(call)
    return list(call.org.approvers.get(obj["id"], []))


def _decide(call: Call, decision: str) -> Any:
    obj, _ = _approvable(call)
    rows = call.org.approvers.get(obj["id"], [])
    if not rows:
        raise Fault(UNKNOWN_ERROR, "The object has no approvers: call SetApprovers first.")
    if obj["approvalStatus"] in ("3", "5"):
        raise Fault(UNKNOWN_ERROR, "The approval is already decided.")
    pending = [row for row in rows if row["approvalStatus"] == "0"]
    # The session's user decides for themself; the demo user is an administrator and may
    # decide for the next approver in line.
    mine = [row for row in pending if row["usersId"] == call.session.user_id]
    row = (mine or pending)[0]
    row["approvalStatus"] = decision
    row["updatedTime"] = call.stamp
    _set_status(call, obj, rows)
    return {}


@action("Approve.json")
def approve(call: Call) -> Any:
    return _decide(call, "3")


@action("Deny.json")
def deny(call: Call) -> Any:
    return _decide(call, "5")


def _marker_ms(obj: dict[str, Any]) -> int:
    created = parse_time(obj["createdTime"])
    return 0 if created is None else int(created.timestamp() * 1000)


@action("ListUserApprovals.json")
def list_user_approvals(call: Call) -> Any:
    entity = call.data.get("entity") or "Bill"
    if entity not in _APPROVABLE:
        raise Fault(UNKNOWN_ERROR, 'entity must be "Bill" or "VendorCredit".')
    user = call.data.get("usersId") or call.session.user_id
    page_size = call.data.get("max", DEFAULT_MAX)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 999:
        raise Fault(UNKNOWN_ERROR, "max must be between 1 and 999.")
    waiting = []
    for obj in call.org.all(entity):
        if obj["isActive"] != "1" or obj["approvalStatus"] not in ("1", "4"):
            continue
        rows = call.org.approvers.get(obj["id"], [])
        pending = [row for row in rows if row["approvalStatus"] == "0"]
        if pending and pending[0]["usersId"] == user:
            waiting.append(obj)
    data = {"filters": call.data.get("filters") or [], "sort": call.data.get("sort") or []}
    rows_out = select(waiting, data, ENTITIES[entity].template)
    marker = str(call.data.get("marker") or "")
    if marker:
        ids = [obj["id"] for obj in rows_out]
        last = marker.split("|")[0]
        rows_out = rows_out[ids.index(last) + 1 :] if last in ids else []
    page = rows_out[:page_size]
    # Child rows come whatever nested says (BILL's ListUserApprovals samples carry line items);
    # nested adds the names of related objects.
    nested = flag_arg(call.data, "nested")
    approvals = []
    for obj in page:
        row = dict(obj)
        if nested and entity == "Bill":
            vendor = call.org.get("Vendor", obj["vendorId"]) or {}
            row["related"] = {"vendorId": {"name": vendor.get("name")}}
        approvals.append(row)
    if page:
        marker = f"{page[-1]['id']}|{_marker_ms(page[-1])}"
    return {"marker": marker, "approvals": approvals}


# -- the BILL network ---------------------------------------------------------------------------


def _search_text(call: Call) -> str:
    for key in ("name", "searchString", "nameStartsWith", "query"):
        value = call.data.get(key)
        if isinstance(value, str):
            return value.lower()
    return ""


@action("SearchEntity.json")
@action("NetworkSearch.json")
def network_search(call: Call) -> Any:
    text = _search_text(call)
    return [
        {"networkId": org.org_id, "name": org.name, "type": "Organization"}
        for org in call.state.orgs.values()
        if org.org_id != call.org.org_id and text in org.name.lower()
    ]


@action("LargeBillerSearch.json")
def large_biller_search(call: Call) -> Any:
    text = _search_text(call)
    return [
        {"id": biller_id, "name": name} for biller_id, name in LARGE_BILLERS if text in name.lower()
    ]


def _biller(call: Call) -> tuple[str, str]:
    wanted = call.data.get("largeBillerId") or call.data.get("id")
    for biller_id, name in LARGE_BILLERS:
        if biller_id == wanted:
            return biller_id, name
    raise invalid_data_key("largeBillerId" if call.data.get("largeBillerId") else "id", wanted)


@action("GetLargeBillerPaymentAddress.json")
def get_large_biller_payment_address(call: Call) -> Any:
    biller_id, name = _biller(call)
    return [
        {
            "addressId": f"{biller_id}-{n}",
            "name": name,
            "address1": f"PO Box {10000 + 37 * n}",
            "addressCity": city,
            "addressState": state,
            "addressZip": zip_code,
            "addressCountry": "USA",
        }
        for n, (city, state, zip_code) in enumerate(
            (("Phoenix", "AZ", "85072"), ("Carol Stream", "IL", "60197"))
        )
    ]


@action("ConnectLargeBillerAsVendor.json")
def connect_large_biller_as_vendor(call: Call) -> Any:
    biller_id, name = _biller(call)
    address = str(call.arg("addressId"))
    if not address.startswith(biller_id):
        raise Fault(UNKNOWN_ERROR, "addressId is not one of this biller's addresses.")
    vendor = call.writer.create(
        "Vendor",
        {
            "name": call.data.get("name") or name,
            "accNumber": call.arg("accNumber"),
            "addressCountry": "USA",
        },
    )
    vendor["payBy"] = "2"
    vendor["largeBillerId"] = biller_id
    return vendor


def _invite(call: Call, object_id: str, email: str | None) -> Any:
    if object_id in call.org.invites:
        raise Fault(UNKNOWN_ERROR, "An invite is already pending: cancel it first.")
    request_id = call.state.runtime_ids("NetworkRequest")
    call.org.invites[object_id] = {
        "requestId": request_id,
        "networkId": call.data.get("networkId"),
        "email": email,
        "sentTime": call.stamp,
    }
    obj = call.org.get(call.org.kinds[object_id], object_id)
    if obj is not None and "networkStatus" in obj:
        obj["networkStatus"] = "1"
        obj["updatedTime"] = call.stamp
    return {"requestId": request_id}


@action("SendVendorInvite.json")
def send_vendor_invite(call: Call) -> Any:
    vendor = call.org.lookup("Vendor", call.arg("vendorId"), "vendorId", active=True)
    return _invite(call, vendor["id"], str(call.arg("email")))


@action("SendInvite.json")
def send_invite(call: Call) -> Any:
    object_id = call.arg("id")
    if call.org.kinds.get(object_id) not in ("Vendor", "Customer"):
        raise Fault(UNKNOWN_ERROR, "id must be a vendor or a customer.")
    call.arg("networkId")
    return _invite(call, object_id, None)


@action("CancelInvite.json")
def cancel_invite(call: Call) -> Any:
    wanted = call.data.get("id") or call.data.get("vendorId") or call.data.get("requestId")
    for object_id, invite in list(call.org.invites.items()):
        if wanted in (object_id, invite["requestId"]):
            del call.org.invites[object_id]
            obj = call.org.get(call.org.kinds.get(object_id, ""), object_id)
            if obj is not None and "networkStatus" in obj:
                obj["networkStatus"] = None
                obj["updatedTime"] = call.stamp
            return {}
    raise Fault(UNKNOWN_ERROR, f"No pending invite for {wanted!r}.")


@action("GetNetworkStatus.json")
def get_network_status(call: Call) -> Any:
    object_id = call.arg("id")
    if object_id not in call.org.kinds:
        raise invalid_data_key("id", object_id)
    invite = call.org.invites.get(object_id)
    if invite is None:
        return {"status": "0", "requestId": None, "networkId": None}
    return {"status": "1", "requestId": invite["requestId"], "networkId": invite["networkId"]}
