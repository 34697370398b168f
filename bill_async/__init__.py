"""bill_async: an async Python SDK for the BILL (Bill.com) v2 API.

import bill_async

auth = bill_async.CredentialLogin(user_name=..., password=..., org_id=..., dev_key=...)
async with bill_async.Client(auth) as client:
    vendor = await client.vendors.read("00901...")
"""

from __future__ import annotations

from ._core._auth import AuthStrategy as AuthStrategy
from ._core._auth import CredentialLogin as CredentialLogin
from ._core._auth import TokenLogin as TokenLogin
from ._core._hooks import CallEvent as CallEvent
from ._core._limits import InProcessLimits as InProcessLimits
from ._core._limits import Limits as Limits
from ._core._limits import LimitStore as LimitStore
from ._core._operation import Kind as Kind
from ._core._operation import TokenRule as TokenRule
from ._core._retry import RetryPolicy as RetryPolicy
from ._core._session_file import FileSessionStore as FileSessionStore
from ._core._sessions import InProcessSessionStore as InProcessSessionStore
from ._core._sessions import SessionStore as SessionStore
from ._core._sessions import StoredSession as StoredSession
from ._exceptions import ERROR_CLASSES as ERROR_CLASSES
from ._exceptions import AmbiguousWriteError as AmbiguousWriteError
from ._exceptions import ApiError as ApiError
from ._exceptions import AuthenticationError as AuthenticationError
from ._exceptions import BillError as BillError
from ._exceptions import BudgetExhaustedError as BudgetExhaustedError
from ._exceptions import ClientStateError as ClientStateError
from ._exceptions import ConcurrencyLimitError as ConcurrencyLimitError
from ._exceptions import ConfigurationError as ConfigurationError
from ._exceptions import ConnectError as ConnectError
from ._exceptions import ConnectionLostError as ConnectionLostError
from ._exceptions import ConnectTimeoutError as ConnectTimeoutError
from ._exceptions import InactiveDevKeyError as InactiveDevKeyError
from ._exceptions import InvalidInputError as InvalidInputError
from ._exceptions import InvalidRequestError as InvalidRequestError
from ._exceptions import LockedOutError as LockedOutError
from ._exceptions import MfaError as MfaError
from ._exceptions import MfaRequiredError as MfaRequiredError
from ._exceptions import NotFoundError as NotFoundError
from ._exceptions import PaymentError as PaymentError
from ._exceptions import PoolTimeoutError as PoolTimeoutError
from ._exceptions import ProtocolError as ProtocolError
from ._exceptions import RateLimitError as RateLimitError
from ._exceptions import ReadTimeoutError as ReadTimeoutError
from ._exceptions import RequestRejectedError as RequestRejectedError
from ._exceptions import RequestTimeoutError as RequestTimeoutError
from ._exceptions import ServerError as ServerError
from ._exceptions import SessionExpiredError as SessionExpiredError
from ._exceptions import TokenPermissionError as TokenPermissionError
from ._exceptions import TransportError as TransportError
from ._exceptions import UnknownFieldError as UnknownFieldError
from ._exceptions import UnsupportedOperationError as UnsupportedOperationError
from ._exceptions import UntrustedSessionError as UntrustedSessionError
from ._exceptions import WriteTimeoutError as WriteTimeoutError
from ._transports._aiohttp import AiohttpTransport as AiohttpTransport
from ._transports._pooled import PooledTransport as PooledTransport
from ._v2._bulk import BulkResult as BulkResult
from ._v2._bulk import BulkResults as BulkResults
from ._v2._client import PRODUCTION_URL as PRODUCTION_URL
from ._v2._client import SANDBOX_URL as SANDBOX_URL
from ._v2._client import Client as Client
from ._v2._client import OrgInfo as OrgInfo
from ._v2._client import list_orgs as list_orgs
from ._v2._convert import Model as Model
from ._v2._endpoints import ENDPOINTS as ENDPOINTS
from ._v2._endpoints import ENDPOINTS_BY_PATH as ENDPOINTS_BY_PATH
from ._v2._endpoints import Endpoint as Endpoint
from ._v2._endpoints import Shape as Shape
from ._v2._models import MODELS_BY_ENTITY as MODELS_BY_ENTITY
from ._v2._models import AccountType as AccountType
from ._v2._models import ActgClass as ActgClass
from ._v2._models import ActiveRecord as ActiveRecord
from ._v2._models import ApprovalPolicy as ApprovalPolicy
from ._v2._models import ApprovalPolicyApprover as ApprovalPolicyApprover
from ._v2._models import ApprovalStatus as ApprovalStatus
from ._v2._models import BankAccount as BankAccount
from ._v2._models import BankAccountStatus as BankAccountStatus
from ._v2._models import Bill as Bill
from ._v2._models import BillCredit as BillCredit
from ._v2._models import BillLineItem as BillLineItem
from ._v2._models import BillPay as BillPay
from ._v2._models import ChartOfAccount as ChartOfAccount
from ._v2._models import CreditMemo as CreditMemo
from ._v2._models import Customer as Customer
from ._v2._models import CustomerBankAccount as CustomerBankAccount
from ._v2._models import CustomerContact as CustomerContact
from ._v2._models import Department as Department
from ._v2._models import Employee as Employee
from ._v2._models import Invoice as Invoice
from ._v2._models import InvoiceLineItem as InvoiceLineItem
from ._v2._models import InvoicePay as InvoicePay
from ._v2._models import Item as Item
from ._v2._models import Job as Job
from ._v2._models import Location as Location
from ._v2._models import MoneyMovement as MoneyMovement
from ._v2._models import Organization as Organization
from ._v2._models import PayBy as PayBy
from ._v2._models import PaymentStatus as PaymentStatus
from ._v2._models import PaymentTerm as PaymentTerm
from ._v2._models import PaymentType as PaymentType
from ._v2._models import Profile as Profile
from ._v2._models import ReceivedPay as ReceivedPay
from ._v2._models import Record as Record
from ._v2._models import RecurringBill as RecurringBill
from ._v2._models import RecurringInvoice as RecurringInvoice
from ._v2._models import RPConvFee as RPConvFee
from ._v2._models import SentPay as SentPay
from ._v2._models import SentPayStatus as SentPayStatus
from ._v2._models import User as User
from ._v2._models import Vendor as Vendor
from ._v2._models import VendorBankAccount as VendorBankAccount
from ._v2._models import VendorCredit as VendorCredit
from ._v2._pagination import Filter as Filter
from ._v2._pagination import Pager as Pager
from ._v2._pagination import Sort as Sort
from ._v2._pagination import updated_since as updated_since
from ._v2._permissions import TOKEN_PERMISSIONS as TOKEN_PERMISSIONS
from ._v2._permissions import token_permission_table as token_permission_table
from ._version import __version__ as __version__

