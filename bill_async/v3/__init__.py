"""bill_async.v3: an async client for BILL's v3 API (JSON over REST), on the same core as v2.

import bill_async
from bill_async import v3

auth = bill_async.CredentialLogin(user_name=..., password=..., org_id=..., dev_key=...)
async with v3.Client(auth, base_url=v3.SANDBOX_URL) as client:
    vendor = await client.vendors.get("009...")
    async for bill in client.bills.list(filters=[bill_async.Filter("archived", "eq", False)]):
        ...

The strategies, the exception tree, hooks, transports and stores are bill_async's own; see
docs/v2-to-v3.md for what differs from v2.
"""

from __future__ import annotations

from ._client import PRODUCTION_URL as PRODUCTION_URL
from ._client import SANDBOX_URL as SANDBOX_URL
from ._client import Client as Client
from ._endpoints import OPERATIONS as OPERATIONS
from ._endpoints import OPERATIONS_BY_KEY as OPERATIONS_BY_KEY
from ._endpoints import Operation as Operation
from ._endpoints import Shape as Shape
from ._models import MODELS as MODELS
from ._models import AccountingClass as AccountingClass
from ._models import Attachment as Attachment
from ._models import Bill as Bill
from ._models import BillLineItem as BillLineItem
from ._models import ChartOfAccount as ChartOfAccount
from ._models import CreditMemo as CreditMemo
from ._models import Customer as Customer
from ._models import CustomerContact as CustomerContact
from ._models import Department as Department
from ._models import Document as Document
from ._models import Employee as Employee
from ._models import Invoice as Invoice
from ._models import InvoiceLineItem as InvoiceLineItem
from ._models import Item as Item
from ._models import Job as Job
from ._models import Location as Location
from ._models import Organization as Organization
from ._models import Payment as Payment
from ._models import PaymentTerm as PaymentTerm
from ._models import ReceivablePayment as ReceivablePayment
from ._models import RecurringBill as RecurringBill
from ._models import RecurringBillLineItem as RecurringBillLineItem
from ._models import RecurringInvoice as RecurringInvoice
from ._models import RecurringInvoiceLineItem as RecurringInvoiceLineItem
from ._models import Role as Role
from ._models import User as User
from ._models import Vendor as Vendor
from ._models import VendorCredit as VendorCredit
from ._pagination import CursorPager as CursorPager

__all__ = [
    "AccountingClass",
    "Attachment",
    "Bill",
    "BillLineItem",
    "ChartOfAccount",
    "Client",
    "CreditMemo",
    "CursorPager",
    "Customer",
    "CustomerContact",
    "Department",
    "Document",
    "Employee",
    "Invoice",
    "InvoiceLineItem",
    "Item",
    "Job",
    "Location",
    "MODELS",
    "OPERATIONS",
    "OPERATIONS_BY_KEY",
    "Operation",
    "Organization",
    "PRODUCTION_URL",
    "Payment",
    "PaymentTerm",
    "ReceivablePayment",
    "RecurringBill",
    "RecurringBillLineItem",
    "RecurringInvoice",
    "RecurringInvoiceLineItem",
    "Role",
    "SANDBOX_URL",
    "Shape",
    "User",
    "Vendor",
    "VendorCredit",
]
