"""The endpoint table: one row per BILL v2 operation, and nothing else decides what an operation is.

Each row says where the operation lives (``path``), where it appears on the client
(``group`` and ``method``: ``client.<group>.<method>``), whether it reads, writes or manages the
session (``kind``, which decides what may be retried), how its arguments travel (``shape``), what
it returns (``entity``, and ``result_key`` where the result sits under a key of ``response_data``),
and the facts about sessions: ``token_rule`` (``None`` when a token session may call it; otherwise
the rule of BILL's token sign-in page that forbids it), ``needs_mfa`` (a credential session must
be MFA-trusted), ``session`` (how it uses the session: Login sends none, Logout ends it, MFA
authentication trusts it), ``counts_as`` (Login and ListOrgs spend the login budget) and
``resend`` (reads are sent again after any failure that may pass; writes, and session rows that
say so, only when they provably did not run). ``confidence`` carries the reference's tag: ``"C"``
confirmed, ``"I"`` inferred, ``"?"`` unknown. The pipeline reads these columns
(``_core._operation.Operation``) and never asks which operation it sends.

Adding an operation is adding one row; ``scripts/gen_endpoints.py`` then regenerates the groups,
and the emulator answers it with BDC_1121 until it has a handler.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .._core._operation import Count, Kind, Resend, SessionUse, TokenRule

__all__ = [
    "ARGUMENTS",
    "BULK_LIMIT",
    "ENDPOINTS",
    "ENDPOINTS_BY_PATH",
    "Endpoint",
    "Param",
    "Shape",
    "describe",
]


class Shape(enum.Enum):
    """How an operation's arguments travel."""

    NONE = "none"  # devKey + sessionId only
    ID = "id"  # data={"id": ...}
    OBJ = "obj"  # data={"obj": {"entity": ..., ...}}
    LIST = "list"  # data={"start", "max", "filters", "sort", "nested", "showAudit"}
    BULK_OBJ = "bulk_obj"  # data={"bulk": [{"obj": ...}, ...]}
    BULK_ID = "bulk_id"  # data={"bulk": [{"id": ...}, ...]}
    DATA = "data"  # data=<the operation's own JSON object>
    FORM = "form"  # plain form fields, no session (Login, ListOrgs)
    MULTIPART = "multipart"  # multipart/form-data with a file part (UploadAttachment)


USER_WRITE = TokenRule("users", "a token session cannot create, update or delete users")
SEND_INVOICE = TokenRule("send-invoice", "a token session cannot send or mail invoices")
VENDOR_PAYMENT = TokenRule(
    "vendor-payment", "a token session cannot pay, cancel or void a vendor bill payment"
)
APPROVE_DENY = TokenRule(
    "approve-deny", "a token session cannot approve or deny a bill or vendor credit"
)
APPROVER_WRITE = TokenRule(
    "policy-approvers",
    "a token session cannot create, update or delete approval policy approvers",
)
SET_APPROVERS = TokenRule("set-approvers", "a token session cannot set bill approvers")
MFA = TokenRule("mfa", "a token session has no MFA operations", inferred=True)
CHARGE_CUSTOMER = TokenRule(
    "charge-customer",
    "a token session has no BILL payment capabilities (charging a customer moves money)",
    inferred=True,
)


@attrs.frozen
class Param:
    """A keyword argument an action's generated method takes: its Python name, its type as
    written in the method's signature, and its wire name when not the name in camelCase."""

    name: str
    type: str
    wire: str | None = None


def _params(*specs: str) -> tuple[Param, ...]:
    """``_params("vendor_id: str", "memo@Memo: str")``: name, optional @wire name, type."""
    params = []
    for spec in specs:
        name, kind = (part.strip() for part in spec.split(":", 1))
        name, _, wire = name.partition("@")
        params.append(Param(name, kind, wire or None))
    return tuple(params)


# Argument types as the generated signatures write them.
STR, FLAG = "str", "bool"
DAY = "date | str"
AMOUNT = "Decimal | str | int"
ROWS = "Sequence[Mapping[str, Any]]"
IDS = "Sequence[str]"

OBJECT_REF = _params(f"object_id: {STR}", f"entity: {STR}")
BILL_PAYMENT = _params(
    f"vendor_id: {STR}",
    f"process_date: {DAY}",
    f"bank_account_id: {STR}",
    f"bill_pays: {ROWS}",
    f"bill_credits: {ROWS}",
)
AP_RECORD = _params(
    f"vendor_id: {STR}",
    f"process_date: {DAY}",
    f"to_print_check: {FLAG}",
    f"chart_of_account_id: {STR}",
    f"description: {STR}",
    f"sync_reference: {STR}",
    f"bill_pays: {ROWS}",
    f"bill_credits: {ROWS}",
)
AR_RECORD = _params(
    f"customer_id: {STR}",
    f"payment_date: {DAY}",
    f"payment_type: {STR}",
    f"amount: {AMOUNT}",
    f"deposit_to_account_id: {STR}",
    f"description: {STR}",
    f"ref_number: {STR}",
    f"invoice_pays: {ROWS}",
)
CHARGE = _params(
    f"customer_id: {STR}",
    f"payment_date: {DAY}",
    f"payment_type: {STR}",
    f"payment_account_id: {STR}",
    f"memo@Memo: {STR}",
    f"invoice_pays: {ROWS}",
)
SENT_PAY = _params(f"sent_pay_id: {STR}")
BY_ID = _params(f"id: {STR}")


