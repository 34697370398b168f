r"""BILL's v3 objects as frozen attrs models, with v2's guarantees: every key BILL sends that a
model does not declare is kept in ``model.extra``, and ``model.to_wire()`` gives back exactly
what was received (a model built in Python gives only the fields that were set).

Keys, nesting and JSON types come from BILL's v3 Postman collection (its values are generated:
``shared/fixtures/bill-v3-examples``). Amounts are exact ``Decimal``\ s and business dates are
``date``\ s; timestamps (``createdTime``) stay BILL's ISO text, and codes (``accountType``,
``paymentStatus``) stay text, since BILL's v3 code lists are open (``UNDEFINED`` and values
added later). Nested objects (``address``, ``paymentInformation``) are mappings; line items
are models.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from .._v2._convert import Model

__all__ = [
    "CustomerContact",
    "PaymentTerm",
    "AccountingClass",
    "Attachment",
    "Bill",
    "BillLineItem",
    "ChartOfAccount",
    "CreditMemo",
    "Customer",
    "Department",
    "Document",
    "Employee",
    "Invoice",
    "InvoiceLineItem",
    "Item",
    "Job",
    "Location",
    "MODELS",
    "Organization",
    "Payment",
    "ReceivablePayment",
    "RecurringBill",
    "RecurringBillLineItem",
    "RecurringInvoice",
    "RecurringInvoiceLineItem",
    "Role",
    "User",
    "Vendor",
    "VendorCredit",
]


@attrs.frozen(kw_only=True)
class Vendor(Model):
    """A v3 Vendor (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Vendor"

    archived: bool | None = None
    id: str | None = None
    name: str | None = None
    short_name: str | None = None
    account_number: str | None = None
    account_type: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Mapping[str, Any] | None = None
    payment_information: Mapping[str, Any] | None = None
    additional_info: Mapping[str, Any] | None = None
    rpps_id: str | None = None
    bank_account_status: str | None = None
    recurring_payments: bool | None = None
    bill_currency: str | None = None
    created_time: str | None = None
    updated_time: str | None = None
    balance: Mapping[str, Any] | None = None
    auto_pay: Mapping[str, Any] | None = None
    network_status: str | None = None


@attrs.frozen(kw_only=True)
class Bill(Model):
    """A v3 Bill (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Bill"

    archived: bool | None = None
    id: str | None = None
    vendor_id: str | None = None
    vendor_name: str | None = None
    funding_amount: Decimal | None = None
    amount: Decimal | None = None
    paid_amount: Decimal | None = None
    due_amount: Decimal | None = None
    scheduled_amount: Decimal | None = None
    credit_amount: Decimal | None = None
    exchange_rate: Decimal | None = None
    description: str | None = None
    due_date: _dt.date | None = None
    invoice: Mapping[str, Any] | None = None
    bill_line_items: list[BillLineItem] | None = None
    pay_from_chart_of_account_id: str | None = None
    payment_status: str | None = None
    approval_status: str | None = None
    created_time: str | None = None
    updated_time: str | None = None
    classifications: Mapping[str, Any] | None = None
    approvers: list[Any] | None = None
    purchase_order_number: str | None = None


@attrs.frozen(kw_only=True)
class Invoice(Model):
    """A v3 Invoice (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Invoice"

    id: str | None = None
    archived: bool | None = None
    invoice_number: str | None = None
    invoice_date: _dt.date | None = None
    due_date: _dt.date | None = None
    customer_id: str | None = None
    total_amount: Decimal | None = None
    due_amount: Decimal | None = None
    scheduled_amount: Decimal | None = None
    credit_amount: Decimal | None = None
    status: str | None = None
    exchange_rate: Decimal | None = None
    created_time: str | None = None
    updated_time: str | None = None
    invoice_line_items: list[InvoiceLineItem] | None = None
    pay_to_chart_of_account_id: str | None = None
    payments: list[Any] | None = None
    classifications: Mapping[str, Any] | None = None
    sales_tax_item_id: str | None = None
    sales_tax_total: Decimal | None = None
    sales_tax_percentage: Decimal | None = None
    enable_card_payment: bool | None = None
    convenience_fee: Mapping[str, Any] | None = None
    invoice_pdf_id: str | None = None


@attrs.frozen(kw_only=True)
class Customer(Model):
    """A v3 Customer (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Customer"

    email: str | None = None
    name: str | None = None
    id: str | None = None
    archived: bool | None = None
    company_name: str | None = None
    contact: Mapping[str, Any] | None = None
    phone: str | None = None
    fax: str | None = None
    description: str | None = None
    invoice_currency: str | None = None
    account_type: str | None = None
    payment_term_id: str | None = None
    account_number: str | None = None
    billing_address: Mapping[str, Any] | None = None
    shipping_address: Mapping[str, Any] | None = None
    balance: Mapping[str, Any] | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Payment(Model):
    """A v3 Payment (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Payment"

    amount: Decimal | None = None
    id: str | None = None
    vendor_id: str | None = None
    vendor_name: str | None = None
    bill_id: str | None = None
    bill_payments: list[Any] | None = None
    description: str | None = None
    process_date: _dt.date | None = None
    funding_account: Mapping[str, Any] | None = None
    processing_options: Mapping[str, Any] | None = None
    transaction_number: str | None = None
    confirmation_number: str | None = None
    status: str | None = None
    exchange_rate: Decimal | None = None
    funding_amount: Decimal | None = None
    online_payment: bool | None = None
    disbursement_type: str | None = None
    remittance_email: str | None = None
    created_time: str | None = None
    updated_time: str | None = None
    created_by: str | None = None
    void_info: list[Any] | None = None
    disbursement_status: str | None = None
    disbursement_info: Mapping[str, Any] | None = None
    payment_purpose: Mapping[str, Any] | None = None
    card_funding_purpose: str | None = None
    cancel_request_submitted: bool | None = None
    single_status: str | None = None


@attrs.frozen(kw_only=True)
class ReceivablePayment(Model):
    """A v3 ReceivablePayment (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "ReceivablePayment"

    amount: Decimal | None = None
    id: str | None = None
    customer_id: str | None = None
    invoice_payments: list[Any] | None = None
    description: str | None = None
    payment_date: _dt.date | None = None
    funding_account: Mapping[str, Any] | None = None
    receivables_account: Mapping[str, Any] | None = None
    unapplied_amount: Decimal | None = None
    convenience_fee_amount: Decimal | None = None
    receivables_type: str | None = None
    status: str | None = None
    reference_number: str | None = None
    online_payment: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class CreditMemo(Model):
    """A v3 CreditMemo (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "CreditMemo"

    id: str | None = None
    customer_id: str | None = None
    reference_number: str | None = None
    credit_date: _dt.date | None = None
    description: str | None = None
    archived: bool | None = None
    sales_tax_item_id: str | None = None
    pay_to_chart_of_account_id: str | None = None
    pay_to_bank_account_id: str | None = None
    amount: Decimal | None = None
    applied_amount: Decimal | None = None
    sales_tax_total: Decimal | None = None
    sales_tax_percentage: Decimal | None = None
    status: str | None = None
    created_time: str | None = None
    updated_time: str | None = None
    credit_memo_line_items: list[Any] | None = None
    classifications: Mapping[str, Any] | None = None
    usage: list[Any] | None = None


@attrs.frozen(kw_only=True)
class VendorCredit(Model):
    """A v3 VendorCredit (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "VendorCredit"

    id: str | None = None
    vendor_id: str | None = None
    reference_number: str | None = None
    credit_date: _dt.date | None = None
    description: str | None = None
    archived: bool | None = None
    apply_to_chart_of_account_id: str | None = None
    apply_to_bank_account_id: str | None = None
    amount: Decimal | None = None
    applied_amount: Decimal | None = None
    status: str | None = None
    created_time: str | None = None
    updated_time: str | None = None
    vendor_credit_line_items: list[Any] | None = None
    usage: list[Any] | None = None


@attrs.frozen(kw_only=True)
class RecurringBill(Model):
    """A v3 RecurringBill (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "RecurringBill"

    archived: bool | None = None
    id: str | None = None
    recurring_bill_line_items: list[RecurringBillLineItem] | None = None
    schedule: Mapping[str, Any] | None = None
    vendor_id: str | None = None
    description: str | None = None
    processing_options: Mapping[str, Any] | None = None
    payment_information: Mapping[str, Any] | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class RecurringInvoice(Model):
    """A v3 RecurringInvoice (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "RecurringInvoice"

    id: str | None = None
    customer_id: str | None = None
    description: str | None = None
    archived: bool | None = None
    schedule: Mapping[str, Any] | None = None
    recurring_invoice_line_items: list[RecurringInvoiceLineItem] | None = None
    classifications: Mapping[str, Any] | None = None
    send_email: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class AccountingClass(Model):
    """A v3 AccountingClass (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "AccountingClass"

    id: str | None = None
    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_id: str | None = None
    archived: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class ChartOfAccount(Model):
    """A v3 ChartOfAccount (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "ChartOfAccount"

    id: str | None = None
    archived: bool | None = None
    name: str | None = None
    description: str | None = None
    parent_id: str | None = None
    account: Mapping[str, Any] | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Department(Model):
    """A v3 Department (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Department"

    id: str | None = None
    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_id: str | None = None
    archived: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Employee(Model):
    """A v3 Employee (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Employee"

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    short_name: str | None = None
    parent_id: str | None = None
    archived: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Item(Model):
    """A v3 Item (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Item"

    id: str | None = None
    type: str | None = None
    short_name: str | None = None
    name: str | None = None
    description: str | None = None
    archived: bool | None = None
    parent_id: str | None = None
    price: Decimal | None = None
    expense_chart_of_account_id: str | None = None
    purchase_description: str | None = None
    purchase_cost: Decimal | None = None
    chart_of_account_id: str | None = None
    taxable: bool | None = None
    percentage: Decimal | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Job(Model):
    """A v3 Job (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Job"

    id: str | None = None
    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_id: str | None = None
    archived: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Location(Model):
    """A v3 Location (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Location"

    id: str | None = None
    name: str | None = None
    short_name: str | None = None
    description: str | None = None
    parent_id: str | None = None
    archived: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class User(Model):
    """A v3 User (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "User"

    id: str | None = None
    archived: bool | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    role: Mapping[str, Any] | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Role(Model):
    """A v3 Role (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Role"

    id: str | None = None
    type: str | None = None
    description: str | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Organization(Model):
    """A v3 Organization (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Organization"

    id: str | None = None
    archived: bool | None = None
    name: str | None = None
    address: Mapping[str, Any] | None = None
    mailing_address: Mapping[str, Any] | None = None
    phone: str | None = None
    company_owner: Mapping[str, Any] | None = None
    tax_id: str | None = None
    tax_id_type: str | None = None
    industry: str | None = None
    business_category: str | None = None
    account_type: str | None = None
    processing_options: Mapping[str, Any] | None = None
    partner_name: str | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class Document(Model):
    """A v3 Document (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Document"

    id: str | None = None
    name: str | None = None
    created_time: str | None = None
    download_link: str | None = None


@attrs.frozen(kw_only=True)
class Attachment(Model):
    """A v3 Attachment (keys from BILL's v3 collection)."""

    ENTITY: ClassVar[str] = "Attachment"

    id: str | None = None
    name: str | None = None
    created_time: str | None = None
    download_link: str | None = None


@attrs.frozen(kw_only=True)
class BillLineItem(Model):
    """One line of a v3 record (BillLineItem)."""

    ENTITY: ClassVar[str] = "BillLineItem"

    amount: Decimal | None = None
    id: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    description: str | None = None
    classifications: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class InvoiceLineItem(Model):
    """One line of a v3 record (InvoiceLineItem)."""

    ENTITY: ClassVar[str] = "InvoiceLineItem"

    id: str | None = None
    description: str | None = None
    price: Decimal | None = None
    quantity: Decimal | None = None
    classifications: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class RecurringBillLineItem(Model):
    """One line of a v3 record (RecurringBillLineItem)."""

    ENTITY: ClassVar[str] = "RecurringBillLineItem"

    amount: Decimal | None = None
    id: str | None = None
    description: str | None = None
    classifications: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class RecurringInvoiceLineItem(Model):
    """One line of a v3 record (RecurringInvoiceLineItem)."""

    ENTITY: ClassVar[str] = "RecurringInvoiceLineItem"

    id: str | None = None
    amount: Decimal | None = None
    description: str | None = None
    price: Decimal | None = None
    quantity: Decimal | None = None
    classifications: Mapping[str, Any] | None = None
    taxable: bool | None = None


@attrs.frozen(kw_only=True)
class CustomerContact(Model):
    """A v3 customer contact (``cpu…``): keys from BILL's v3 guide (no example in the
    collection)."""

    ENTITY: ClassVar[str] = "CustomerContact"

    id: str | None = None
    customer_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    archived: bool | None = None
    created_time: str | None = None
    updated_time: str | None = None


@attrs.frozen(kw_only=True)
class PaymentTerm(Model):
    """A v3 payment term (``00p…``): keys from BILL's v3 guide (no example in the collection)."""

    ENTITY: ClassVar[str] = "PaymentTerm"

    id: str | None = None
    name: str | None = None
    days_due: Decimal | None = None
    created_time: str | None = None
    updated_time: str | None = None


# The models by name, as the endpoint table names them.
MODELS: Mapping[str, type[Model]] = {
    "CustomerContact": CustomerContact,
    "PaymentTerm": PaymentTerm,
    "Vendor": Vendor,
    "Bill": Bill,
    "Invoice": Invoice,
    "Customer": Customer,
    "Payment": Payment,
    "ReceivablePayment": ReceivablePayment,
    "CreditMemo": CreditMemo,
    "VendorCredit": VendorCredit,
    "RecurringBill": RecurringBill,
    "RecurringInvoice": RecurringInvoice,
    "AccountingClass": AccountingClass,
    "ChartOfAccount": ChartOfAccount,
    "Department": Department,
    "Employee": Employee,
    "Item": Item,
    "Job": Job,
    "Location": Location,
    "User": User,
    "Role": Role,
    "Organization": Organization,
    "Document": Document,
    "Attachment": Attachment,
    "BillLineItem": BillLineItem,
    "InvoiceLineItem": InvoiceLineItem,
    "RecurringBillLineItem": RecurringBillLineItem,
    "RecurringInvoiceLineItem": RecurringInvoiceLineItem,
}
