"""The v3 endpoint table: one row per operation of BILL's v3 API, and nothing else decides what
an operation is.

Each row says where the operation lives (``http`` and ``path``; ``host`` for the webhooks API on
``.../connect-events``), where it appears on the client (``client.<group>.<method>``), how its
arguments travel and what it answers (``shape``, ``model``, ``result_key``, ``query``), and the
columns the core reads (``_core._operation.Operation``): ``kind``, ``resend``, ``session``,
``counts_as``, ``token_rule``, ``needs_mfa``. v3's own facts: ``mfa_when`` (a body key that makes
the call MFA-protected when true: enabling a vendor's autoPay, say), ``sends_message`` (BILL
allows 5 a minute of calls that text or email someone), ``bulk_limit`` (items per bulk request,
all-or-nothing), ``idempotency_key`` (the two webhook calls that take ``X-Idempotent-Key``) and
``partner`` (partner-level operations: in the table, reachable through ``client.request``, with
no generated method).

``token_basis`` says where a row's token answer comes from: ``"C"`` confirmed by BILL's v3 token
sign-in page (no MFA operations, no payment capabilities), ``"I"`` inferred from the v2 token
page's rules for the same object and action (BILL's v3 table could not be read).

The rows were made from ``v3-operations.tsv`` (BILL's Postman collection and docs) and its
examples; adding one is adding a row and running ``scripts/gen_endpoints.py``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .._core._operation import Count, Kind, Resend, SessionUse, TokenRule

__all__ = [
    "OPERATIONS",
    "OPERATIONS_BY_KEY",
    "Operation",
    "Shape",
    "describe",
    "path_params",
]


class Shape(enum.Enum):
    """How an operation's arguments travel, and what the generated method takes."""

    GET = "get"  # path parameters (and its query parameters, if any)
    LIST = "list"  # a cursor-paged list: max, page, filters, sort
    BODY = "body"  # a JSON body
    NO_BODY = "no body"  # POST or DELETE without a body (archive, restore, cancel, ...)
    BULK = "bulk"  # a JSON array of bodies, in chunks of ``bulk_limit``, each all-or-nothing
    BULK_IDS = "bulk ids"  # ids in the ``ids`` query parameter (bulk archive and restore)
    UPLOAD = "upload"  # a file's raw bytes, named by the ``name`` query parameter


# Rules of BILL's token sign-in pages, as v3 operations meet them.
MFA = TokenRule("mfa", "a token session has no MFA operations or MFA-protected operations")
PAYING = TokenRule("paying", "a token session has no BILL payment capabilities")
USERS = TokenRule("users", "a token session cannot create, update or archive users", inferred=True)
APPROVE_DENY = TokenRule(
    "approve-deny", "a token session cannot approve or deny a bill", inferred=True
)
CANCEL_VOID = TokenRule(
    "cancel-void", "a token session cannot cancel or void a vendor payment", inferred=True
)
SEND_INVOICE = TokenRule("send-invoice", "a token session cannot email invoices", inferred=True)
CHARGE = TokenRule(
    "charge-customer",
    "a token session has no BILL payment capabilities (charging a customer moves money)",
    inferred=True,
)


@attrs.frozen
class Operation:
    """One BILL v3 operation."""

    http: str
    path: str
    group: str
    method: str
    kind: Kind
    shape: Shape
    model: str | None
    result_key: str | None = None  # the key the answer's records sit under
    query: tuple[str, ...] = ()  # query parameters a GET or BODY call takes besides paging
    token_rule: TokenRule | None = None
    token_basis: str = "I"
    needs_mfa: bool = False
    mfa_when: str | None = None
    sends_message: bool = False
    bulk_limit: int | None = None
    idempotency_key: bool = False
    host: str = "connect"
    partner: bool = False
    session: SessionUse = SessionUse.IN_SESSION
    counts_as: Count = Count.REQUEST
    resend_rule: Resend | None = attrs.field(default=None, alias="resend")
    summary: str = ""

    @property
    def name(self) -> str:
        """How errors, logs and hooks name it: ``"GET /v3/vendors/{vendorId}"``."""
        return f"{self.http} {self.path}"

    @property
    def resend(self) -> Resend:
        """When a failed attempt may be sent again."""
        if self.resend_rule is not None:
            return self.resend_rule
        if self.idempotency_key:  # BILL answers a repeated key with the first answer
            return Resend.AFTER_ANY_FAILURE
        return Resend.AFTER_ANY_FAILURE if self.kind is Kind.READ else Resend.IF_NOT_SENT

    @property
    def params(self) -> tuple[str, ...]:
        """Its path parameters, in order (``("vendorId",)``)."""
        return path_params(self.path)


_PARAM = re.compile(r"\{(\w+)\}")


def path_params(path: str) -> tuple[str, ...]:
    return tuple(_PARAM.findall(path))


def describe(operation: Operation) -> str:
    """What an operation does, as BILL's collection titles it."""
    return operation.summary.rstrip(".") + "." if operation.summary else operation.name


READ, WRITE, SESSION = Kind.READ, Kind.WRITE, Kind.SESSION
GET, LIST, BODY, NO_BODY = Shape.GET, Shape.LIST, Shape.BODY, Shape.NO_BODY
BULK, BULK_IDS, UPLOAD = Shape.BULK, Shape.BULK_IDS, Shape.UPLOAD
ANY_FAILURE, IF_NOT_SENT = Resend.AFTER_ANY_FAILURE, Resend.IF_NOT_SENT
NO_SESSION, ENDS, TRUSTS = SessionUse.NONE, SessionUse.ENDS, SessionUse.TRUSTS
LOGIN = Count.LOGIN