@attrs.frozen
class Endpoint:
    """One BILL v2 operation."""

    path: str
    group: str
    method: str
    kind: Kind
    shape: Shape
    entity: str | None
    token_rule: TokenRule | None = None
    needs_mfa: bool = False
    session: SessionUse = SessionUse.IN_SESSION
    counts_as: Count = Count.REQUEST
    # None: as the kind says (reads after any failure, writes only if not sent); session rows
    # must say, since signing in may be repeated but an MFA challenge sends a text message.
    resend_rule: Resend | None = attrs.field(default=None, alias="resend")
    confidence: str = "C"
    result_key: str | None = None
    params: tuple[Param, ...] = ()  # the keyword arguments an action's method names
    summary: str = ""  # what the operation does; for Crud, List and Bulk rows, see ``describe``

    def __attrs_post_init__(self) -> None:
        if self.kind is Kind.SESSION and self.resend_rule is None:
            raise ValueError(f"{self.path}: a session row must say when it may be resent")

    @property
    def name(self) -> str:
        """The operation's name in errors, logs and hooks: its path."""
        return self.path

    @property
    def resend(self) -> Resend:
        """When a failed attempt may be sent again."""
        if self.resend_rule is not None:
            return self.resend_rule
        return Resend.AFTER_ANY_FAILURE if self.kind is Kind.READ else Resend.IF_NOT_SENT

    @property
    def sends_message(self) -> bool:
        """v2 documents no per-minute limit on calls that email or text: none is counted."""
        return False

    @property
    def needs_session(self) -> bool:
        """Whether the operation is sent in a session (Login, ListOrgs and Errors.json are not)."""
        return self.session is not SessionUse.NONE

    @property
    def token_allowed(self) -> bool:
        """Whether a token (sync token) session may call this operation."""
        return self.token_rule is None

    @property
    def is_read(self) -> bool:
        """Reads may be sent again after any failure; writes only when they provably did not run."""
        return self.kind is Kind.READ


READ, WRITE, SESSION = Kind.READ, Kind.WRITE, Kind.SESSION
ANY_FAILURE, IF_NOT_SENT = Resend.AFTER_ANY_FAILURE, Resend.IF_NOT_SENT
NO_SESSION, ENDS, TRUSTS = SessionUse.NONE, SessionUse.ENDS, SessionUse.TRUSTS
LOGIN = Count.LOGIN
NONE, ID, OBJ, LIST = Shape.NONE, Shape.ID, Shape.OBJ, Shape.LIST
BULK_OBJ, BULK_ID, DATA, FORM, MULTIPART = (
    Shape.BULK_OBJ,
    Shape.BULK_ID,
    Shape.DATA,
    Shape.FORM,
    Shape.MULTIPART,
)