__all__ = [
    "AccountType",
    "ActgClass",
    "ActiveRecord",
    "AiohttpTransport",
    "AmbiguousWriteError",
    "ApiError",
    "ApprovalPolicy",
    "ApprovalPolicyApprover",
    "ApprovalStatus",
    "AuthStrategy",
    "AuthenticationError",
    "BankAccount",
    "BankAccountStatus",
    "Bill",
    "BillCredit",
    "BillError",
    "BillLineItem",
    "BillPay",
    "BudgetExhaustedError",
    "BulkResult",
    "BulkResults",
    "CallEvent",
    "ChartOfAccount",
    "Client",
    "ClientStateError",
    "ConcurrencyLimitError",
    "ConfigurationError",
    "ConnectError",
    "ConnectTimeoutError",
    "ConnectionLostError",
    "CredentialLogin",
    "CreditMemo",
    "Customer",
    "CustomerBankAccount",
    "CustomerContact",
    "Department",
    "ENDPOINTS",
    "ENDPOINTS_BY_PATH",
    "ERROR_CLASSES",
    "Employee",
    "Endpoint",
    "FileSessionStore",
    "Filter",
    "InProcessLimits",
    "InProcessSessionStore",
    "InactiveDevKeyError",
    "InvalidInputError",
    "InvalidRequestError",
    "Invoice",
    "InvoiceLineItem",
    "InvoicePay",
    "Item",
    "Job",
    "Kind",
    "LimitStore",
    "Limits",
    "Location",
    "LockedOutError",
    "MODELS_BY_ENTITY",
    "MfaError",
    "MfaRequiredError",
    "Model",
    "MoneyMovement",
    "NotFoundError",
    "OrgInfo",
    "Organization",
    "PRODUCTION_URL",
    "Pager",
    "PayBy",
    "PaymentError",
    "PaymentStatus",
    "PaymentTerm",
    "PaymentType",
    "PoolTimeoutError",
    "PooledTransport",
    "Profile",
    "ProtocolError",
    "RPConvFee",
    "RateLimitError",
    "ReadTimeoutError",
    "ReceivedPay",
    "Record",
    "RecurringBill",
    "RecurringInvoice",
    "RequestRejectedError",
    "RequestTimeoutError",
    "RetryPolicy",
    "SANDBOX_URL",
    "SentPay",
    "SentPayStatus",
    "ServerError",
    "SessionExpiredError",
    "SessionStore",
    "Shape",
    "Sort",
    "StoredSession",
    "TOKEN_PERMISSIONS",
    "TokenLogin",
    "TokenPermissionError",
    "TokenRule",
    "TransportError",
    "UnknownFieldError",
    "UnsupportedOperationError",
    "UntrustedSessionError",
    "User",
    "Vendor",
    "VendorBankAccount",
    "VendorCredit",
    "WriteTimeoutError",
    "__version__",
    "list_orgs",
    "token_permission_table",
    "updated_since",
]