# fmt: off
OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/v3/login", "session", "login", SESSION, BODY, None, token_basis="C", session=NO_SESSION, counts_as=LOGIN, resend=ANY_FAILURE, summary='API login'),
    Operation("GET", "/v3/login/organizations", "session", "list_organizations", SESSION, LIST, None, result_key='results', token_basis="I", resend=ANY_FAILURE, summary='Get list of login organizations'),
    Operation("GET", "/v3/login/session", "session", "get", SESSION, GET, None, token_basis="I", resend=ANY_FAILURE, summary='Get API session details'),
    Operation("POST", "/v3/logout", "session", "logout", SESSION, NO_BODY, None, token_basis="I", session=ENDS, resend=ANY_FAILURE, summary='API logout'),
    Operation("POST", "/v3/mfa/challenge", "mfa", "challenge", SESSION, BODY, None, sends_message=True, token_rule=MFA, token_basis="C", resend=IF_NOT_SENT, summary='Generate MFA challenge'),
    Operation("POST", "/v3/mfa/challenge/validate", "mfa", "validate_challenge", SESSION, BODY, None, token_rule=MFA, token_basis="C", session=TRUSTS, resend=IF_NOT_SENT, summary='Validate MFA challenge'),
    Operation("GET", "/v3/mfa/phones", "mfa", "list_phones", SESSION, GET, None, result_key='results', token_rule=MFA, token_basis="C", resend=ANY_FAILURE, summary='Get list of MFA phone numbers'),
    Operation("POST", "/v3/mfa/setup", "mfa", "set_up_phone", SESSION, BODY, None, sends_message=True, token_rule=MFA, token_basis="C", resend=IF_NOT_SENT, summary='Add phone for MFA setup'),
    Operation("POST", "/v3/mfa/setup/validate", "mfa", "validate_phone", SESSION, BODY, None, token_rule=MFA, token_basis="C", resend=IF_NOT_SENT, summary='Validate phone for MFA setup'),
    Operation("POST", "/v3/mfa/step-up", "mfa", "step_up", SESSION, BODY, None, token_rule=MFA, token_basis="C", session=TRUSTS, resend=IF_NOT_SENT, summary='MFA step-up for API session'),
    Operation("POST", "/v3/partner/login", "partner", "post_login", SESSION, BODY, None, partner=True, token_basis="I", resend=IF_NOT_SENT, summary='API partner login'),
    Operation("POST", "/v3/partner/login-as-user", "partner", "post_login_as_user", SESSION, BODY, None, partner=True, token_basis="I", resend=IF_NOT_SENT, summary='API login as user'),
    Operation("GET", "/v3/partner/organizations", "partner", "get_organizations", READ, LIST, None, partner=True, result_key='results', token_basis="I", summary='Get list of organizations'),
    Operation("POST", "/v3/partner/organizations", "partner", "post_organizations", WRITE, BODY, None, partner=True, token_basis="I", summary='Create an organization'),
    Operation("PATCH", "/v3/partner/organizations/{organizationId}/price-plan", "partner", "patch_organizations_organizationId_price_plan", WRITE, BODY, None, partner=True, token_basis="I", summary='Update an organization price plan'),
    Operation("POST", "/v3/partner/risk-verifications/{userId}/phone", "partner", "post_risk_verifications_userId_phone", WRITE, BODY, None, partner=True, token_basis="I", summary='Add phone for risk verification'),
    Operation("GET", "/v3/partner/roles", "partner", "get_roles", READ, LIST, None, partner=True, result_key='results', token_basis="I", summary='Get list of user roles'),
    Operation("GET", "/v3/partner/roles/{roleId}", "partner", "get_roles_roleId", READ, GET, None, partner=True, token_basis="I", summary='Get user role details'),
    Operation("GET", "/v3/partner/users", "partner", "get_users", READ, LIST, None, partner=True, result_key='results', token_basis="I", summary='Get list of users'),
    Operation("POST", "/v3/partner/users", "partner", "post_users", WRITE, BODY, None, partner=True, token_basis="I", summary='Create a user'),
    Operation("GET", "/v3/partner/users/{userId}", "partner", "get_users_userId", READ, GET, None, partner=True, token_basis="I", summary='Get user details'),
    Operation("PATCH", "/v3/partner/users/{userId}", "partner", "patch_users_userId", WRITE, BODY, None, partner=True, token_basis="I", summary='Update a user'),
    Operation("POST", "/v3/partner/users/{userId}/archive", "partner", "post_users_userId_archive", WRITE, NO_BODY, None, partner=True, token_basis="I", summary='Archive a user'),
    Operation("POST", "/v3/partner/users/{userId}/restore", "partner", "post_users_userId_restore", WRITE, NO_BODY, None, partner=True, token_basis="I", summary='Restore an archived user'),
    Operation("GET", "/v3/organizations/industries", "organizations", "list_industries", READ, GET, None, result_key='results', token_basis="I", summary='Get list of organization industries'),
    Operation("GET", "/v3/organizations/{organizationId}", "organizations", "get", READ, GET, 'Organization', token_basis="I", summary='Get organization details'),
    Operation("PATCH", "/v3/organizations/{organizationId}", "organizations", "update", WRITE, BODY, 'Organization', token_basis="I", summary='Update an organization'),
    Operation("GET", "/v3/organizations/{organizationId}/billing-statements", "organizations", "list_billing_statements", READ, LIST, None, result_key='results', query=('invoiceDateFrom', 'invoiceDateTo'), token_basis="I", summary='Get list of billing statements'),
    Operation("GET", "/v3/organizations/{organizationId}/billing-statements/{billingStatementId}", "organizations", "get_billing_statement", READ, GET, None, token_basis="I", summary='Get billing statement details'),
    Operation("GET", "/v3/organizations/{organizationId}/price-plan", "organizations", "get_price_plan", READ, GET, None, token_basis="I", summary='Get organization price plan details'),
    Operation("GET", "/v3/organizations/{organizationId}/payment-terms", "payment_terms", "list", READ, LIST, 'PaymentTerm', result_key='results', token_basis="I", summary='Get list of payment terms'),
    Operation("POST", "/v3/organizations/{organizationId}/payment-terms", "payment_terms", "create", WRITE, BODY, 'PaymentTerm', token_basis="I", summary='Create a payment term'),
    Operation("GET", "/v3/organizations/{organizationId}/payment-terms/{paymentTermId}", "payment_terms", "get", READ, GET, 'PaymentTerm', token_basis="I", summary='Get payment term details'),
    Operation("PATCH", "/v3/organizations/{organizationId}/payment-terms/{paymentTermId}", "payment_terms", "update", WRITE, BODY, 'PaymentTerm', token_basis="I", summary='Update a payment term'),
    Operation("GET", "/v3/users", "users", "list", READ, LIST, 'User', result_key='results', token_basis="I", summary='Get list of users'),
    Operation("POST", "/v3/users", "users", "create", WRITE, BODY, 'User', token_rule=USERS, token_basis="I", summary='Create a user'),
    Operation("GET", "/v3/users/{userId}", "users", "get", READ, GET, 'User', token_basis="I", summary='Get user details'),
    Operation("PATCH", "/v3/users/{userId}", "users", "update", WRITE, BODY, 'User', token_rule=USERS, token_basis="I", summary='Update a user'),
    Operation("POST", "/v3/users/{userId}/archive", "users", "archive", WRITE, NO_BODY, 'User', token_rule=USERS, token_basis="I", summary='Archive a user'),
    Operation("POST", "/v3/users/{userId}/restore", "users", "restore", WRITE, NO_BODY, 'User', token_rule=USERS, token_basis="I", summary='Restore an archived user'),
    Operation("GET", "/v3/roles", "roles", "list", READ, LIST, 'Role', result_key='results', token_basis="I", summary='Get list of user roles'),
    Operation("GET", "/v3/roles/{roleId}", "roles", "get", READ, GET, 'Role', token_basis="I", summary='Get user role details'),
    Operation("GET", "/v3/risk-verifications", "risk_verifications", "get", READ, GET, None, token_basis="I", summary='Get risk verification details'),
    Operation("POST", "/v3/risk-verifications", "risk_verifications", "start", WRITE, BODY, None, token_basis="I", summary='Initiate risk verification for an organization'),
    Operation("GET", "/v3/risk-verifications/phone", "risk_verifications", "get_phone", READ, GET, None, token_basis="I", summary='Get phone status for risk verification'),
    Operation("POST", "/v3/risk-verifications/phone", "risk_verifications", "add_phone", WRITE, BODY, None, token_basis="I", summary='Add phone for risk verification'),
    Operation("GET", "/v3/health", "health", "check", READ, GET, None, token_basis="I", session=NO_SESSION, summary='Check app health'),
    Operation("GET", "/v3/vendors", "vendors", "list", READ, LIST, 'Vendor', result_key='results', token_basis="I", summary='Get list of vendors'),
    Operation("POST", "/v3/vendors", "vendors", "create", WRITE, BODY, 'Vendor', mfa_when='autoPay.enabled', token_basis="I", summary='Create a vendor'),
    Operation("POST", "/v3/vendors/bulk", "vendors", "bulk_create", WRITE, BULK, 'Vendor', mfa_when='autoPay.enabled', bulk_limit=20, result_key='vendors', token_basis="I", summary='Create multiple vendors'),
    Operation("GET", "/v3/vendors/configuration/international-payments", "vendors", "get_international_payment_configuration", READ, GET, None, query=('country', 'billCurrency', 'accountType'), token_basis="I", summary='Get international payments configuration'),
    Operation("GET", "/v3/vendors/{vendorId}", "vendors", "get", READ, GET, 'Vendor', token_basis="I", summary='Get vendor details'),
    Operation("PATCH", "/v3/vendors/{vendorId}", "vendors", "update", WRITE, BODY, 'Vendor', mfa_when='autoPay.enabled', token_basis="I", summary='Update a vendor'),
    Operation("POST", "/v3/vendors/{vendorId}/archive", "vendors", "archive", WRITE, NO_BODY, 'Vendor', token_basis="I", summary='Archive a vendor'),
    Operation("GET", "/v3/vendors/{vendorId}/bank-account", "vendors", "get_bank_account", READ, GET, None, token_basis="I", summary='Get vendor bank account details'),
    Operation("POST", "/v3/vendors/{vendorId}/bank-account", "vendors", "create_bank_account", WRITE, BODY, None, token_basis="I", summary='Create a vendor bank account'),
    Operation("DELETE", "/v3/vendors/{vendorId}/bank-account", "vendors", "delete_bank_account", WRITE, NO_BODY, None, token_basis="I", summary='Delete a vendor bank account'),
    Operation("GET", "/v3/vendors/{vendorId}/configuration", "vendors", "get_configuration", READ, GET, None, token_basis="I", summary='Get vendor configuration'),
    Operation("POST", "/v3/vendors/{vendorId}/restore", "vendors", "restore", WRITE, NO_BODY, 'Vendor', token_basis="I", summary='Restore an archived vendor'),
    Operation("GET", "/v3/bills", "bills", "list", READ, LIST, 'Bill', result_key='results', token_basis="I", summary='Get list of bills'),
    Operation("POST", "/v3/bills", "bills", "create", WRITE, BODY, 'Bill', token_basis="I", summary='Create a bill'),
    Operation("POST", "/v3/bills/bulk", "bills", "bulk_create", WRITE, BULK, 'Bill', bulk_limit=100, token_basis="I", summary='Create multiple bills'),
    Operation("POST", "/v3/bills/record-payment", "bills", "record_payment", WRITE, BODY, 'Payment', token_basis="I", summary='Record AP payment'),
    Operation("GET", "/v3/bills/{billId}", "bills", "get", READ, GET, 'Bill', token_basis="I", summary='Get bill details'),
    Operation("PUT", "/v3/bills/{billId}", "bills", "replace", WRITE, BODY, 'Bill', token_basis="I", summary='Replace a bill'),
    Operation("PATCH", "/v3/bills/{billId}", "bills", "update", WRITE, BODY, 'Bill', token_basis="I", summary='Update a bill'),
    Operation("POST", "/v3/bills/{billId}/archive", "bills", "archive", WRITE, NO_BODY, 'Bill', token_basis="I", summary='Archive a bill'),
    Operation("POST", "/v3/bills/{billId}/restore", "bills", "restore", WRITE, NO_BODY, 'Bill', token_basis="I", summary='Restore an archived bill'),
    Operation("POST", "/v3/bill-approvals/actions", "bill_approvals", "approve_or_deny", WRITE, BODY, None, token_rule=APPROVE_DENY, token_basis="I", summary='Approve or deny a bill'),
    Operation("GET", "/v3/bill-approvals/pending-user-approvals", "bill_approvals", "list_pending", READ, GET, None, result_key='bills', token_basis="I", summary='Get list of bills pending approval'),
    Operation("GET", "/v3/bill-approvals/policies", "bill_approvals", "list_policies", READ, GET, None, token_basis="I", summary='Get list of bill approval policies'),
    Operation("POST", "/v3/bill-approvals/policies", "bill_approvals", "create_policy", WRITE, BODY, None, token_basis="I", summary='Create a bill approval policy'),
    Operation("PUT", "/v3/bill-approvals/policies/{policyId}", "bill_approvals", "replace_policy", WRITE, BODY, None, token_basis="I", summary='Update a bill approval policy'),
    Operation("DELETE", "/v3/bill-approvals/policies/{policyId}", "bill_approvals", "delete_policy", WRITE, NO_BODY, None, token_basis="I", summary='Delete a bill approval policy'),
    Operation("GET", "/v3/classifications/accounting-classes", "accounting_classes", "list", READ, LIST, 'AccountingClass', result_key='results', token_basis="I", summary='Get list of accounting classes'),
    Operation("POST", "/v3/classifications/accounting-classes", "accounting_classes", "create", WRITE, BODY, 'AccountingClass', token_basis="I", summary='Create an accounting class'),
    Operation("POST", "/v3/classifications/accounting-classes/bulk", "accounting_classes", "bulk_create", WRITE, BULK, 'AccountingClass', bulk_limit=50, result_key='accountingClasses', token_basis="I", summary='Create multiple accounting classes'),
    Operation("PATCH", "/v3/classifications/accounting-classes/bulk", "accounting_classes", "bulk_update", WRITE, BULK, 'AccountingClass', bulk_limit=50, result_key='accountingClasses', token_basis="I", summary='Update multiple accounting classes'),
    Operation("POST", "/v3/classifications/accounting-classes/bulk/archive", "accounting_classes", "bulk_archive", WRITE, BULK_IDS, 'AccountingClass', result_key='accountingClasses', token_basis="I", summary='Archive multiple accounting classes'),
    Operation("POST", "/v3/classifications/accounting-classes/bulk/restore", "accounting_classes", "bulk_restore", WRITE, BULK_IDS, 'AccountingClass', result_key='accountingClasses', token_basis="I", summary='Restore multiple accounting classes'),
    Operation("GET", "/v3/classifications/accounting-classes/{id}", "accounting_classes", "get", READ, GET, 'AccountingClass', token_basis="I", summary='Get accounting class details'),
    Operation("PATCH", "/v3/classifications/accounting-classes/{id}", "accounting_classes", "update", WRITE, BODY, 'AccountingClass', token_basis="I", summary='Update an accounting class'),
    Operation("POST", "/v3/classifications/accounting-classes/{id}/archive", "accounting_classes", "archive", WRITE, NO_BODY, 'AccountingClass', token_basis="I", summary='Archive an accounting class'),
    Operation("POST", "/v3/classifications/accounting-classes/{id}/restore", "accounting_classes", "restore", WRITE, NO_BODY, 'AccountingClass', token_basis="I", summary='Restore an archived accounting class'),
    Operation("GET", "/v3/classifications/chart-of-accounts", "chart_of_accounts", "list", READ, LIST, 'ChartOfAccount', result_key='results', token_basis="I", summary='Get list of chart of accounts'),
    Operation("POST", "/v3/classifications/chart-of-accounts", "chart_of_accounts", "create", WRITE, BODY, 'ChartOfAccount', token_basis="I", summary='Create a chart of accounts'),
    Operation("POST", "/v3/classifications/chart-of-accounts/bulk", "chart_of_accounts", "bulk_create", WRITE, BULK, 'ChartOfAccount', bulk_limit=50, result_key='chartOfAccounts', token_basis="I", summary='Create multiple chart of accounts'),
    Operation("PATCH", "/v3/classifications/chart-of-accounts/bulk", "chart_of_accounts", "bulk_update", WRITE, BULK, 'ChartOfAccount', bulk_limit=50, result_key='chartOfAccounts', token_basis="I", summary='Update multiple chart of accounts'),
    Operation("POST", "/v3/classifications/chart-of-accounts/bulk/archive", "chart_of_accounts", "bulk_archive", WRITE, BULK_IDS, 'ChartOfAccount', result_key='chartOfAccounts', token_basis="I", summary='Archive multiple chart of accounts'),
    Operation("POST", "/v3/classifications/chart-of-accounts/bulk/restore", "chart_of_accounts", "bulk_restore", WRITE, BULK_IDS, 'ChartOfAccount', result_key='chartOfAccounts', token_basis="I", summary='Restore multiple chart of accounts'),
    Operation("GET", "/v3/classifications/chart-of-accounts/{id}", "chart_of_accounts", "get", READ, GET, 'ChartOfAccount', token_basis="I", summary='Get chart of accounts details'),
    Operation("PATCH", "/v3/classifications/chart-of-accounts/{id}", "chart_of_accounts", "update", WRITE, BODY, 'ChartOfAccount', token_basis="I", summary='Update a chart of accounts'),
    Operation("POST", "/v3/classifications/chart-of-accounts/{id}/archive", "chart_of_accounts", "archive", WRITE, NO_BODY, 'ChartOfAccount', token_basis="I", summary='Archive a chart of accounts'),
    Operation("POST", "/v3/classifications/chart-of-accounts/{id}/restore", "chart_of_accounts", "restore", WRITE, NO_BODY, 'ChartOfAccount', token_basis="I", summary='Restore an archived chart of accounts'),
    Operation("GET", "/v3/classifications/departments", "departments", "list", READ, LIST, 'Department', result_key='results', token_basis="I", summary='Get list of departments'),
    Operation("POST", "/v3/classifications/departments", "departments", "create", WRITE, BODY, 'Department', token_basis="I", summary='Create a department'),
    Operation("POST", "/v3/classifications/departments/bulk", "departments", "bulk_create", WRITE, BULK, 'Department', bulk_limit=50, result_key='departments', token_basis="I", summary='Create multiple departments'),
    Operation("PATCH", "/v3/classifications/departments/bulk", "departments", "bulk_update", WRITE, BULK, 'Department', bulk_limit=50, result_key='departments', token_basis="I", summary='Update multiple departments'),
    Operation("POST", "/v3/classifications/departments/bulk/archive", "departments", "bulk_archive", WRITE, BULK_IDS, 'Department', result_key='departments', token_basis="I", summary='Archive multiple departments'),
    Operation("POST", "/v3/classifications/departments/bulk/restore", "departments", "bulk_restore", WRITE, BULK_IDS, 'Department', result_key='departments', token_basis="I", summary='Restore multiple departments'),
    Operation("GET", "/v3/classifications/departments/{id}", "departments", "get", READ, GET, 'Department', token_basis="I", summary='Get department details'),
    Operation("PATCH", "/v3/classifications/departments/{id}", "departments", "update", WRITE, BODY, 'Department', token_basis="I", summary='Update a department'),
    Operation("POST", "/v3/classifications/departments/{id}/archive", "departments", "archive", WRITE, NO_BODY, 'Department', token_basis="I", summary='Archive a department'),
    Operation("POST", "/v3/classifications/departments/{id}/restore", "departments", "restore", WRITE, NO_BODY, 'Department', token_basis="I", summary='Restore an archived department'),
    Operation("GET", "/v3/classifications/employees", "employees", "list", READ, LIST, 'Employee', result_key='results', token_basis="I", summary='Get list of employees'),
    Operation("POST", "/v3/classifications/employees", "employees", "create", WRITE, BODY, 'Employee', token_basis="I", summary='Create an employee'),
    Operation("POST", "/v3/classifications/employees/bulk", "employees", "bulk_create", WRITE, BULK, 'Employee', bulk_limit=50, result_key='employees', token_basis="I", summary='Create multiple employees'),
    Operation("PATCH", "/v3/classifications/employees/bulk", "employees", "bulk_update", WRITE, BULK, 'Employee', bulk_limit=50, result_key='employees', token_basis="I", summary='Update multiple employees'),
    Operation("POST", "/v3/classifications/employees/bulk/archive", "employees", "bulk_archive", WRITE, BULK_IDS, 'Employee', result_key='employees', token_basis="I", summary='Archive multiple employees'),
    Operation("POST", "/v3/classifications/employees/bulk/restore", "employees", "bulk_restore", WRITE, BULK_IDS, 'Employee', result_key='employees', token_basis="I", summary='Restore multiple employees'),
    Operation("GET", "/v3/classifications/employees/{id}", "employees", "get", READ, GET, 'Employee', token_basis="I", summary='Get employee details'),
    Operation("PATCH", "/v3/classifications/employees/{id}", "employees", "update", WRITE, BODY, 'Employee', token_basis="I", summary='Update an employee'),
    Operation("POST", "/v3/classifications/employees/{id}/archive", "employees", "archive", WRITE, NO_BODY, 'Employee', token_basis="I", summary='Archive an employee'),
    Operation("POST", "/v3/classifications/employees/{id}/restore", "employees", "restore", WRITE, NO_BODY, 'Employee', token_basis="I", summary='Restore an archived employee'),
    Operation("GET", "/v3/classifications/items", "items", "list", READ, LIST, 'Item', result_key='results', token_basis="I", summary='Get list of items'),
    Operation("POST", "/v3/classifications/items", "items", "create", WRITE, BODY, 'Item', token_basis="I", summary='Create an item'),
    Operation("POST", "/v3/classifications/items/bulk", "items", "bulk_create", WRITE, BULK, 'Item', bulk_limit=50, result_key='items', token_basis="I", summary='Create multiple items'),
    Operation("PATCH", "/v3/classifications/items/bulk", "items", "bulk_update", WRITE, BULK, 'Item', bulk_limit=50, result_key='items', token_basis="I", summary='Update multiple items'),
    Operation("POST", "/v3/classifications/items/bulk/archive", "items", "bulk_archive", WRITE, BULK_IDS, 'Item', result_key='items', token_basis="I", summary='Archive multiple items'),
    Operation("POST", "/v3/classifications/items/bulk/restore", "items", "bulk_restore", WRITE, BULK_IDS, 'Item', result_key='items', token_basis="I", summary='Restore multiple items'),
    Operation("GET", "/v3/classifications/items/{id}", "items", "get", READ, GET, 'Item', token_basis="I", summary='Get item details'),
    Operation("PATCH", "/v3/classifications/items/{id}", "items", "update", WRITE, BODY, 'Item', token_basis="I", summary='Update an item'),
    Operation("POST", "/v3/classifications/items/{id}/archive", "items", "archive", WRITE, NO_BODY, 'Item', token_basis="I", summary='Archive an item'),
    Operation("POST", "/v3/classifications/items/{id}/restore", "items", "restore", WRITE, NO_BODY, 'Item', token_basis="I", summary='Restore an archived item'),
    Operation("GET", "/v3/classifications/jobs", "jobs", "list", READ, LIST, 'Job', result_key='results', token_basis="I", summary='Get list of jobs'),
    Operation("POST", "/v3/classifications/jobs", "jobs", "create", WRITE, BODY, 'Job', token_basis="I", summary='Create a job'),
    Operation("POST", "/v3/classifications/jobs/bulk", "jobs", "bulk_create", WRITE, BULK, 'Job', bulk_limit=50, result_key='jobs', token_basis="I", summary='Create multiple jobs'),
    Operation("PATCH", "/v3/classifications/jobs/bulk", "jobs", "bulk_update", WRITE, BULK, 'Job', bulk_limit=50, result_key='jobs', token_basis="I", summary='Update multiple jobs'),
    Operation("POST", "/v3/classifications/jobs/bulk/archive", "jobs", "bulk_archive", WRITE, BULK_IDS, 'Job', result_key='jobs', token_basis="I", summary='Archive multiple jobs'),
    Operation("POST", "/v3/classifications/jobs/bulk/restore", "jobs", "bulk_restore", WRITE, BULK_IDS, 'Job', result_key='jobs', token_basis="I", summary='Restore multiple jobs'),
    Operation("GET", "/v3/classifications/jobs/{id}", "jobs", "get", READ, GET, 'Job', token_basis="I", summary='Get job details'),
    Operation("PATCH", "/v3/classifications/jobs/{id}", "jobs", "update", WRITE, BODY, 'Job', token_basis="I", summary='Update a job'),
    Operation("POST", "/v3/classifications/jobs/{id}/archive", "jobs", "archive", WRITE, NO_BODY, 'Job', token_basis="I", summary='Archive a job'),
    Operation("POST", "/v3/classifications/jobs/{id}/restore", "jobs", "restore", WRITE, NO_BODY, 'Job', token_basis="I", summary='Restore an archived job'),
    Operation("GET", "/v3/classifications/locations", "locations", "list", READ, LIST, 'Location', result_key='results', token_basis="I", summary='Get list of locations'),
    Operation("POST", "/v3/classifications/locations", "locations", "create", WRITE, BODY, 'Location', token_basis="I", summary='Create a location'),
    Operation("POST", "/v3/classifications/locations/bulk", "locations", "bulk_create", WRITE, BULK, 'Location', bulk_limit=50, result_key='locations', token_basis="I", summary='Create multiple locations'),
    Operation("PATCH", "/v3/classifications/locations/bulk", "locations", "bulk_update", WRITE, BULK, 'Location', bulk_limit=50, result_key='locations', token_basis="I", summary='Update multiple locations'),
    Operation("POST", "/v3/classifications/locations/bulk/archive", "locations", "bulk_archive", WRITE, BULK_IDS, 'Location', result_key='locations', token_basis="I", summary='Archive multiple locations'),
    Operation("POST", "/v3/classifications/locations/bulk/restore", "locations", "bulk_restore", WRITE, BULK_IDS, 'Location', result_key='locations', token_basis="I", summary='Restore multiple locations'),
    Operation("GET", "/v3/classifications/locations/{id}", "locations", "get", READ, GET, 'Location', token_basis="I", summary='Get location details'),
    Operation("PATCH", "/v3/classifications/locations/{id}", "locations", "update", WRITE, BODY, 'Location', token_basis="I", summary='Update a location'),
    Operation("POST", "/v3/classifications/locations/{id}/archive", "locations", "archive", WRITE, NO_BODY, 'Location', token_basis="I", summary='Archive a location'),
    Operation("POST", "/v3/classifications/locations/{id}/restore", "locations", "restore", WRITE, NO_BODY, 'Location', token_basis="I", summary='Restore an archived location'),
    Operation("GET", "/v3/payments", "payments", "list", READ, LIST, 'Payment', result_key='results', token_basis="I", summary='Get list of payments'),
    Operation("POST", "/v3/payments", "payments", "create", WRITE, BODY, 'Payment', needs_mfa=True, token_rule=PAYING, token_basis="C", summary='Create a payment'),
    Operation("POST", "/v3/payments/bulk", "payments", "create_bulk", WRITE, BODY, None, needs_mfa=True, bulk_limit=50, result_key='payments', token_rule=PAYING, token_basis="C", summary='Create a bulk payment'),
    Operation("GET", "/v3/payments/exchange-rate", "payments", "get_exchange_rate", READ, GET, None, query=('vendorId', 'amount', 'baseCurrency'), token_basis="I", summary='Get BILL foreign exchange rate'),
    Operation("POST", "/v3/payments/exchange-rate", "payments", "get_exchange_rates", READ, BODY, None, token_basis="I", summary='Get BILL exchange rates for multiple vendors'),
    Operation("POST", "/v3/payments/mass", "payments", "create_mass", WRITE, BODY, None, needs_mfa=True, token_rule=PAYING, token_basis="C", summary='Create a mass payment (up to 2000 bills, async)'),
    Operation("GET", "/v3/payments/mass/{paymentBatchId}", "payments", "get_mass", READ, GET, None, token_basis="I", summary='Get mass payment status'),
    Operation("GET", "/v3/payments/options", "payments", "get_options", READ, GET, None, query=('vendorId', 'amount'), token_basis="I", summary='Get list of vendor payment options'),
    Operation("GET", "/v3/payments/{paymentId}", "payments", "get", READ, GET, 'Payment', token_basis="I", summary='Get payment details'),
    Operation("POST", "/v3/payments/{paymentId}/cancel", "payments", "cancel", WRITE, NO_BODY, 'Payment', token_rule=CANCEL_VOID, token_basis="I", summary='Cancel a payment'),
    Operation("GET", "/v3/payments/{paymentId}/check-image", "payments", "get_check_image", READ, GET, None, result_key='results', token_basis="I", summary='Get check image data'),
    Operation("POST", "/v3/payments/{paymentId}/void", "payments", "void", WRITE, BODY, 'Payment', token_rule=CANCEL_VOID, token_basis="I", summary='Void a payment'),
    Operation("GET", "/v3/recurringbills", "recurring_bills", "list", READ, LIST, 'RecurringBill', result_key='results', token_basis="I", summary='Get list of recurring bills'),
    Operation("POST", "/v3/recurringbills", "recurring_bills", "create", WRITE, BODY, 'RecurringBill', mfa_when='autoPayment.enabled', token_basis="I", summary='Create a recurring bill'),
    Operation("GET", "/v3/recurringbills/{recurringBillId}", "recurring_bills", "get", READ, GET, 'RecurringBill', token_basis="I", summary='Get recurring bill details'),
    Operation("PUT", "/v3/recurringbills/{recurringBillId}", "recurring_bills", "replace", WRITE, BODY, 'RecurringBill', mfa_when='autoPayment.enabled', token_basis="I", summary='Replace a recurring bill'),
    Operation("PATCH", "/v3/recurringbills/{recurringBillId}", "recurring_bills", "update", WRITE, BODY, 'RecurringBill', mfa_when='autoPayment.enabled', token_basis="I", summary='Update a recurring bill'),
    Operation("POST", "/v3/recurringbills/{recurringBillId}/archive", "recurring_bills", "archive", WRITE, NO_BODY, 'RecurringBill', token_basis="I", summary='Archive a recurring bill'),
    Operation("POST", "/v3/recurringbills/{recurringBillId}/restore", "recurring_bills", "restore", WRITE, NO_BODY, 'RecurringBill', token_basis="I", summary='Restore an archived recurring bill'),
    Operation("GET", "/v3/vendor-credits", "vendor_credits", "list", READ, LIST, 'VendorCredit', result_key='results', token_basis="I", summary='Get list of vendor credits'),
    Operation("POST", "/v3/vendor-credits", "vendor_credits", "create", WRITE, BODY, 'VendorCredit', token_basis="I", summary='Create a vendor credit'),
    Operation("POST", "/v3/vendor-credits/bulk", "vendor_credits", "bulk_create", WRITE, BULK, 'VendorCredit', bulk_limit=50, result_key='vendorCredits', token_basis="I", summary='Create multiple vendor credits'),
    Operation("PUT", "/v3/vendor-credits/bulk", "vendor_credits", "bulk_replace", WRITE, BULK, 'VendorCredit', bulk_limit=50, result_key='vendorCredits', token_basis="I", summary='Replace multiple vendor credits'),
    Operation("PATCH", "/v3/vendor-credits/bulk", "vendor_credits", "bulk_update", WRITE, BULK, 'VendorCredit', bulk_limit=50, result_key='vendorCredits', token_basis="I", summary='Update multiple vendor credits'),
    Operation("POST", "/v3/vendor-credits/bulk/archive", "vendor_credits", "bulk_archive", WRITE, BULK_IDS, 'VendorCredit', result_key='vendorCredits', token_basis="I", summary='Archive multiple vendor credits'),
    Operation("GET", "/v3/vendor-credits/{vendorCreditId}", "vendor_credits", "get", READ, GET, 'VendorCredit', token_basis="I", summary='Get vendor credit details'),
    Operation("PUT", "/v3/vendor-credits/{vendorCreditId}", "vendor_credits", "replace", WRITE, BODY, 'VendorCredit', token_basis="I", summary='Replace a vendor credit'),
    Operation("PATCH", "/v3/vendor-credits/{vendorCreditId}", "vendor_credits", "update", WRITE, BODY, 'VendorCredit', token_basis="I", summary='Update a vendor credit'),
    Operation("POST", "/v3/vendor-credits/{vendorCreditId}/archive", "vendor_credits", "archive", WRITE, NO_BODY, 'VendorCredit', token_basis="I", summary='Archive a vendor credit'),
    Operation("GET", "/v3/customers", "customers", "list", READ, LIST, 'Customer', result_key='results', token_basis="I", summary='Get list of customers'),
    Operation("POST", "/v3/customers", "customers", "create", WRITE, BODY, 'Customer', token_basis="I", summary='Create a customer'),
    Operation("GET", "/v3/customers/{customerId}", "customers", "get", READ, GET, 'Customer', token_basis="I", summary='Get customer details'),
    Operation("PATCH", "/v3/customers/{customerId}", "customers", "update", WRITE, BODY, 'Customer', token_basis="I", summary='Update a customer'),
    Operation("POST", "/v3/customers/{customerId}/archive", "customers", "archive", WRITE, NO_BODY, 'Customer', token_basis="I", summary='Archive a customer'),
    Operation("GET", "/v3/customers/{customerId}/bank-accounts", "customers", "list_bank_accounts", READ, LIST, None, result_key='results', token_basis="I", summary='Get list of customer bank accounts'),
    Operation("POST", "/v3/customers/{customerId}/bank-accounts", "customers", "create_bank_account", WRITE, BODY, None, token_basis="I", summary='Create a customer bank account'),
    Operation("GET", "/v3/customers/{customerId}/bank-accounts/{bankAccountId}", "customers", "get_bank_account", READ, GET, None, token_basis="I", summary='Get customer bank account details'),
    Operation("PATCH", "/v3/customers/{customerId}/bank-accounts/{bankAccountId}", "customers", "update_bank_account", WRITE, BODY, None, token_basis="I", summary='Update a customer bank account'),
    Operation("POST", "/v3/customers/{customerId}/bank-accounts/{bankAccountId}/archive", "customers", "archive_bank_account", WRITE, NO_BODY, None, token_basis="I", summary='Archive a customer bank account'),
    Operation("POST", "/v3/customers/{customerId}/charge-authorization", "customers", "set_charge_authorization", WRITE, BODY, None, token_basis="I", summary='Set charge customer authorization'),
    Operation("POST", "/v3/customers/{customerId}/restore", "customers", "restore", WRITE, NO_BODY, 'Customer', token_basis="I", summary='Restore an archived customer'),
    Operation("GET", "/v3/customers/{customerId}/contacts", "customer_contacts", "list", READ, LIST, 'CustomerContact', result_key='results', token_basis="I", summary='Get list of customer contacts'),
    Operation("POST", "/v3/customers/{customerId}/contacts", "customer_contacts", "create", WRITE, BODY, 'CustomerContact', token_basis="I", summary='Create a customer contact'),
    Operation("GET", "/v3/customers/{customerId}/contacts/{contactId}", "customer_contacts", "get", READ, GET, 'CustomerContact', token_basis="I", summary='Get customer contact details'),
    Operation("PATCH", "/v3/customers/{customerId}/contacts/{contactId}", "customer_contacts", "update", WRITE, BODY, 'CustomerContact', token_basis="I", summary='Update a customer contact'),
    Operation("POST", "/v3/customers/{customerId}/contacts/{contactId}/archive", "customer_contacts", "archive", WRITE, NO_BODY, 'CustomerContact', token_basis="I", summary='Archive a customer contact'),
    Operation("POST", "/v3/customers/{customerId}/contacts/{contactId}/restore", "customer_contacts", "restore", WRITE, NO_BODY, 'CustomerContact', token_basis="I", summary='Restore an archived customer contact'),
    Operation("GET", "/v3/invoices", "invoices", "list", READ, LIST, 'Invoice', result_key='results', token_basis="I", summary='Get list of invoices'),
    Operation("POST", "/v3/invoices", "invoices", "create", WRITE, BODY, 'Invoice', token_basis="I", summary='Create an invoice'),
    Operation("POST", "/v3/invoices/record-payment", "invoices", "record_payment", WRITE, BODY, 'ReceivablePayment', token_basis="I", summary='Record AR payment'),
    Operation("GET", "/v3/invoices/{invoiceId}", "invoices", "get", READ, GET, 'Invoice', token_basis="I", summary='Get invoice details'),
    Operation("PUT", "/v3/invoices/{invoiceId}", "invoices", "replace", WRITE, BODY, 'Invoice', token_basis="I", summary='Replace an invoice'),
    Operation("PATCH", "/v3/invoices/{invoiceId}", "invoices", "update", WRITE, BODY, 'Invoice', token_basis="I", summary='Update an invoice'),
    Operation("POST", "/v3/invoices/{invoiceId}/archive", "invoices", "archive", WRITE, NO_BODY, 'Invoice', token_basis="I", summary='Archive an invoice'),
    Operation("POST", "/v3/invoices/{invoiceId}/email", "invoices", "email", WRITE, BODY, None, sends_message=True, token_rule=SEND_INVOICE, token_basis="I", summary='Send an invoice'),
    Operation("POST", "/v3/invoices/{invoiceId}/payment-link", "invoices", "create_payment_link", WRITE, BODY, None, token_basis="I", summary='Get invoice payment link'),
    Operation("POST", "/v3/invoices/{invoiceId}/restore", "invoices", "restore", WRITE, NO_BODY, 'Invoice', token_basis="I", summary='Restore an archived invoice'),
    Operation("GET", "/v3/receivable-payments", "receivable_payments", "list", READ, LIST, 'ReceivablePayment', result_key='results', token_basis="I", summary='Get list of received payments'),
    Operation("POST", "/v3/receivable-payments", "receivable_payments", "create", WRITE, BODY, 'ReceivablePayment', token_rule=CHARGE, token_basis="I", summary='Charge a customer'),
    Operation("GET", "/v3/receivable-payments/{receivedPaymentId}", "receivable_payments", "get", READ, GET, 'ReceivablePayment', token_basis="I", summary='Get received payment details'),
    Operation("GET", "/v3/credit-memos", "credit_memos", "list", READ, LIST, 'CreditMemo', result_key='results', token_basis="I", summary='Get list of credit memos'),
    Operation("POST", "/v3/credit-memos", "credit_memos", "create", WRITE, BODY, 'CreditMemo', token_basis="I", summary='Create a credit memo'),
    Operation("POST", "/v3/credit-memos/bulk", "credit_memos", "bulk_create", WRITE, BULK, 'CreditMemo', bulk_limit=50, result_key='creditMemos', token_basis="I", summary='Create multiple credit memos'),
    Operation("PUT", "/v3/credit-memos/bulk", "credit_memos", "bulk_replace", WRITE, BULK, 'CreditMemo', bulk_limit=50, result_key='creditMemos', token_basis="I", summary='Replace multiple credit memos'),
    Operation("PATCH", "/v3/credit-memos/bulk", "credit_memos", "bulk_update", WRITE, BULK, 'CreditMemo', bulk_limit=50, result_key='creditMemos', token_basis="I", summary='Update multiple credit memos'),
    Operation("POST", "/v3/credit-memos/bulk/archive", "credit_memos", "bulk_archive", WRITE, BULK_IDS, 'CreditMemo', result_key='creditMemos', token_basis="I", summary='Archive multiple credit memos'),
    Operation("POST", "/v3/credit-memos/bulk/restore", "credit_memos", "bulk_restore", WRITE, BULK_IDS, 'CreditMemo', result_key='creditMemos', token_basis="I", summary='Restore multiple credit memos'),
    Operation("GET", "/v3/credit-memos/{creditMemoId}", "credit_memos", "get", READ, GET, 'CreditMemo', token_basis="I", summary='Get credit memo details'),
    Operation("PUT", "/v3/credit-memos/{creditMemoId}", "credit_memos", "replace", WRITE, BODY, 'CreditMemo', token_basis="I", summary='Replace a credit memo'),
    Operation("PATCH", "/v3/credit-memos/{creditMemoId}", "credit_memos", "update", WRITE, BODY, 'CreditMemo', token_basis="I", summary='Update a credit memo'),
    Operation("POST", "/v3/credit-memos/{creditMemoId}/archive", "credit_memos", "archive", WRITE, NO_BODY, 'CreditMemo', token_basis="I", summary='Archive a credit memo'),
    Operation("POST", "/v3/credit-memos/{creditMemoId}/restore", "credit_memos", "restore", WRITE, NO_BODY, 'CreditMemo', token_basis="I", summary='Restore a credit memo'),
    Operation("GET", "/v3/recurring-invoices", "recurring_invoices", "list", READ, LIST, 'RecurringInvoice', result_key='results', token_basis="I", summary='Get list of recurring invoices'),
    Operation("POST", "/v3/recurring-invoices", "recurring_invoices", "create", WRITE, BODY, 'RecurringInvoice', token_basis="I", summary='Create a recurring invoice'),
    Operation("GET", "/v3/recurring-invoices/{recurringInvoiceId}", "recurring_invoices", "get", READ, GET, 'RecurringInvoice', token_basis="I", summary='Get recurring invoice details'),
    Operation("PUT", "/v3/recurring-invoices/{recurringInvoiceId}", "recurring_invoices", "replace", WRITE, BODY, 'RecurringInvoice', token_basis="I", summary='Replace a recurring invoice'),
    Operation("PATCH", "/v3/recurring-invoices/{recurringInvoiceId}", "recurring_invoices", "update", WRITE, BODY, 'RecurringInvoice', token_basis="I", summary='Update a recurring invoice'),
    Operation("POST", "/v3/recurring-invoices/{recurringInvoiceId}/archive", "recurring_invoices", "archive", WRITE, NO_BODY, 'RecurringInvoice', token_basis="I", summary='Archive a recurring invoice'),
    Operation("POST", "/v3/recurring-invoices/{recurringInvoiceId}/restore", "recurring_invoices", "restore", WRITE, NO_BODY, 'RecurringInvoice', token_basis="I", summary='Restore a recurring invoice'),
    Operation("GET", "/v3/attachments/customers/{customerId}", "attachments", "list_for_customer", READ, LIST, 'Attachment', result_key='results', token_basis="I", summary='Get list of customer attachments'),
    Operation("POST", "/v3/attachments/customers/{customerId}", "attachments", "upload_for_customer", WRITE, UPLOAD, 'Attachment', token_basis="I", summary='Upload customer attachment'),
    Operation("GET", "/v3/attachments/invoices/{invoiceId}", "attachments", "list_for_invoice", READ, LIST, 'Attachment', result_key='results', token_basis="I", summary='Get list of invoice attachments'),
    Operation("POST", "/v3/attachments/invoices/{invoiceId}", "attachments", "upload_for_invoice", WRITE, UPLOAD, 'Attachment', query=('replaceInvoicePdf',), token_basis="I", summary='Upload invoice attachment'),
    Operation("GET", "/v3/attachments/vendors/{vendorId}", "attachments", "list_for_vendor", READ, LIST, 'Attachment', result_key='results', token_basis="I", summary='Get list of vendor attachments'),
    Operation("POST", "/v3/attachments/vendors/{vendorId}", "attachments", "upload_for_vendor", WRITE, UPLOAD, 'Attachment', token_basis="I", summary='Upload vendor attachment'),
    Operation("GET", "/v3/attachments/{attachmentId}", "attachments", "get", READ, GET, 'Attachment', token_basis="I", summary='Get attachment details'),
    Operation("DELETE", "/v3/attachments/{attachmentId}", "attachments", "delete", WRITE, NO_BODY, 'Attachment', token_basis="I", summary='Delete an attachment'),
    Operation("GET", "/v3/documents/bills/{billId}", "documents", "list_for_bill", READ, LIST, 'Document', result_key='results', token_basis="I", summary='Get list of documents'),
    Operation("POST", "/v3/documents/bills/{billId}", "documents", "upload_for_bill", WRITE, UPLOAD, 'Document', token_basis="I", summary='Upload bill document'),
    Operation("GET", "/v3/documents/upload-status", "documents", "get_upload_status", READ, GET, None, token_basis="I", summary='Get document upload status'),
    Operation("GET", "/v3/documents/{documentId}", "documents", "get", READ, GET, 'Document', token_basis="I", summary='Get document details'),
    Operation("GET", "/v3/funding-accounts/ap-cards", "funding_accounts", "list_ap_cards", READ, GET, None, token_basis="I", summary='Get list of AP Cards'),
    Operation("GET", "/v3/funding-accounts/banks", "funding_accounts", "list_bank_accounts", READ, LIST, None, result_key='results', token_basis="I", summary='Get list of bank accounts'),
    Operation("POST", "/v3/funding-accounts/banks", "funding_accounts", "create_bank_account", WRITE, BODY, None, needs_mfa=True, token_rule=PAYING, token_basis="C", summary='Create a bank account'),
    Operation("GET", "/v3/funding-accounts/banks/users", "funding_accounts", "list_bank_account_users", READ, LIST, None, result_key='results', query=('currentUser',), token_basis="I", summary='Get list of bank account users'),
    Operation("POST", "/v3/funding-accounts/banks/users/nominate", "funding_accounts", "nominate_bank_account_user", WRITE, BODY, None, token_basis="I", summary='Nominate a bank account user'),
    Operation("POST", "/v3/funding-accounts/banks/users/{bankAccountUserId}/archive", "funding_accounts", "archive_bank_account_user", WRITE, NO_BODY, None, token_basis="I", summary='Archive a bank account user'),
    Operation("GET", "/v3/funding-accounts/banks/{bankAccountId}", "funding_accounts", "get_bank_account", READ, GET, None, token_basis="I", summary='Get bank account details'),
    Operation("PATCH", "/v3/funding-accounts/banks/{bankAccountId}", "funding_accounts", "update_bank_account", WRITE, BODY, None, token_basis="I", summary='Update a bank account'),
    Operation("POST", "/v3/funding-accounts/banks/{bankAccountId}/archive", "funding_accounts", "archive_bank_account", WRITE, NO_BODY, None, token_basis="I", summary='Archive a bank account'),
    Operation("POST", "/v3/funding-accounts/banks/{bankAccountId}/verify", "funding_accounts", "verify_bank_account", WRITE, BODY, None, token_basis="I", summary='Verify a bank account'),
    Operation("GET", "/v3/funding-accounts/cards", "funding_accounts", "list_card_accounts", READ, GET, None, query=('cardUserStatus',), token_basis="I", summary='Get list of card accounts'),
    Operation("GET", "/v3/funding-accounts/cards/funding-purposes", "funding_accounts", "get_card_funding_purposes", READ, GET, None, query=('vendorId', 'brand'), token_basis="I", summary='Get card funding purpose'),
    Operation("GET", "/v3/funding-accounts/cards/users", "funding_accounts", "list_card_account_users", READ, LIST, None, result_key='results', query=('currentUser',), token_basis="I", summary='Get list of card account users'),
    Operation("GET", "/v3/funding-accounts/cards/{cardAccountId}", "funding_accounts", "get_card_account", READ, GET, None, token_basis="I", summary='Get card account details'),
    Operation("GET", "/v3/funding-accounts/permissions", "funding_accounts", "get_permissions", READ, GET, None, token_basis="I", summary='Get funding account permissions'),
    Operation("GET", "/v3/network", "network", "search", READ, GET, None, result_key='results', query=('scope', 'zipOrPostalCode', 'accountNumber'), token_basis="I", summary='Search for an organization in the BILL Network'),
    Operation("POST", "/v3/network/invitation/accept", "network", "accept_invitation", WRITE, BODY, None, token_basis="I", summary='Accept connection request'),
    Operation("GET", "/v3/network/invitation/customer/{customerId}", "network", "get_customer_invitation", READ, GET, None, token_basis="I", summary='Get customer connection request status'),
    Operation("POST", "/v3/network/invitation/customer/{customerId}", "network", "invite_customer", WRITE, BODY, None, sends_message=True, token_basis="I", summary='Send connection request to a customer'),
    Operation("DELETE", "/v3/network/invitation/customer/{customerId}", "network", "disconnect_customer", WRITE, NO_BODY, None, token_basis="I", summary='Delete customer connection'),
    Operation("GET", "/v3/network/invitation/vendor/{vendorId}", "network", "get_vendor_invitation", READ, GET, None, token_basis="I", summary='Get vendor connection request status'),
    Operation("POST", "/v3/network/invitation/vendor/{vendorId}", "network", "invite_vendor", WRITE, BODY, None, sends_message=True, token_basis="I", summary='Send connection request to a vendor'),
    Operation("DELETE", "/v3/network/invitation/vendor/{vendorId}", "network", "disconnect_vendor", WRITE, NO_BODY, None, token_basis="I", summary='Delete vendor connection'),
    Operation("POST", "/v3/network/invitation/vendor/{vendorId}/email", "network", "invite_vendor_by_email", WRITE, BODY, None, sends_message=True, token_basis="I", summary='Send connection request to a vendor not in the BILL Network'),
    Operation("GET", "/v3/reports/audit-trail/vendor/{vendorId}", "reports", "get_vendor_audit_trail", READ, GET, None, query=('includeArchived', 'start'), token_basis="I", summary='Get audit trail details for a vendor'),
    Operation("GET", "/v3/events/catalog", "webhooks", "get_event_catalog", READ, GET, None, host="connect-events", token_basis="I", summary='Get events catalog'),
    Operation("GET", "/v3/events/subscription/{subscriptionId}", "webhooks", "list_events", READ, LIST, None, result_key='results', host="connect-events", query=('entityId',), token_basis="I", summary='Get list of event notifications'),
    Operation("POST", "/v3/events/subscription/{subscriptionId}/event/{eventId}", "webhooks", "resend_event", WRITE, BODY, None, host="connect-events", token_basis="I", summary='Resend an event'),
    Operation("GET", "/v3/subscriptions", "webhooks", "list_subscriptions", READ, LIST, None, result_key='results', host="connect-events", token_basis="I", summary='Get list of subscriptions'),
    Operation("POST", "/v3/subscriptions", "webhooks", "create_subscription", WRITE, BODY, None, host="connect-events", idempotency_key=True, token_basis="I", summary='Create a subscription'),
    Operation("GET", "/v3/subscriptions/{subscriptionId}", "webhooks", "get_subscription", READ, GET, None, host="connect-events", token_basis="I", summary='Get subscription details'),
    Operation("PUT", "/v3/subscriptions/{subscriptionId}", "webhooks", "replace_subscription", WRITE, BODY, None, host="connect-events", token_basis="I", summary='Replace a subscription'),
    Operation("PATCH", "/v3/subscriptions/{subscriptionId}", "webhooks", "update_subscription", WRITE, BODY, None, host="connect-events", token_basis="I", summary='Update a subscription'),
    Operation("DELETE", "/v3/subscriptions/{subscriptionId}", "webhooks", "delete_subscription", WRITE, NO_BODY, None, host="connect-events", token_basis="I", summary='Delete a subscription'),
    Operation("POST", "/v3/subscriptions/{subscriptionId}/security_key", "webhooks", "rotate_security_key", WRITE, BODY, None, host="connect-events", idempotency_key=True, token_basis="I", summary='Create a security key'),
    Operation("POST", "/v3/subscriptions/{subscriptionId}/test", "webhooks", "send_test_event", WRITE, BODY, None, host="connect-events", token_basis="I", summary='Generate a test event notification'),
)
# fmt: on

OPERATIONS_BY_KEY: Mapping[tuple[str, str], Operation] = MappingProxyType(
    {(op.http, op.path): op for op in OPERATIONS}
)
