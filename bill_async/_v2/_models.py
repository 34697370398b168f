"""BILL's objects as frozen, slotted attrs models.

Each model declares the fields users reach for (from BILL's real payloads; reference §5.3).
Everything else BILL sends is kept in ``model.extra`` and comes back from ``model.to_wire()``.
How wire values become Python types is decided in one place, ``_convert``.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ._convert import Model, limited, wire_field

__all__ = [
    "AccountType",
    "ActgClass",
    "ActiveRecord",
    "ApprovalPolicy",
    "ApprovalPolicyApprover",
    "ApprovalStatus",
    "BankAccount",
    "BankAccountStatus",
    "Bill",
    "BillCredit",
    "BillLineItem",
    "BillPay",
    "ChartOfAccount",
    "CreditMemo",
    "Customer",
    "CustomerBankAccount",
    "CustomerContact",
    "Department",
    "Employee",
    "Invoice",
    "InvoiceLineItem",
    "InvoicePay",
    "Item",
    "Job",
    "Location",
    "MODELS_BY_ENTITY",
    "MoneyMovement",
    "Organization",
    "PayBy",
    "PaymentStatus",
    "PaymentTerm",
    "PaymentType",
    "Profile",
    "RPConvFee",
    "ReceivedPay",
    "Record",
    "RecurringBill",
    "RecurringInvoice",
    "SentPay",
    "SentPayStatus",
    "User",
    "Vendor",
    "VendorBankAccount",
    "VendorCredit",
]


# -- enumerations (BILL sends them as strings of digits) ------------------------------------------


class ApprovalStatus(enum.StrEnum):
    """A bill's or vendor credit's ``approvalStatus``."""

    UNASSIGNED = "0"
    ASSIGNED = "1"
    APPROVED = "3"
    APPROVING = "4"
    DENIED = "5"


class PaymentStatus(enum.StrEnum):
    """A bill's or invoice's ``paymentStatus``."""

    PAID = "0"
    OPEN = "1"
    PARTIALLY_PAID = "2"
    SCHEDULED = "4"
    PENDING = "5"


class PayBy(enum.StrEnum):
    """How a vendor is paid (``payBy``)."""

    CHECK = "0"
    ACH = "1"
    RPPS = "2"


class AccountType(enum.StrEnum):
    """A vendor's or customer's ``accountType``."""

    NONE = "0"
    BUSINESS = "1"
    PERSON = "2"


class BankAccountStatus(enum.StrEnum):
    """A vendor bank account's ``status``."""

    VERIFIED = "1"
    BLOCKED = "3"
    EXPIRED = "4"
    INVALID = "5"


class SentPayStatus(enum.StrEnum):
    """A sent payment's ``status`` (recorded offline payments show ``PAID``)."""

    SCHEDULED = "1"
    PAID = "2"
    CANCELED = "3"
    VOID = "4"


class PaymentType(enum.StrEnum):
    """A received payment's ``paymentType``."""

    CASH = "0"
    CHECK = "1"
    CREDIT_CARD = "2"
    ACH = "3"
    PAYPAL = "4"
    OTHER = "5"


@attrs.frozen(kw_only=True)
class Record(Model):
    """The fields most of BILL's objects share: the id, and when the object was made and last
    changed."""

    id: str | None = None
    created_time: _dt.datetime | None = None
    updated_time: _dt.datetime | None = None


@attrs.frozen(kw_only=True)
class ActiveRecord(Record):
    """A ``Record`` that BILL deletes by making it inactive (``isActive`` "2"; ``undelete``
    makes it active again)."""

    is_active: bool | None = None