# fmt: off
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("Login.json", "session", "login", SESSION, FORM, None, session=NO_SESSION, counts_as=LOGIN, resend=ANY_FAILURE, summary='Sign in: a session for the organization (the client does this for you, once, when a call needs it).'),
    Endpoint("Logout.json", "session", "logout", SESSION, NONE, None, session=ENDS, resend=ANY_FAILURE, summary='End the current session. With no session open, nothing is sent.'),
    Endpoint("GetSessionInfo.json", "session", "get_info", READ, NONE, None, summary="The signed-in session's organization and user."),
    Endpoint("ListOrgs.json", "session", "list_orgs", SESSION, FORM, None, session=NO_SESSION, counts_as=LOGIN, resend=ANY_FAILURE, summary='The organizations the user name and password (or token) can reach.'),
    Endpoint("MFAChallenge.json", "mfa", "challenge", SESSION, DATA, None, token_rule=MFA, resend=IF_NOT_SENT, params=_params("use_backup: bool"), summary="Send a one-time code to the user's registered phone, to make this session MFA-trusted."),
    Endpoint("MFAAuthenticate.json", "mfa", "authenticate", SESSION, DATA, None, token_rule=MFA, session=TRUSTS, resend=IF_NOT_SENT, params=_params("challenge_id: str", "token: str", "device_id: str", "machine_name: str", "remember_me: bool"), summary='Check the code sent by challenge(); on success this session is MFA-trusted (and, with remember_me, the device for 30 days).'),
    Endpoint("MFAStatus.json", "mfa", "status", READ, DATA, None, token_rule=MFA, params=_params("mfa_id: str", "device_id: str"), summary='Whether a remembered MFA device (mfa_id, device_id) is still trusted.'),
    Endpoint("Crud/Read/Organization.json", "organization", "read", READ, ID, "Organization"),
    Endpoint("Crud/Create/User.json", "users", "create", WRITE, OBJ, "User", token_rule=USER_WRITE),
    Endpoint("Crud/Read/User.json", "users", "read", READ, ID, "User"),
    Endpoint("Crud/Update/User.json", "users", "update", WRITE, OBJ, "User", token_rule=USER_WRITE),
    Endpoint("Crud/Delete/User.json", "users", "delete", WRITE, ID, "User", token_rule=USER_WRITE),
    Endpoint("Crud/Undelete/User.json", "users", "undelete", WRITE, ID, "User", token_rule=USER_WRITE),
    Endpoint("List/User.json", "users", "list", READ, LIST, "User"),
    Endpoint("Crud/Read/Profile.json", "profiles", "read", READ, ID, "Profile"),
    Endpoint("List/Profile.json", "profiles", "list", READ, LIST, "Profile"),
    Endpoint("GetProfilePermissions.json", "profiles", "get_permissions", READ, DATA, None, summary='The permissions of a role profile (request shape not documented: pass data as BILL names it).'),
    Endpoint("Crud/Read/BankAccount.json", "bank_accounts", "read", READ, ID, "BankAccount"),
    Endpoint("List/BankAccount.json", "bank_accounts", "list", READ, LIST, "BankAccount"),
    Endpoint("GetBankBalance.json", "bank_accounts", "get_balance", READ, DATA, None, summary="The balance of the organization's default bank account (request shape not documented)."),
    Endpoint("SetBankBalance.json", "bank_accounts", "set_balance", WRITE, DATA, None, summary="Set the balance of the organization's default bank account, as accounting software does (request shape not documented)."),
    Endpoint("Crud/Read/MoneyMovement.json", "money_movements", "read", READ, ID, "MoneyMovement", confidence="I"),
    Endpoint("List/MoneyMovement.json", "money_movements", "list", READ, LIST, "MoneyMovement", confidence="I"),
    Endpoint("GetEntityMetadata.json", "organization", "get_entity_metadata", READ, DATA, None, params=_params(f"entity: {IDS}"), summary="The fields of BILL's objects, by entity name (all of them, or those named)."),
    Endpoint("Errors.json", "organization", "list_errors", READ, NONE, None, session=NO_SESSION, summary="BILL's list of error codes and messages (needs no session)."),
    Endpoint("CurrentTime.json", "organization", "current_time", READ, NONE, None, confidence="I", summary="BILL's current time."),
    Endpoint("UploadAttachment.json", "documents", "upload", WRITE, MULTIPART, None, summary='Upload a file (under 20 MB; its extension must match its content), attached to an object or left in the inbox.'),
    Endpoint("GetDocumentPages.json", "documents", "get_pages", READ, DATA, None, params=BY_ID, summary='The pages of the document attached to a bill or vendor credit: their count and the URL of each page.'),
    Endpoint("Crud/Create/Customer.json", "customers", "create", WRITE, OBJ, "Customer"),
    Endpoint("Crud/Read/Customer.json", "customers", "read", READ, ID, "Customer"),
    Endpoint("Crud/Update/Customer.json", "customers", "update", WRITE, OBJ, "Customer"),
    Endpoint("Crud/Delete/Customer.json", "customers", "delete", WRITE, ID, "Customer"),
    Endpoint("Crud/Undelete/Customer.json", "customers", "undelete", WRITE, ID, "Customer"),
    Endpoint("List/Customer.json", "customers", "list", READ, LIST, "Customer"),
    Endpoint("Bulk/Crud/Create/Customer.json", "customers", "bulk_create", WRITE, BULK_OBJ, "Customer"),
    Endpoint("Bulk/Crud/Update/Customer.json", "customers", "bulk_update", WRITE, BULK_OBJ, "Customer"),
    Endpoint("Bulk/Crud/Delete/Customer.json", "customers", "bulk_delete", WRITE, BULK_ID, "Customer"),
    Endpoint("Bulk/Crud/Undelete/Customer.json", "customers", "bulk_undelete", WRITE, BULK_ID, "Customer"),
    Endpoint("Crud/Create/CustomerContact.json", "customer_contacts", "create", WRITE, OBJ, "CustomerContact"),
    Endpoint("Crud/Read/CustomerContact.json", "customer_contacts", "read", READ, ID, "CustomerContact"),
    Endpoint("Crud/Update/CustomerContact.json", "customer_contacts", "update", WRITE, OBJ, "CustomerContact"),
    Endpoint("Crud/Delete/CustomerContact.json", "customer_contacts", "delete", WRITE, ID, "CustomerContact"),
    Endpoint("Crud/Undelete/CustomerContact.json", "customer_contacts", "undelete", WRITE, ID, "CustomerContact"),
    Endpoint("List/CustomerContact.json", "customer_contacts", "list", READ, LIST, "CustomerContact"),
    Endpoint("Bulk/Crud/Create/CustomerContact.json", "customer_contacts", "bulk_create", WRITE, BULK_OBJ, "CustomerContact"),
    Endpoint("Bulk/Crud/Update/CustomerContact.json", "customer_contacts", "bulk_update", WRITE, BULK_OBJ, "CustomerContact"),
    Endpoint("Bulk/Crud/Delete/CustomerContact.json", "customer_contacts", "bulk_delete", WRITE, BULK_ID, "CustomerContact"),
    Endpoint("Bulk/Crud/Undelete/CustomerContact.json", "customer_contacts", "bulk_undelete", WRITE, BULK_ID, "CustomerContact"),
    Endpoint("Crud/Create/CustomerBankAccount.json", "customer_bank_accounts", "create", WRITE, OBJ, "CustomerBankAccount"),
    Endpoint("Crud/Read/CustomerBankAccount.json", "customer_bank_accounts", "read", READ, ID, "CustomerBankAccount"),
    Endpoint("Crud/Delete/CustomerBankAccount.json", "customer_bank_accounts", "delete", WRITE, ID, "CustomerBankAccount"),
    Endpoint("List/CustomerBankAccount.json", "customer_bank_accounts", "list", READ, LIST, "CustomerBankAccount"),
    Endpoint("SetCustomerAuthorization.json", "customers", "set_authorization", WRITE, DATA, None, params=_params("customer_id: str", "has_authorized_to_charge: bool"), summary='Record whether a customer authorized the organization to charge its bank account (needed before charge_customer).'),
    Endpoint("Crud/Create/Invoice.json", "invoices", "create", WRITE, OBJ, "Invoice"),
    Endpoint("Crud/Read/Invoice.json", "invoices", "read", READ, ID, "Invoice"),
    Endpoint("Crud/Update/Invoice.json", "invoices", "update", WRITE, OBJ, "Invoice"),
    Endpoint("Crud/Delete/Invoice.json", "invoices", "delete", WRITE, ID, "Invoice"),
    Endpoint("Crud/Undelete/Invoice.json", "invoices", "undelete", WRITE, ID, "Invoice"),
    Endpoint("List/Invoice.json", "invoices", "list", READ, LIST, "Invoice"),
    Endpoint("Bulk/Crud/Create/Invoice.json", "invoices", "bulk_create", WRITE, BULK_OBJ, "Invoice"),
    Endpoint("Bulk/Crud/Update/Invoice.json", "invoices", "bulk_update", WRITE, BULK_OBJ, "Invoice"),
    Endpoint("Bulk/Crud/Delete/Invoice.json", "invoices", "bulk_delete", WRITE, BULK_ID, "Invoice"),
    Endpoint("Bulk/Crud/Undelete/Invoice.json", "invoices", "bulk_undelete", WRITE, BULK_ID, "Invoice"),
    Endpoint("Crud/Create/RecurringInvoice.json", "recurring_invoices", "create", WRITE, OBJ, "RecurringInvoice", confidence="I"),
    Endpoint("Crud/Read/RecurringInvoice.json", "recurring_invoices", "read", READ, ID, "RecurringInvoice", confidence="I"),
    Endpoint("Crud/Update/RecurringInvoice.json", "recurring_invoices", "update", WRITE, OBJ, "RecurringInvoice", confidence="I"),
    Endpoint("Crud/Delete/RecurringInvoice.json", "recurring_invoices", "delete", WRITE, ID, "RecurringInvoice", confidence="I"),
    Endpoint("Crud/Undelete/RecurringInvoice.json", "recurring_invoices", "undelete", WRITE, ID, "RecurringInvoice", confidence="I"),
    Endpoint("List/RecurringInvoice.json", "recurring_invoices", "list", READ, LIST, "RecurringInvoice", confidence="I"),
    Endpoint("Crud/Create/CreditMemo.json", "credit_memos", "create", WRITE, OBJ, "CreditMemo", confidence="I"),
    Endpoint("Crud/Read/CreditMemo.json", "credit_memos", "read", READ, ID, "CreditMemo", confidence="I"),
    Endpoint("Crud/Update/CreditMemo.json", "credit_memos", "update", WRITE, OBJ, "CreditMemo", confidence="I"),
    Endpoint("Crud/Delete/CreditMemo.json", "credit_memos", "delete", WRITE, ID, "CreditMemo", confidence="I"),
    Endpoint("Crud/Undelete/CreditMemo.json", "credit_memos", "undelete", WRITE, ID, "CreditMemo", confidence="I"),
    Endpoint("List/CreditMemo.json", "credit_memos", "list", READ, LIST, "CreditMemo", confidence="I"),
    Endpoint("SendInvoice.json", "invoices", "send", WRITE, DATA, None, token_rule=SEND_INVOICE, params=_params("invoice_id: str", "headers: Mapping[str, Any]", "content: Mapping[str, Any]"), summary='Email an invoice to the customer. headers and content must be given, even empty.'),
    Endpoint("MailInvoice.json", "invoices", "mail", WRITE, DATA, None, token_rule=SEND_INVOICE, params=_params("invoice_id: str"), summary="Mail a paper invoice to the customer's complete US billing address."),
    Endpoint("RecordARPayment.json", "payments", "record_ar_payment", WRITE, DATA, "ReceivedPay", params=AR_RECORD, summary="Record a payment received outside BILL against the customer's invoices."),
    Endpoint("VoidARPayment.json", "payments", "void_ar_payment", WRITE, DATA, None, params=BY_ID, summary='Void a received payment.'),
    Endpoint("ChargeCustomer.json", "payments", "charge_customer", WRITE, DATA, "ReceivedPay", result_key="chargedReceivedPay", token_rule=CHARGE_CUSTOMER, params=CHARGE, summary="Charge a customer's bank account for invoices (the customer must have authorized it)."),
    Endpoint("Crud/Read/ReceivedPay.json", "received_payments", "read", READ, ID, "ReceivedPay"),
    Endpoint("List/ReceivedPay.json", "received_payments", "list", READ, LIST, "ReceivedPay"),
    Endpoint("Crud/Read/RPConvFee.json", "rp_conv_fees", "read", READ, ID, "RPConvFee"),
    Endpoint("GetARSummary.json", "payments", "get_ar_summary", READ, NONE, None, summary='Counts and totals of invoices (overdue, due today, all) and received payments.'),
    Endpoint("Crud/Create/Vendor.json", "vendors", "create", WRITE, OBJ, "Vendor"),
    Endpoint("Crud/Read/Vendor.json", "vendors", "read", READ, ID, "Vendor"),
    Endpoint("Crud/Update/Vendor.json", "vendors", "update", WRITE, OBJ, "Vendor"),
    Endpoint("Crud/Delete/Vendor.json", "vendors", "delete", WRITE, ID, "Vendor"),
    Endpoint("Crud/Undelete/Vendor.json", "vendors", "undelete", WRITE, ID, "Vendor"),
    Endpoint("List/Vendor.json", "vendors", "list", READ, LIST, "Vendor"),
    Endpoint("Bulk/Crud/Create/Vendor.json", "vendors", "bulk_create", WRITE, BULK_OBJ, "Vendor"),
    Endpoint("Bulk/Crud/Update/Vendor.json", "vendors", "bulk_update", WRITE, BULK_OBJ, "Vendor"),
    Endpoint("Bulk/Crud/Delete/Vendor.json", "vendors", "bulk_delete", WRITE, BULK_ID, "Vendor"),
    Endpoint("Bulk/Crud/Undelete/Vendor.json", "vendors", "bulk_undelete", WRITE, BULK_ID, "Vendor"),
    Endpoint("Crud/Create/VendorBankAccount.json", "vendor_bank_accounts", "create", WRITE, OBJ, "VendorBankAccount", needs_mfa=True),
    Endpoint("Crud/Read/VendorBankAccount.json", "vendor_bank_accounts", "read", READ, ID, "VendorBankAccount"),
    Endpoint("Crud/Delete/VendorBankAccount.json", "vendor_bank_accounts", "delete", WRITE, ID, "VendorBankAccount"),
    Endpoint("List/VendorBankAccount.json", "vendor_bank_accounts", "list", READ, LIST, "VendorBankAccount"),
    Endpoint("Bulk/Crud/Create/VendorBankAccount.json", "vendor_bank_accounts", "bulk_create", WRITE, BULK_OBJ, "VendorBankAccount", needs_mfa=True),
    Endpoint("SendVendorInvite.json", "network", "send_vendor_invite", WRITE, DATA, None, needs_mfa=True, params=_params("vendor_id: str", "email: str"), summary='Invite a vendor to the BILL network by email (the invitation expires after 60 days).'),
    Endpoint("Crud/Create/Bill.json", "bills", "create", WRITE, OBJ, "Bill"),
    Endpoint("Crud/Read/Bill.json", "bills", "read", READ, ID, "Bill"),
    Endpoint("Crud/Update/Bill.json", "bills", "update", WRITE, OBJ, "Bill"),
    Endpoint("Crud/Delete/Bill.json", "bills", "delete", WRITE, ID, "Bill"),
    Endpoint("Crud/Undelete/Bill.json", "bills", "undelete", WRITE, ID, "Bill"),
    Endpoint("List/Bill.json", "bills", "list", READ, LIST, "Bill"),
    Endpoint("Bulk/Crud/Create/Bill.json", "bills", "bulk_create", WRITE, BULK_OBJ, "Bill"),
    Endpoint("Bulk/Crud/Update/Bill.json", "bills", "bulk_update", WRITE, BULK_OBJ, "Bill"),
    Endpoint("Bulk/Crud/Delete/Bill.json", "bills", "bulk_delete", WRITE, BULK_ID, "Bill"),
    Endpoint("Bulk/Crud/Undelete/Bill.json", "bills", "bulk_undelete", WRITE, BULK_ID, "Bill"),
    Endpoint("Crud/Create/RecurringBill.json", "recurring_bills", "create", WRITE, OBJ, "RecurringBill"),
    Endpoint("Crud/Read/RecurringBill.json", "recurring_bills", "read", READ, ID, "RecurringBill"),
    Endpoint("Crud/Update/RecurringBill.json", "recurring_bills", "update", WRITE, OBJ, "RecurringBill"),
    Endpoint("Crud/Delete/RecurringBill.json", "recurring_bills", "delete", WRITE, ID, "RecurringBill"),
    Endpoint("Crud/Undelete/RecurringBill.json", "recurring_bills", "undelete", WRITE, ID, "RecurringBill"),
    Endpoint("List/RecurringBill.json", "recurring_bills", "list", READ, LIST, "RecurringBill"),
    Endpoint("Crud/Create/VendorCredit.json", "vendor_credits", "create", WRITE, OBJ, "VendorCredit"),
    Endpoint("Crud/Read/VendorCredit.json", "vendor_credits", "read", READ, ID, "VendorCredit"),
    Endpoint("Crud/Update/VendorCredit.json", "vendor_credits", "update", WRITE, OBJ, "VendorCredit"),
    Endpoint("Crud/Delete/VendorCredit.json", "vendor_credits", "delete", WRITE, ID, "VendorCredit"),
    Endpoint("Crud/Undelete/VendorCredit.json", "vendor_credits", "undelete", WRITE, ID, "VendorCredit"),
    Endpoint("List/VendorCredit.json", "vendor_credits", "list", READ, LIST, "VendorCredit"),
    Endpoint("PayBills.json", "payments", "pay_bills", WRITE, DATA, "SentPay", result_key="sentPays", token_rule=VENDOR_PAYMENT, needs_mfa=True, params=BILL_PAYMENT, summary="Pay bills of a vendor from the organization's bank account (at most 200 bills a call; leave out vendor_id to pay several vendors). Money moves."),
    Endpoint("RecordAPPayment.json", "payments", "record_ap_payment", WRITE, DATA, "SentPay", params=AP_RECORD, summary="Record a payment made outside BILL against the vendor's bills."),
    Endpoint("CancelAPPayment.json", "payments", "cancel_ap_payment", WRITE, DATA, None, token_rule=VENDOR_PAYMENT, params=SENT_PAY, summary='Cancel a scheduled vendor payment.'),
    Endpoint("VoidAPPayment.json", "payments", "void_ap_payment", WRITE, DATA, None, token_rule=VENDOR_PAYMENT, params=_params("sent_pay_id: str", "void_request_type: str", "reason: str"), summary='Void a vendor payment (online payments need void_request_type and reason).'),
    Endpoint("Crud/Read/SentPay.json", "sent_payments", "read", READ, ID, "SentPay"),
    Endpoint("List/SentPay.json", "sent_payments", "list", READ, LIST, "SentPay"),
    Endpoint("Crud/Read/BillPay.json", "bill_pays", "read", READ, ID, "BillPay"),
    Endpoint("List/BillPay.json", "bill_pays", "list", READ, LIST, "BillPay"),
    Endpoint("Crud/Read/BillCredit.json", "bill_credits", "read", READ, ID, "BillCredit"),
    Endpoint("ListPayments.json", "payments", "list_payments", READ, DATA, "SentPay", result_key="payments", params=_params("disbursement_status: str", "start: int", "max: int"), summary='Vendor payments, by disbursement status, a page at a time.'),
    Endpoint("GetDisbursementData.json", "payments", "get_disbursement_data", READ, DATA, None, params=SENT_PAY, summary='How a vendor payment was disbursed: check, ACH, RPPS or PayPal details.'),
    Endpoint("GetCheckImageData.json", "payments", "get_check_image_data", READ, DATA, None, params=SENT_PAY, summary="The image of a vendor payment's check."),
    Endpoint("GetAPSummary.json", "payments", "get_ap_summary", READ, NONE, None, summary='Counts and totals of bills and approvals (overdue, due today, all).'),
    Endpoint("SetApprovers.json", "approvals", "set_approvers", WRITE, DATA, None, token_rule=SET_APPROVERS, params=(*OBJECT_REF, *_params(f"approvers: {IDS}")), summary='Set the approvers of a bill or vendor credit, in the order they approve; the first is emailed.'),
    Endpoint("ClearApprovers.json", "approvals", "clear_approvers", WRITE, DATA, None, token_rule=SET_APPROVERS, params=OBJECT_REF, summary='Remove every approver of a bill or vendor credit (after a denial, say).'),
    Endpoint("ListApprovers.json", "approvals", "list_approvers", READ, DATA, None, params=OBJECT_REF, summary='The approvers of a bill or vendor credit.'),
    Endpoint("Approve.json", "approvals", "approve", WRITE, DATA, None, token_rule=APPROVE_DENY, params=(*OBJECT_REF, *_params("comment: str")), summary='Approve a bill or vendor credit as the signed-in user; the next approver is emailed.'),
    Endpoint("Deny.json", "approvals", "deny", WRITE, DATA, None, token_rule=APPROVE_DENY, params=(*OBJECT_REF, *_params("comment: str")), summary='Deny a bill or vendor credit as the signed-in user; the approval flow stops.'),
    Endpoint("ListUserApprovals.json", "approvals", "list_user_approvals", READ, DATA, None, params=_params("users_id: str", "entity: str", "approval_type: str", "marker: str", "max: int", "nested: bool", f"sort: {ROWS}", f"filters: {ROWS}"), summary="The bills or vendor credits waiting for a user's approval, paged by marker."),
    Endpoint("Crud/Create/ApprovalPolicy.json", "approval_policies", "create", WRITE, OBJ, "ApprovalPolicy"),
    Endpoint("Crud/Read/ApprovalPolicy.json", "approval_policies", "read", READ, ID, "ApprovalPolicy"),
    Endpoint("Crud/Update/ApprovalPolicy.json", "approval_policies", "update", WRITE, OBJ, "ApprovalPolicy"),
    Endpoint("Crud/Delete/ApprovalPolicy.json", "approval_policies", "delete", WRITE, ID, "ApprovalPolicy"),
    Endpoint("Crud/Undelete/ApprovalPolicy.json", "approval_policies", "undelete", WRITE, ID, "ApprovalPolicy"),
    Endpoint("List/ApprovalPolicy.json", "approval_policies", "list", READ, LIST, "ApprovalPolicy"),
    Endpoint("Bulk/Crud/Create/ApprovalPolicy.json", "approval_policies", "bulk_create", WRITE, BULK_OBJ, "ApprovalPolicy"),
    Endpoint("Crud/Create/ApprovalPolicyApprover.json", "approval_policy_approvers", "create", WRITE, OBJ, "ApprovalPolicyApprover", token_rule=APPROVER_WRITE),
    Endpoint("Crud/Read/ApprovalPolicyApprover.json", "approval_policy_approvers", "read", READ, ID, "ApprovalPolicyApprover"),
    Endpoint("Crud/Update/ApprovalPolicyApprover.json", "approval_policy_approvers", "update", WRITE, OBJ, "ApprovalPolicyApprover", token_rule=APPROVER_WRITE),
    Endpoint("Crud/Delete/ApprovalPolicyApprover.json", "approval_policy_approvers", "delete", WRITE, ID, "ApprovalPolicyApprover", token_rule=APPROVER_WRITE),
    Endpoint("Bulk/Crud/Create/ApprovalPolicyApprover.json", "approval_policy_approvers", "bulk_create", WRITE, BULK_OBJ, "ApprovalPolicyApprover", token_rule=APPROVER_WRITE),
    Endpoint("Crud/Create/ChartOfAccount.json", "chart_of_accounts", "create", WRITE, OBJ, "ChartOfAccount"),
    Endpoint("Crud/Read/ChartOfAccount.json", "chart_of_accounts", "read", READ, ID, "ChartOfAccount"),
    Endpoint("Crud/Update/ChartOfAccount.json", "chart_of_accounts", "update", WRITE, OBJ, "ChartOfAccount"),
    Endpoint("Crud/Delete/ChartOfAccount.json", "chart_of_accounts", "delete", WRITE, ID, "ChartOfAccount"),
    Endpoint("Crud/Undelete/ChartOfAccount.json", "chart_of_accounts", "undelete", WRITE, ID, "ChartOfAccount"),
    Endpoint("List/ChartOfAccount.json", "chart_of_accounts", "list", READ, LIST, "ChartOfAccount"),
    Endpoint("Bulk/Crud/Create/ChartOfAccount.json", "chart_of_accounts", "bulk_create", WRITE, BULK_OBJ, "ChartOfAccount"),
    Endpoint("Crud/Create/Department.json", "departments", "create", WRITE, OBJ, "Department", confidence="I"),
    Endpoint("Crud/Read/Department.json", "departments", "read", READ, ID, "Department", confidence="I"),
    Endpoint("Crud/Update/Department.json", "departments", "update", WRITE, OBJ, "Department", confidence="I"),
    Endpoint("Crud/Delete/Department.json", "departments", "delete", WRITE, ID, "Department", confidence="I"),
    Endpoint("Crud/Undelete/Department.json", "departments", "undelete", WRITE, ID, "Department", confidence="I"),
    Endpoint("List/Department.json", "departments", "list", READ, LIST, "Department", confidence="I"),
    Endpoint("Bulk/Crud/Create/Department.json", "departments", "bulk_create", WRITE, BULK_OBJ, "Department", confidence="I"),
    Endpoint("Crud/Create/ActgClass.json", "actg_classes", "create", WRITE, OBJ, "ActgClass"),
    Endpoint("Crud/Read/ActgClass.json", "actg_classes", "read", READ, ID, "ActgClass"),
    Endpoint("Crud/Update/ActgClass.json", "actg_classes", "update", WRITE, OBJ, "ActgClass"),
    Endpoint("Crud/Delete/ActgClass.json", "actg_classes", "delete", WRITE, ID, "ActgClass"),
    Endpoint("Crud/Undelete/ActgClass.json", "actg_classes", "undelete", WRITE, ID, "ActgClass"),
    Endpoint("List/ActgClass.json", "actg_classes", "list", READ, LIST, "ActgClass"),
    Endpoint("Bulk/Crud/Create/ActgClass.json", "actg_classes", "bulk_create", WRITE, BULK_OBJ, "ActgClass"),
    Endpoint("Crud/Create/Location.json", "locations", "create", WRITE, OBJ, "Location", confidence="I"),
    Endpoint("Crud/Read/Location.json", "locations", "read", READ, ID, "Location", confidence="I"),
    Endpoint("Crud/Update/Location.json", "locations", "update", WRITE, OBJ, "Location", confidence="I"),
    Endpoint("Crud/Delete/Location.json", "locations", "delete", WRITE, ID, "Location", confidence="I"),
    Endpoint("Crud/Undelete/Location.json", "locations", "undelete", WRITE, ID, "Location", confidence="I"),
    Endpoint("List/Location.json", "locations", "list", READ, LIST, "Location", confidence="I"),
    Endpoint("Crud/Create/Item.json", "items", "create", WRITE, OBJ, "Item"),
    Endpoint("Crud/Read/Item.json", "items", "read", READ, ID, "Item"),
    Endpoint("Crud/Update/Item.json", "items", "update", WRITE, OBJ, "Item"),
    Endpoint("Crud/Delete/Item.json", "items", "delete", WRITE, ID, "Item"),
    Endpoint("Crud/Undelete/Item.json", "items", "undelete", WRITE, ID, "Item"),
    Endpoint("List/Item.json", "items", "list", READ, LIST, "Item"),
    Endpoint("Crud/Create/Job.json", "jobs", "create", WRITE, OBJ, "Job", confidence="I"),
    Endpoint("Crud/Read/Job.json", "jobs", "read", READ, ID, "Job", confidence="I"),
    Endpoint("Crud/Update/Job.json", "jobs", "update", WRITE, OBJ, "Job", confidence="I"),
    Endpoint("Crud/Delete/Job.json", "jobs", "delete", WRITE, ID, "Job", confidence="I"),
    Endpoint("Crud/Undelete/Job.json", "jobs", "undelete", WRITE, ID, "Job", confidence="I"),
    Endpoint("List/Job.json", "jobs", "list", READ, LIST, "Job", confidence="I"),
    Endpoint("Crud/Create/Employee.json", "employees", "create", WRITE, OBJ, "Employee", confidence="I"),
    Endpoint("Crud/Read/Employee.json", "employees", "read", READ, ID, "Employee", confidence="I"),
    Endpoint("Crud/Update/Employee.json", "employees", "update", WRITE, OBJ, "Employee", confidence="I"),
    Endpoint("Crud/Delete/Employee.json", "employees", "delete", WRITE, ID, "Employee", confidence="I"),
    Endpoint("Crud/Undelete/Employee.json", "employees", "undelete", WRITE, ID, "Employee", confidence="I"),
    Endpoint("List/Employee.json", "employees", "list", READ, LIST, "Employee", confidence="I"),
    Endpoint("Crud/Create/PaymentTerm.json", "payment_terms", "create", WRITE, OBJ, "PaymentTerm", confidence="I"),
    Endpoint("Crud/Read/PaymentTerm.json", "payment_terms", "read", READ, ID, "PaymentTerm", confidence="I"),
    Endpoint("Crud/Update/PaymentTerm.json", "payment_terms", "update", WRITE, OBJ, "PaymentTerm", confidence="I"),
    Endpoint("Crud/Delete/PaymentTerm.json", "payment_terms", "delete", WRITE, ID, "PaymentTerm", confidence="I"),
    Endpoint("Crud/Undelete/PaymentTerm.json", "payment_terms", "undelete", WRITE, ID, "PaymentTerm", confidence="I"),
    Endpoint("List/PaymentTerm.json", "payment_terms", "list", READ, LIST, "PaymentTerm", confidence="I"),
    Endpoint("SearchEntity.json", "network", "search_entity", READ, DATA, None, summary='Search for an organization in the BILL network (request shape not documented).'),
    Endpoint("NetworkSearch.json", "network", "search", READ, DATA, None, summary='Search the BILL network for a customer or vendor (request shape not documented).'),
    Endpoint("LargeBillerSearch.json", "network", "search_large_billers", READ, DATA, None, summary='Search the verified national vendors (RPPS large billers) (request shape not documented).'),
    Endpoint("GetLargeBillerPaymentAddress.json", "network", "get_large_biller_payment_address", READ, DATA, None, summary='The payment addresses of a large biller (request shape not documented).'),
    Endpoint("ConnectLargeBillerAsVendor.json", "network", "connect_large_biller_as_vendor", WRITE, DATA, None, summary='Connect a large biller as a vendor, by its address id (request shape not documented).'),
    Endpoint("SendInvite.json", "network", "send_invite", WRITE, DATA, None, needs_mfa=True, params=_params("network_id: str", "id: str"), summary='Invite a vendor or customer to connect with the organization on the BILL network.'),
    Endpoint("CancelInvite.json", "network", "cancel_invite", WRITE, DATA, None, params=BY_ID, summary='Cancel a pending network invitation.'),
    Endpoint("GetNetworkStatus.json", "network", "get_status", READ, DATA, None, params=BY_ID, summary='Whether a vendor or customer is connected on the BILL network: 0 not connected, 1 pending, 2 connected.'),
    Endpoint("GetDynamicExchangeRateQuote2.json", "payments", "get_exchange_rate_quote", READ, DATA, None, summary='An exchange-rate quote for an international invoice (request shape not documented).'),
    Endpoint("GetObjectUrl.json", "documents", "get_object_url", READ, DATA, None, confidence="?", summary='Not documented by BILL; kept for compatibility (pass data as BILL names it).'),
    Endpoint("GetDocumentUploadStatus.json", "documents", "get_upload_status", READ, DATA, None, confidence="?", summary='Not documented for v2 by BILL; kept for compatibility (pass data as BILL names it).'),
)
# fmt: on

