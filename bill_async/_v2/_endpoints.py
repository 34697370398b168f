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
    "ENDPOINTS",
    "ENDPOINTS_BY_PATH",
    "Endpoint",
    "Param",
    "Shape",
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
    Endpoint("Login.json", "session", "login", SESSION, FORM, None, session=NO_SESSION, counts_as=LOGIN, resend=ANY_FAILURE),
    Endpoint("Logout.json", "session", "logout", SESSION, NONE, None, session=ENDS, resend=ANY_FAILURE),
    Endpoint("GetSessionInfo.json", "session", "get_info", READ, NONE, None),
    Endpoint("ListOrgs.json", "session", "list_orgs", SESSION, FORM, None, session=NO_SESSION, counts_as=LOGIN, resend=ANY_FAILURE),
    Endpoint("MFAChallenge.json", "mfa", "challenge", SESSION, DATA, None, token_rule=MFA, resend=IF_NOT_SENT, params=_params("use_backup: bool")),
    Endpoint("MFAAuthenticate.json", "mfa", "authenticate", SESSION, DATA, None, token_rule=MFA, session=TRUSTS, resend=IF_NOT_SENT, params=_params("challenge_id: str", "token: str", "device_id: str", "machine_name: str", "remember_me: bool")),
    Endpoint("MFAStatus.json", "mfa", "status", READ, DATA, None, token_rule=MFA, params=_params("mfa_id: str", "device_id: str")),
    Endpoint("Crud/Read/Organization.json", "organization", "read", READ, ID, "Organization"),
    Endpoint("Crud/Create/User.json", "users", "create", WRITE, OBJ, "User", token_rule=USER_WRITE),
    Endpoint("Crud/Read/User.json", "users", "read", READ, ID, "User"),
    Endpoint("Crud/Update/User.json", "users", "update", WRITE, OBJ, "User", token_rule=USER_WRITE),
    Endpoint("Crud/Delete/User.json", "users", "delete", WRITE, ID, "User", token_rule=USER_WRITE),
    Endpoint("Crud/Undelete/User.json", "users", "undelete", WRITE, ID, "User", token_rule=USER_WRITE),
    Endpoint("List/User.json", "users", "list", READ, LIST, "User"),
    Endpoint("Crud/Read/Profile.json", "profiles", "read", READ, ID, "Profile"),
    Endpoint("List/Profile.json", "profiles", "list", READ, LIST, "Profile"),
    Endpoint("GetProfilePermissions.json", "profiles", "get_permissions", READ, DATA, None),
    Endpoint("Crud/Read/BankAccount.json", "bank_accounts", "read", READ, ID, "BankAccount"),
    Endpoint("List/BankAccount.json", "bank_accounts", "list", READ, LIST, "BankAccount"),
    Endpoint("GetBankBalance.json", "bank_accounts", "get_balance", READ, DATA, None),
    Endpoint("SetBankBalance.json", "bank_accounts", "set_balance", WRITE, DATA, None),
    Endpoint("Crud/Read/MoneyMovement.json", "money_movements", "read", READ, ID, "MoneyMovement", confidence="I"),
    Endpoint("List/MoneyMovement.json", "money_movements", "list", READ, LIST, "MoneyMovement", confidence="I"),
    Endpoint("GetEntityMetadata.json", "organization", "get_entity_metadata", READ, DATA, None, params=_params(f"entity: {IDS}")),
    Endpoint("Errors.json", "organization", "list_errors", READ, NONE, None, session=NO_SESSION),
    Endpoint("CurrentTime.json", "organization", "current_time", READ, NONE, None, confidence="I"),
    Endpoint("UploadAttachment.json", "documents", "upload", WRITE, MULTIPART, None),
    Endpoint("GetDocumentPages.json", "documents", "get_pages", READ, DATA, None, params=BY_ID),
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
    Endpoint("SetCustomerAuthorization.json", "customers", "set_authorization", WRITE, DATA, None, params=_params("customer_id: str", "has_authorized_to_charge: bool")),
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
    Endpoint("SendInvoice.json", "invoices", "send", WRITE, DATA, None, token_rule=SEND_INVOICE, params=_params("invoice_id: str", "headers: Mapping[str, Any]", "content: Mapping[str, Any]")),
    Endpoint("MailInvoice.json", "invoices", "mail", WRITE, DATA, None, token_rule=SEND_INVOICE, params=_params("invoice_id: str")),
    Endpoint("RecordARPayment.json", "payments", "record_ar_payment", WRITE, DATA, "ReceivedPay", params=AR_RECORD),
    Endpoint("VoidARPayment.json", "payments", "void_ar_payment", WRITE, DATA, None, params=BY_ID),
    Endpoint("ChargeCustomer.json", "payments", "charge_customer", WRITE, DATA, "ReceivedPay", result_key="chargedReceivedPay", token_rule=CHARGE_CUSTOMER, params=CHARGE),
    Endpoint("Crud/Read/ReceivedPay.json", "received_payments", "read", READ, ID, "ReceivedPay"),
    Endpoint("List/ReceivedPay.json", "received_payments", "list", READ, LIST, "ReceivedPay"),
    Endpoint("Crud/Read/RPConvFee.json", "rp_conv_fees", "read", READ, ID, "RPConvFee"),
    Endpoint("GetARSummary.json", "payments", "get_ar_summary", READ, NONE, None),
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
    Endpoint("SendVendorInvite.json", "network", "send_vendor_invite", WRITE, DATA, None, needs_mfa=True, params=_params("vendor_id: str", "email: str")),
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
    Endpoint("PayBills.json", "payments", "pay_bills", WRITE, DATA, "SentPay", result_key="sentPays", token_rule=VENDOR_PAYMENT, needs_mfa=True, params=BILL_PAYMENT),
    Endpoint("RecordAPPayment.json", "payments", "record_ap_payment", WRITE, DATA, "SentPay", params=AP_RECORD),
    Endpoint("CancelAPPayment.json", "payments", "cancel_ap_payment", WRITE, DATA, None, token_rule=VENDOR_PAYMENT, params=SENT_PAY),
    Endpoint("VoidAPPayment.json", "payments", "void_ap_payment", WRITE, DATA, None, token_rule=VENDOR_PAYMENT, params=_params("sent_pay_id: str", "void_request_type: str", "reason: str")),
    Endpoint("Crud/Read/SentPay.json", "sent_payments", "read", READ, ID, "SentPay"),
    Endpoint("List/SentPay.json", "sent_payments", "list", READ, LIST, "SentPay"),
    Endpoint("Crud/Read/BillPay.json", "bill_pays", "read", READ, ID, "BillPay"),
    Endpoint("List/BillPay.json", "bill_pays", "list", READ, LIST, "BillPay"),
    Endpoint("Crud/Read/BillCredit.json", "bill_credits", "read", READ, ID, "BillCredit"),
    Endpoint("ListPayments.json", "payments", "list_payments", READ, DATA, "SentPay", result_key="payments", params=_params("disbursement_status: str", "start: int", "max: int")),
    Endpoint("GetDisbursementData.json", "payments", "get_disbursement_data", READ, DATA, None, params=SENT_PAY),
    Endpoint("GetCheckImageData.json", "payments", "get_check_image_data", READ, DATA, None, params=SENT_PAY),
    Endpoint("GetAPSummary.json", "payments", "get_ap_summary", READ, NONE, None),
    Endpoint("SetApprovers.json", "approvals", "set_approvers", WRITE, DATA, None, token_rule=SET_APPROVERS, params=(*OBJECT_REF, *_params(f"approvers: {IDS}"))),
    Endpoint("ClearApprovers.json", "approvals", "clear_approvers", WRITE, DATA, None, token_rule=SET_APPROVERS, params=OBJECT_REF),
    Endpoint("ListApprovers.json", "approvals", "list_approvers", READ, DATA, None, params=OBJECT_REF),
    Endpoint("Approve.json", "approvals", "approve", WRITE, DATA, None, token_rule=APPROVE_DENY, params=(*OBJECT_REF, *_params("comment: str"))),
    Endpoint("Deny.json", "approvals", "deny", WRITE, DATA, None, token_rule=APPROVE_DENY, params=(*OBJECT_REF, *_params("comment: str"))),
    Endpoint("ListUserApprovals.json", "approvals", "list_user_approvals", READ, DATA, None, params=_params("users_id: str", "entity: str", "approval_type: str", "marker: str", "max: int", "nested: bool", f"sort: {ROWS}", f"filters: {ROWS}")),
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
    Endpoint("SearchEntity.json", "network", "search_entity", READ, DATA, None),
    Endpoint("NetworkSearch.json", "network", "search", READ, DATA, None),
    Endpoint("LargeBillerSearch.json", "network", "search_large_billers", READ, DATA, None),
    Endpoint("GetLargeBillerPaymentAddress.json", "network", "get_large_biller_payment_address", READ, DATA, None),
    Endpoint("ConnectLargeBillerAsVendor.json", "network", "connect_large_biller_as_vendor", WRITE, DATA, None),
    Endpoint("SendInvite.json", "network", "send_invite", WRITE, DATA, None, needs_mfa=True, params=_params("network_id: str", "id: str")),
    Endpoint("CancelInvite.json", "network", "cancel_invite", WRITE, DATA, None, params=BY_ID),
    Endpoint("GetNetworkStatus.json", "network", "get_status", READ, DATA, None, params=BY_ID),
    Endpoint("GetDynamicExchangeRateQuote2.json", "payments", "get_exchange_rate_quote", READ, DATA, None),
    Endpoint("GetObjectUrl.json", "documents", "get_object_url", READ, DATA, None, confidence="?"),
    Endpoint("GetDocumentUploadStatus.json", "documents", "get_upload_status", READ, DATA, None, confidence="?"),
)
# fmt: on

ENDPOINTS_BY_PATH: Mapping[str, Endpoint] = MappingProxyType({e.path: e for e in ENDPOINTS})