# -- AP -----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Vendor(ActiveRecord):
    """A vendor (``009…``)."""

    ENTITY: ClassVar[str] = "Vendor"

    name: str | None = limited(100)  # BILL: at most 100 characters
    short_name: str | None = None
    name_on_check: str | None = None
    company_name: str | None = None
    acc_number: str | None = None
    tax_id: str | None = None
    tax_id_type: str | None = None
    track1099: bool | None = None
    address1: str | None = None
    address2: str | None = None
    address3: str | None = None
    address4: str | None = None
    address_city: str | None = None
    address_state: str | None = None
    address_zip: str | None = None
    address_country: str | None = None
    email: str | None = None
    fax: str | None = None
    phone: str | None = None
    pay_by: PayBy | str | None = None
    payment_email: str | None = None
    payment_phone: str | None = None
    description: str | None = None
    contact_first_name: str | None = None
    contact_last_name: str | None = None
    merged_into_id: str | None = None
    account_type: AccountType | str | None = None
    payment_term_id: str | None = None
    balance: Decimal | None = None
    avail_credit: Decimal | None = None
    bill_currency: str | None = None


@attrs.frozen(kw_only=True)
class VendorBankAccount(ActiveRecord):
    """A vendor's bank account (``vba…``); BILL masks the account number."""

    ENTITY: ClassVar[str] = "VendorBankAccount"

    vendor_id: str | None = None
    name_on_acct: str | None = None
    account_number: str | None = None
    routing_number: str | None = None
    users_id: str | None = None
    status: BankAccountStatus | str | None = None
    is_savings: bool | None = None
    is_personal_acct: bool | None = None


@attrs.frozen(kw_only=True)
class BillLineItem(Record):
    """One line of a bill (``bli…``)."""

    ENTITY: ClassVar[str] = "BillLineItem"

    bill_id: str | None = None
    amount: Decimal | None = None
    chart_of_account_id: str | None = None
    department_id: str | None = None
    location_id: str | None = None
    job_id: str | None = None
    customer_id: str | None = None
    job_billable: bool | None = None
    description: str | None = None
    line_type: str | None = None
    item_id: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    employee_id: str | None = None
    actg_class_id: str | None = None
    line_order: int | None = None


@attrs.frozen(kw_only=True)
class Bill(ActiveRecord):
    """A bill from a vendor (``00n…``)."""

    ENTITY: ClassVar[str] = "Bill"

    vendor_id: str | None = None
    invoice_number: str | None = None
    approval_status: ApprovalStatus | str | None = None
    invoice_date: _dt.date | None = None
    due_date: _dt.date | None = None
    gl_posting_date: _dt.date | None = None
    amount: Decimal | None = None
    scheduled_amount: Decimal | None = None
    paid_amount: Decimal | None = None
    due_amount: Decimal | None = None
    credit_amount: Decimal | None = None
    payment_status: PaymentStatus | str | None = None
    description: str | None = None
    po_number: str | None = None
    created_by: str | None = None
    pay_from_bank_account_id: str | None = None
    pay_from_chart_of_account_id: str | None = None
    payment_term_id: str | None = None
    bill_line_items: list[BillLineItem] | None = None


@attrs.frozen(kw_only=True)
class RecurringBill(ActiveRecord):
    """A recurring bill template (``btp…``)."""

    ENTITY: ClassVar[str] = "RecurringBill"

    vendor_id: str | None = None
    time_period: str | None = None
    frequency_per_time_period: int | None = None
    next_due_date: _dt.date | None = None
    end_date: _dt.date | None = None
    days_in_advance: int | None = None
    description: str | None = None
    recurring_bill_line_items: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class VendorCredit(ActiveRecord):
    """A credit from a vendor (``vcr…``)."""

    ENTITY: ClassVar[str] = "VendorCredit"

    vendor_id: str | None = None
    ref_number: str | None = None
    credit_date: _dt.date | None = None
    gl_posting_date: _dt.date | None = None
    amount: Decimal | None = None
    applied_amount: Decimal | None = None
    approval_status: ApprovalStatus | str | None = None
    credit_status: str | None = None
    description: str | None = None
    vendor_credit_line_items: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class BillPay(Record):
    """The part of a sent payment paying one bill (``blp…``)."""

    ENTITY: ClassVar[str] = "BillPay"

    bill_id: str | None = None
    sent_pay_id: str | None = None
    name: str | None = None
    amount: Decimal | None = None
    payment_status: PaymentStatus | str | None = None
    process_date: _dt.date | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class BillCredit(Record):
    """A vendor credit applied to a bill in a sent payment (``bcr…``)."""

    ENTITY: ClassVar[str] = "BillCredit"

    bill_id: str | None = None
    vendor_credit_id: str | None = None
    sent_pay_id: str | None = None
    amount: Decimal | None = None