ENDPOINTS_BY_PATH: Mapping[str, Endpoint] = MappingProxyType({e.path: e for e in ENDPOINTS})

# BILL's limit on the items of one Bulk call; larger inputs are sent in chunks of this size.
BULK_LIMIT = 100

_VERBS = {
    "Create": "Create a {entity} from the fields given; BILL answers with the whole {entity}.",
    "Read": "Read one {entity} by its id.",
    "Update": (
        "Update a {entity}: its id and the fields to change (BILL ignores read-only fields); "
        "BILL answers with the whole {entity}."
    ),
    "Delete": "Make a {entity} inactive (isActive 2: BILL's delete is soft); answers with it.",
    "Undelete": "Make an inactive {entity} active again; answers with it.",
}


def describe(endpoint: Endpoint) -> str:
    """What an operation does: its row's summary, or what its Crud, List or Bulk path says."""
    if endpoint.summary:
        return endpoint.summary
    entity = endpoint.entity or "object"
    parts = endpoint.path.removesuffix(".json").split("/")
    if parts[0] == "List":
        return (
            f"List {entity} records, a page at a time, lazily: filters and sorts are checked "
            "before anything is sent."
        )
    if parts[0] == "Crud" and parts[1] in _VERBS:
        return _VERBS[parts[1]].format(entity=entity)
    if parts[0] == "Bulk" and parts[2] in _VERBS:
        verb = parts[2].lower()
        return (
            f"{parts[2]} many {entity} records ({verb} each as its single call does), in chunks "
            f"of {BULK_LIMIT}; one result per item, in order: the {entity}, or that item's error."
        )
    return f"``{endpoint.path}``."


