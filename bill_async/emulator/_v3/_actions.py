"""The v3 operations that are not a record's list, get or write: the session, MFA, health,
payments and received payments, and documents and attachments.

Payments run the v2 face's operations on the same state (``POST /v3/payments`` is a PayBills,
``POST /v3/bills/record-payment`` a RecordAPPayment, ``POST /v3/invoices/record-payment`` a
RecordARPayment), so their rules and their effect on bills, invoices and balances are the same
whichever face is used. Documents and attachments are the v2 face's uploaded files: raw bytes
named by ``?name=``, at most 6 MB (BILL's limit), downloaded from their ``downloadLink`` with
the session's ``sessionId`` header.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from ..._version import __version__
from .._errors import MFA_INVALID
from .._state import Document
from ._context import Answer, Handler, V3Call
from ._convert import TEXT, TIME
from ._crud import required_message
from ._lists import page_of
from ._records import (
    AR_PAYMENT_TYPES,
    INVOICE,
    PAYMENT,
    READ_ONLY,
    RECEIVABLE_PAYMENT,
    F,
    RecordSpec,
)
from ._wire import bad_request, fault_of, from_v2_time, no_record

__all__ = ["ACTION_HANDLERS", "MAX_UPLOAD", "download_path", "health"]

MAX_UPLOAD = 6 * 1024 * 1024  # BILL's limit on a document or an attachment
ACTION_HANDLERS: dict[tuple[str, str], Handler] = {}


def _handles(method: str, path: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ACTION_HANDLERS[(method, path)] = handler
        return handler

    return register


def health() -> dict[str, Any]:
    """``GET /v3/health``: no session needed."""
    return {
        "appId": "bill-async-emulator",
        "appEnv": "emulator",
        "appVersion": __version__,
        "bdcRegion": "local",
    }


# -- the session and MFA ------------------------------------------------------------------------


@_handles("GET", "/v3/login/session")
def session_details(call: V3Call) -> Answer:
    # mfaStatus: BILL's examples show only DISABLED; the demo user has MFA (docs/decisions.md).
    return Answer(
        200,
        {
            "organizationId": call.org.org_id,
            "userId": call.session.user_id,
            "mfaStatus": "ENABLED",
            "mfaBypass": False,
        },
    )


@_handles("POST", "/v3/logout")
def logout(call: V3Call) -> Answer:
    call.state.sessions.pop(call.session.session_id, None)
    return Answer(200, None)


@_handles("POST", "/v3/mfa/challenge")
def mfa_challenge(call: V3Call) -> Answer:
    call.json()  # any JSON ({"useBackup": ...}), or none
    challenge = "!" + secrets.token_urlsafe(36)
    call.session.challenges.add(challenge)
    return Answer(200, {"challengeId": challenge})


def _remember(call: V3Call, device: Any) -> str:
    """A remembered MFA id (the v2 face's mfaId: either face signs in trusted with it)."""
    if not isinstance(device, str) or not device:
        raise bad_request(required_message("device"))
    remembered = "!" + secrets.token_urlsafe(48)
    config = call.state.config
    expires = config.wall_clock() + config.mfa_trust_days * 86_400
    call.state.remembered[remembered] = (device, config.user_name, expires)
    return remembered


@_handles("POST", "/v3/mfa/challenge/validate")
def mfa_validate(call: V3Call) -> Answer:
    body = call.json_object()
    challenge = body.get("challengeId")
    if challenge not in call.session.challenges:
        raise fault_of(MFA_INVALID)
    if str(body.get("token", "")) != call.state.config.mfa_code:
        raise fault_of(MFA_INVALID)
    call.session.challenges.discard(challenge)
    call.session.trusted = True
    if body.get("rememberMe") is not True:
        return Answer(200, {})
    return Answer(200, {"rememberMeId": _remember(call, body.get("device"))})


@_handles("POST", "/v3/mfa/step-up")
def mfa_step_up(call: V3Call) -> Answer:
    body = call.json_object()
    remembered = call.state.remembered.get(str(body.get("rememberMeId", "")))
    config = call.state.config
    if (
        remembered is None
        or remembered[0] != body.get("device")
        or remembered[1] != config.user_name
        or remembered[2] <= config.wall_clock()
    ):
        raise fault_of(MFA_INVALID)
    call.session.trusted = True
    return Answer(200, {"trusted": True})


@_handles("GET", "/v3/mfa/phones")
def mfa_phones(call: V3Call) -> Answer:
    return Answer(200, {"results": [{"type": "TEXT", "last4digits": "5512", "primary": True}]})


# -- payments -----------------------------------------------------------------------------------


def _bill_payments(body: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """``[{billId, amount}]`` of a body, as v2's billPays."""
    rows = body.get(key)
    if not isinstance(rows, list) or not rows:
        raise bad_request(required_message(key))
    pays = []
    for row in rows:
        if not isinstance(row, Mapping):
            raise bad_request(required_message(f"{key}[].billId"))
        pays.append({"billId": row.get("billId"), "amount": row.get("amount")})
    return pays


@_handles("POST", "/v3/payments")
def create_payment(call: V3Call) -> Answer:
    body = call.json_object()
    for key in ("billId", "amount", "fundingAccount"):
        if body.get(key) in (None, ""):
            raise bad_request(required_message(key))
    funding = body["fundingAccount"]
    if not isinstance(funding, Mapping) or funding.get("type") != "BANK_ACCOUNT":
        raise bad_request("fundingAccount: the emulator pays from a BANK_ACCOUNT only.")
    data = {
        "vendorId": body.get("vendorId"),
        "processDate": body.get("processDate"),
        "bankAccountId": funding.get("id"),
        "billPays": [{"billId": body["billId"], "amount": body["amount"]}],
    }
    sent = call.run_v2("PayBills.json", {k: v for k, v in data.items() if v is not None})
    return Answer(201, PAYMENT.to_v3(call.org, sent["sentPays"][0]))


@_handles("POST", "/v3/payments/{paymentId}/cancel")
def cancel_payment(call: V3Call) -> Answer:
    call.record(PAYMENT, "paymentId")
    call.run_v2("CancelAPPayment.json", {"sentPayId": call.params["paymentId"]})
    return Answer(200, PAYMENT.to_v3(call.org, call.record(PAYMENT, "paymentId")))


@_handles("POST", "/v3/bills/record-payment")
def record_ap_payment(call: V3Call) -> Answer:
    body = call.json_object()
    data = {
        "vendorId": body.get("vendorId"),
        "processDate": body.get("processDate"),
        "toPrintCheck": body.get("toPrintCheck", False),
        "description": body.get("description"),
        "syncReference": body.get("syncReference"),
        "billPays": _bill_payments(body, "payments"),
    }
    sent = call.run_v2("RecordAPPayment.json", {k: v for k, v in data.items() if v is not None})
    return Answer(200, PAYMENT.to_v3(call.org, sent))


@_handles("POST", "/v3/invoices/record-payment")
def record_ar_payment(call: V3Call) -> Answer:
    body = call.json_object()
    invoices = body.get("invoices") or []
    if not isinstance(invoices, list) or not all(isinstance(i, Mapping) for i in invoices):
        raise bad_request(required_message("invoices"))
    kind = body.get("paymentType")
    data = {
        "customerId": body.get("customerId"),
        "paymentDate": body.get("paymentDate"),
        "amount": body.get("amount"),
        "paymentType": None if kind is None else AR_PAYMENT_TYPES.write(kind, "paymentType"),
        "description": body.get("description"),
        "refNumber": body.get("referenceNumber"),
        "invoicePays": [{"invoiceId": i.get("id"), "amount": i.get("amount")} for i in invoices],
    }
    received = call.run_v2("RecordARPayment.json", {k: v for k, v in data.items() if v is not None})
    record = RECEIVABLE_PAYMENT.to_v3(call.org, received)
    answer = {
        "id": record["id"],
        "customerId": record["customerId"],
        "paymentType": record.get("receivablesType"),
        "paymentDate": record.get("paymentDate"),
        "amount": record["amount"],
        "unappliedAmount": record.get("unappliedAmount"),
        "status": record.get("status"),
        "description": record.get("description"),
        "invoices": [
            {"id": row["invoiceId"], "payments": _invoice_payments(call, row["invoiceId"])}
            for row in received["invoicePays"]
        ],
    }
    return Answer(200, {k: v for k, v in answer.items() if v is not None})


def _invoice_payments(call: V3Call, invoice_id: str) -> list[Any]:
    invoice = call.org.get("Invoice", invoice_id) or {}
    payments: list[Any] = INVOICE.to_v3(call.org, invoice).get("payments", [])
    return payments


# -- documents and attachments ------------------------------------------------------------------

_FILE = RecordSpec(
    "Document",
    "Document",
    (F("id", "id", TEXT, **READ_ONLY), F("name", "name"), F("createdTime", "createdTime", TIME)),
)
_OWNERS = {"vendors": ("Vendor", "vendorId"), "customers": ("Customer", "customerId")}
_OWNERS["invoices"] = ("Invoice", "invoiceId")


def download_path(document_id: str) -> str:
    """Where a file's bytes are served, under the v3 base (``.../connect``): outside ``/v3``,
    so that it never meets a path of BILL's table."""
    return f"/download/{document_id}"


def _file(call: V3Call, document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "name": document.file_name,
        "createdTime": from_v2_time(document.created_time),
        "downloadLink": call.base_url + download_path(document.id),
    }


def _upload(call: V3Call, owner_id: str, entity: str) -> Answer:
    name = call.query.get("name", "")
    if not name.strip():
        raise bad_request(required_message("name"))
    if len(call.body) > MAX_UPLOAD:
        raise bad_request(f"The file is {len(call.body)} bytes; the limit is 6 MB.")
    if not call.body:
        raise bad_request("The file is empty.")
    document = Document(
        id=call.state.runtime_ids(entity),
        file_name=name,
        content_type=call.headers.get("content-type", "application/octet-stream"),
        content=call.body,
        object_id=owner_id,
        created_time=call.writer.stamp,
    )
    call.org.documents[document.id] = document
    return Answer(200, _file(call, document))


def _files_of(call: V3Call, owner_id: str, prefix: str) -> Answer:
    files = [
        {"id": doc.id, "name": doc.file_name, "createdTime": doc.created_time, "doc": doc}
        for doc in call.org.documents.values()
        if doc.object_id == owner_id and doc.id.startswith(prefix)
    ]
    page = page_of(_FILE, files, call.query, call.op.path)
    payload: dict[str, Any] = {}
    if page.next_page is not None:
        payload["nextPage"] = page.next_page
    if page.prev_page is not None:
        payload["prevPage"] = page.prev_page
    payload["results"] = [_file(call, row["doc"]) for row in page.rows]
    return Answer(200, payload)


def _document(call: V3Call, document_id: str, prefixes: tuple[str, ...]) -> Document:
    document = call.org.documents.get(document_id)
    if document is None or not document.id.startswith(prefixes):
        raise no_record(document_id)
    return document


def _bill_id(call: V3Call) -> str:
    bill_id = call.params["billId"]
    if call.org.get("Bill", bill_id) is None:
        raise no_record(bill_id)
    return bill_id


@_handles("POST", "/v3/documents/bills/{billId}")
def upload_bill_document(call: V3Call) -> Answer:
    return _upload(call, _bill_id(call), "Document")


@_handles("GET", "/v3/documents/bills/{billId}")
def list_bill_documents(call: V3Call) -> Answer:
    return _files_of(call, _bill_id(call), "0du")


@_handles("GET", "/v3/documents/{documentId}")
def get_document(call: V3Call) -> Answer:
    return Answer(200, _file(call, _document(call, call.params["documentId"], ("0du", "00h"))))


@_handles("GET", "/v3/documents/upload-status")
def upload_status(call: V3Call) -> Answer:
    ids = [part for part in call.query.get("ids", "").split(",") if part]
    if not ids:
        raise bad_request(required_message("ids"))
    # Files are processed at once: the upload's id is the document's (docs/decisions.md).
    return Answer(
        200,
        [
            {"documentId": doc.id, "uploadId": doc.id, "status": "UPLOADED"}
            for doc in (_document(call, i, ("0du", "00h")) for i in ids)
        ],
    )


def _owner(call: V3Call, kind: str) -> str:
    entity, param = _OWNERS[kind]
    owner_id = call.params[param]
    if call.org.get(entity, owner_id) is None:
        raise no_record(owner_id)
    return owner_id


def _attachment_handlers(kind: str) -> None:
    param = _OWNERS[kind][1]
    path = f"/v3/attachments/{kind}/{{{param}}}"

    def upload(call: V3Call) -> Answer:
        return _upload(call, _owner(call, kind), "Attachment")

    def list_files(call: V3Call) -> Answer:
        # What the v2 face attached to the same record is listed too (its ids start "0du").
        return _files_of(call, _owner(call, kind), "")

    ACTION_HANDLERS[("POST", path)] = upload
    ACTION_HANDLERS[("GET", path)] = list_files


for _kind in _OWNERS:
    _attachment_handlers(_kind)


@_handles("GET", "/v3/attachments/{attachmentId}")
def get_attachment(call: V3Call) -> Answer:
    return Answer(200, _file(call, _document(call, call.params["attachmentId"], ("att", "0du"))))


@_handles("DELETE", "/v3/attachments/{attachmentId}")
def delete_attachment(call: V3Call) -> Answer:
    document = _document(call, call.params["attachmentId"], ("att", "0du"))
    del call.org.documents[document.id]
    return Answer(200, {"status": "SUCCESS"})