@attrs.frozen(kw_only=True)
class SentPay(ActiveRecord):
    """A payment to a vendor (``stp…``), made through BILL or recorded."""

    ENTITY: ClassVar[str] = "SentPay"

    vendor_id: str | None = None
    process_date: _dt.date | None = None
    amount: Decimal | None = None
    status: SentPayStatus | str | None = None
    description: str | None = None
    txn_number: str | None = None
    name: str | None = None
    is_online: bool | None = None
    chart_of_account_id: str | None = None
    sync_reference: str | None = None
    to_print_check: bool | None = None
    bank_account_id: str | None = None
    source: str | None = None
    bill_pays: list[BillPay] | None = None
    bill_credits: list[BillCredit] | None = None


# -- AR -----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Customer(ActiveRecord):
    """A customer (``0cu…``)."""

    ENTITY: ClassVar[str] = "Customer"

    name: str | None = limited(100)  # BILL: at most 100 characters
    short_name: str | None = None
    parent_customer_id: str | None = None
    company_name: str | None = None
    contact_first_name: str | None = None
    contact_last_name: str | None = None
    acc_number: str | None = None
    bill_address1: str | None = None
    bill_address2: str | None = None
    bill_address3: str | None = None
    bill_address4: str | None = None
    bill_address_city: str | None = None
    bill_address_state: str | None = None
    bill_address_country: str | None = None
    bill_address_zip: str | None = None
    ship_address1: str | None = None
    ship_address2: str | None = None
    ship_address3: str | None = None
    ship_address4: str | None = None
    ship_address_city: str | None = None
    ship_address_state: str | None = None
    ship_address_country: str | None = None
    ship_address_zip: str | None = None
    email: str | None = None
    phone: str | None = None
    alt_phone: str | None = None
    fax: str | None = None
    description: str | None = None
    invoice_currency: str | None = None
    print_as: str | None = None
    merged_into_id: str | None = None
    has_authorized_to_charge: bool | None = None
    account_type: AccountType | str | None = None
    payment_term_id: str | None = None
    balance: Decimal | None = None
    avail_credit: Decimal | None = None
    tax_id: str | None = None


@attrs.frozen(kw_only=True)
class CustomerContact(ActiveRecord):
    """A contact person of a customer (``cpu…``)."""

    ENTITY: ClassVar[str] = "CustomerContact"

    customer_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    alt_phone: str | None = None
    fax: str | None = None
    timezone_id: str | None = None


@attrs.frozen(kw_only=True)
class CustomerBankAccount(ActiveRecord):
    """A customer's bank account (``cba…``), used to charge the customer."""

    ENTITY: ClassVar[str] = "CustomerBankAccount"

    customer_id: str | None = None
    name_on_account: str | None = None
    nickname: str | None = None
    routing_number: str | None = None
    account_number: str | None = None
    is_savings: bool | None = None
    is_personal_acct: bool | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class InvoiceLineItem(Record):
    """One line of an invoice (``00f…``)."""

    ENTITY: ClassVar[str] = "InvoiceLineItem"

    invoice_id: str | None = None
    item_id: str | None = None
    quantity: Decimal | None = None
    amount: Decimal | None = None
    price: Decimal | None = None
    service_date: _dt.date | None = None
    rate_percent: Decimal | None = None
    chart_of_account_id: str | None = None
    department_id: str | None = None
    location_id: str | None = None
    actg_class_id: str | None = None
    job_id: str | None = None
    description: str | None = None
    taxable: bool | None = None
    tax_code: str | None = None
    line_order: int | None = None