# What each named argument of an action means, by its Python name ("path:name" for a meaning
# that holds for one operation only).
ARGUMENTS: Mapping[str, str] = MappingProxyType(
    {
        "vendor_id": "the vendor (``009…``)",
        "customer_id": "the customer (``0cu…``)",
        "invoice_id": "the invoice (``00e…``)",
        "sent_pay_id": "the vendor payment (``stp…``)",
        "id": "the object's id",
        "object_id": "the bill or vendor credit (``00n…`` or ``vcr…``)",
        "entity": '``"Bill"`` or ``"VendorCredit"``',
        "GetEntityMetadata.json:entity": "the entity names to describe (all when left out)",
        "process_date": "the day the payment is processed (a date or YYYY-MM-DD; default: "
        "the next business day)",
        "payment_date": "the day the payment was received or is charged",
        "bank_account_id": "the organization's bank account paid from (``bac…``; default: "
        "the default account)",
        "bill_pays": '``[{"billId": ..., "amount": ...}, ...]``: the bills and the amount '
        "paid on each",
        "bill_credits": '``[{"billId": ..., "vendorCreditId": ..., "amount": ...}]``: '
        "vendor credits applied",
        "invoice_pays": '``[{"invoiceId": ..., "amount": ...}, ...]``: the invoices and '
        "the amount paid on each",
        "payment_type": "BILL's code: 0 cash, 1 check, 2 credit card, 3 ACH (a bank account), "
        "4 PayPal, 5 other",
        "amount": "the amount received (a Decimal, int or numeric string)",
        "deposit_to_account_id": "the chart of account deposited to",
        "description": "a description",
        "ref_number": "a reference number (a check number, say)",
        "payment_account_id": "the customer's bank account charged (``cba…``)",
        "memo": "a memo",
        "to_print_check": "whether BILL prints the check",
        "chart_of_account_id": "the chart of account the payment is booked to",
        "sync_reference": "your own reference for the payment",
        "void_request_type": "why an online payment is voided (BILL's code)",
        "reason": "the reason given for voiding",
        "disbursement_status": "BILL's disbursement status code to list",
        "start": "the first record to return (0-based)",
        "max": "how many records to return at most",
        "use_backup": "send the code to the backup phone instead",
        "challenge_id": "the id challenge() answered with",
        "token": "the code the user received",
        "device_id": "a name for this device, kept with a remembered MFA",
        "machine_name": "a description of this machine",
        "remember_me": "remember this device for 30 days (the answer's mfaId then signs in "
        "trusted, with device_id)",
        "mfa_id": "the mfaId authenticate() answered with",
        "has_authorized_to_charge": "whether the customer authorized charging its account",
        "headers": '``{"fromUserId", "toEmailAddresses": [...], "ccMe", "subject"}``',
        "content": '``{"body": ...}`` (the subject and the body go together)',
        "email": "the address the invitation goes to",
        "approvers": "the approving users (``006…``), in the order they approve",
        "comment": "a note added to the object",
        "users_id": "the user whose approvals are listed (``006…``)",
        "approval_type": 'BILL\'s code for the kind of approval (``"0"``)',
        "marker": "where the previous page ended (its answer's ``marker``; empty at first)",
        "nested": "include child rows (line items)",
        "sort": '``[{"field": ..., "asc": ...}]``',
        "filters": '``[{"field": ..., "op": ..., "value": ...}]``',
        "network_id": "the organization's BILL network id",
        "SendInvite.json:id": "the vendor or customer invited",
        "GetNetworkStatus.json:id": "the vendor or customer",
    }
)