@attrs.frozen(kw_only=True)
class Invoice(ActiveRecord):
    """An invoice to a customer (``00e…``)."""

    ENTITY: ClassVar[str] = "Invoice"

    created_by: str | None = None
    customer_id: str | None = None
    invoice_number: str | None = None
    invoice_date: _dt.date | None = None
    due_date: _dt.date | None = None
    gl_posting_date: _dt.date | None = None
    amount: Decimal | None = None
    amount_due: Decimal | None = None
    payment_status: PaymentStatus | str | None = None
    description: str | None = None
    po_number: str | None = None
    is_to_be_printed: bool | None = None
    is_to_be_emailed: bool | None = None
    last_sent_time: _dt.datetime | None = None
    item_sales_tax: str | None = None
    sales_tax_percentage: Decimal | None = None
    sales_tax_total: Decimal | None = None
    terms: str | None = None
    sales_rep: str | None = None
    fob: str | None = wire_field("FOB")
    ship_date: _dt.date | None = None
    ship_method: str | None = None
    department_id: str | None = None
    location_id: str | None = None
    actg_class_id: str | None = None
    job_id: str | None = None
    pay_to_bank_account_id: str | None = None
    pay_to_chart_of_account_id: str | None = None
    invoice_template_id: str | None = None
    credit_amount: Decimal | None = None
    scheduled_amount: Decimal | None = None
    invoice_line_items: list[InvoiceLineItem] | None = None


@attrs.frozen(kw_only=True)
class RecurringInvoice(ActiveRecord):
    """A recurring invoice template (``rit…``)."""

    ENTITY: ClassVar[str] = "RecurringInvoice"

    customer_id: str | None = None
    time_period: str | None = None
    frequency_per_time_period: int | None = None
    next_due_date: _dt.date | None = None
    end_date: _dt.date | None = None
    days_in_advance: int | None = None
    description: str | None = None
    recurring_invoice_line_items: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class CreditMemo(ActiveRecord):
    """A credit memo for a customer (``ccr…``)."""

    ENTITY: ClassVar[str] = "CreditMemo"

    customer_id: str | None = None
    ref_number: str | None = None
    credit_date: _dt.date | None = None
    amount: Decimal | None = None
    applied_amount: Decimal | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class InvoicePay(Record):
    """The part of a received payment paying one invoice (``0ip…``)."""

    ENTITY: ClassVar[str] = "InvoicePay"

    invoice_id: str | None = None
    received_pay_id: str | None = None
    amount: Decimal | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class ReceivedPay(ActiveRecord):
    """A payment from a customer (``0rp…``), charged through BILL or recorded."""

    ENTITY: ClassVar[str] = "ReceivedPay"

    customer_id: str | None = None
    status: str | None = None
    payment_date: _dt.date | None = None
    deposit_to_account_id: str | None = None
    is_online: bool | None = None
    payment_type: PaymentType | str | None = None
    amount: Decimal | None = None
    unapplied_amount: Decimal | None = None
    description: str | None = None
    ref_number: str | None = None
    conv_fee_amount: Decimal | None = None
    pay_to_bank_account_id: str | None = None
    invoice_pays: list[InvoicePay] | None = None


@attrs.frozen(kw_only=True)
class RPConvFee(Record):
    """A convenience fee on a received payment (``rpf…``)."""

    ENTITY: ClassVar[str] = "RPConvFee"

    received_pay_id: str | None = None
    amount: Decimal | None = None


# -- approvals ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ApprovalPolicy(ActiveRecord):
    """An approval policy (``app…``)."""

    ENTITY: ClassVar[str] = "ApprovalPolicy"

    type: str | None = None
    amount_threshold: Decimal | None = None
    min_num_approvers: int | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class ApprovalPolicyApprover(ActiveRecord):
    """A user named as an approver in an approval policy (``apa…``)."""

    ENTITY: ClassVar[str] = "ApprovalPolicyApprover"

    approval_policy_id: str | None = None
    users_id: str | None = None


# -- accounts tracking --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ChartOfAccount(ActiveRecord):
    """An account of the chart of accounts (``0ca…``)."""

    ENTITY: ClassVar[str] = "ChartOfAccount"

    name: str | None = None
    account_type: str | None = None
    account_number: str | None = None
    description: str | None = None
    parent_chart_of_account_id: str | None = None


@attrs.frozen(kw_only=True)
class Department(ActiveRecord):
    """A department (``0de…``)."""

    ENTITY: ClassVar[str] = "Department"

    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_department_id: str | None = None


@attrs.frozen(kw_only=True)
class Location(ActiveRecord):
    """A location (``loc…``)."""

    ENTITY: ClassVar[str] = "Location"

    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_location_id: str | None = None


@attrs.frozen(kw_only=True)
class ActgClass(ActiveRecord):
    """An accounting class (``cls…``)."""

    ENTITY: ClassVar[str] = "ActgClass"

    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_actg_class_id: str | None = None


@attrs.frozen(kw_only=True)
class Job(ActiveRecord):
    """A job or project (``job…``)."""

    ENTITY: ClassVar[str] = "Job"

    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_job_id: str | None = None
    customer_id: str | None = None


@attrs.frozen(kw_only=True)
class Item(ActiveRecord):
    """A product or service sold on invoices (``0ii…``)."""

    ENTITY: ClassVar[str] = "Item"

    name: str | None = None
    short_name: str | None = None
    type: str | None = None
    description: str | None = None
    price: Decimal | None = None
    percentage: Decimal | None = None
    pur_cost: Decimal | None = None
    parent_item_id: str | None = None
    chart_of_account_id: str | None = None
    taxable: bool | None = None


@attrs.frozen(kw_only=True)
class Employee(ActiveRecord):
    """An employee (``emp…``)."""

    ENTITY: ClassVar[str] = "Employee"

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class PaymentTerm(ActiveRecord):
    """A payment term (``00p…``)."""

    ENTITY: ClassVar[str] = "PaymentTerm"

    name: str | None = None
    due_days: int | None = None
    discount_days: int | None = None
    discount_percent: Decimal | None = None


# -- organization -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class User(ActiveRecord):
    """A user of the organization (``006…``)."""

    ENTITY: ClassVar[str] = "User"

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    profile_id: str | None = None
    timezone_id: str | None = None


@attrs.frozen(kw_only=True)
class Profile(ActiveRecord):
    """A user role profile (``0po…``); read-only."""

    ENTITY: ClassVar[str] = "Profile"

    name: str | None = None
    type: str | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class Organization(ActiveRecord):
    """The organization (``008…``)."""

    ENTITY: ClassVar[str] = "Organization"

    name: str | None = None
    display_name: str | None = None
    phone: str | None = None
    industry: str | None = None
    tax_id_type: str | None = None
    timezone_id: str | None = None


@attrs.frozen(kw_only=True)
class BankAccount(ActiveRecord):
    """One of the organization's own bank accounts (``bac…``)."""

    ENTITY: ClassVar[str] = "BankAccount"

    name: str | None = None
    bank_name: str | None = None
    name_on_acct: str | None = None
    account_number: str | None = None
    routing_number: str | None = None


@attrs.frozen(kw_only=True)
class MoneyMovement(ActiveRecord):
    """A movement of money in or out of the organization (``mmt…``)."""

    ENTITY: ClassVar[str] = "MoneyMovement"

    amount: Decimal | None = None


MODELS_BY_ENTITY: Mapping[str, type[Model]] = {
    cls.ENTITY: cls
    for cls in (
        Vendor,
        VendorBankAccount,
        BillLineItem,
        Bill,
        RecurringBill,
        VendorCredit,
        BillPay,
        BillCredit,
        SentPay,
        Customer,
        CustomerContact,
        CustomerBankAccount,
        InvoiceLineItem,
        Invoice,
        RecurringInvoice,
        CreditMemo,
        InvoicePay,
        ReceivedPay,
        RPConvFee,
        ApprovalPolicy,
        ApprovalPolicyApprover,
        ChartOfAccount,
        Department,
        Location,
        ActgClass,
        Job,
        Item,
        Employee,
        PaymentTerm,
        User,
        Profile,
        Organization,
        BankAccount,
        MoneyMovement,
    )
}
