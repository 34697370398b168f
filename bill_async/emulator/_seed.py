"""The demo data: a realistic, deterministic organization, made on its first use.

Each organization is drawn from ``random.Random(f"seed:{seed}:{index}")``, so its data depends
only on the seed and its place in the list, not on which organization was used first. At scale
1.0 the first organization has about 320 vendors, 260 customers, 3,000 bills (with payments and
approvals) and 2,500 invoices (with received payments); the others are somewhat smaller. Dates
fall in the year before ``EmulatorConfig.anchor_date``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import random
from decimal import Decimal
from typing import Any

from ._entities import (
    ENTITIES,
    LINE_TEMPLATES,
    ZERO_ID,
    IdMaker,
    format_ms,
    fresh,
    money,
    money_cents,
)
from ._objects import refresh_bill, refresh_invoice
from ._state import OrgData, State

__all__ = ["BASE_COUNTS", "ORG_SIZES", "seed_org"]

# Counts at scale 1.0 for the first organization.
BASE_COUNTS = {
    "Vendor": 320,
    "Customer": 260,
    "Bill": 3000,
    "Invoice": 2500,
    "Employee": 15,
    "Job": 20,
    "VendorCredit": 40,
    "CreditMemo": 30,
    "RecurringBill": 20,
    "RecurringInvoice": 20,
}
# Each organization's size relative to the first.
ORG_SIZES = (1.0, 0.75, 0.5, 0.4)

_DAY_MS = 86_400_000
_SPREAD_MS = 12 * 3_600_000  # where times at or after the anchor go: its last 12 hours


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


_FIRST = _words(
    "Olivia Liam Emma Noah Ava Elijah Sophia James Isabella William Mia Benjamin Charlotte "
    "Lucas Amelia Henry Harper Theodore Evelyn Jack Abigail Levi Emily Alexander Ella Jackson "
    "Avery Mateo Sofia Daniel Camila Michael Aria Mason Scarlett Sebastian Grace Ethan Chloe "
    "Logan"
)
_LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill"
)
_VENDOR_A = _words(
    "Acme Summit Pioneer Evergreen Harbor Granite Redwood Lakeside Northstar Cascade Keystone "
    "Riverbend Ironwood Bright Atlas Beacon Cedar Coastal Crescent Delta Eagle Frontier "
    "Heritage Horizon Liberty Maple Meridian Oakridge Orion Pacific Prairie Quantum Sierra "
    "Sterling Sunrise Trident Union Vanguard Westfield Bluebird"
)
_VENDOR_B = _words(
    "Office Supply|Logistics|Printing|Janitorial|IT Services|Consulting|Electric|Plumbing|"
    "Catering|Freight|Staffing|Software|Hardware|Marketing|Legal Services|Insurance|Telecom|"
    "Packaging|Security|Landscaping|Travel|Equipment Rental|Design Studio|Analytics|"
    "Cloud Hosting",
    "|",
)
_SUFFIX = ("LLC", "Inc.", "Co.", "Group", "Partners", "Ltd.", "Corp.")
_CUSTOMER_A = _words(
    "Alpine Brookside Canyon Driftwood Fairview Glacier Hillcrest Ivy Juniper Kingston "
    "Lighthouse Magnolia Newport Orchard Parkside Quarry Rosewood Seaside Timber Upland "
    "Valley Willow Yellowstone Zenith Aspen"
)
_CUSTOMER_B = _words(
    "Bakery|Dental|Fitness|Hotel|Clinic|Market|Books|Cafe|Motors|Realty|Studios|Academy|"
    "Brewing|Outfitters|Pharmacy|Florist|Auto Repair|Veterinary|Law Firm|Architects",
    "|",
)
_CITIES = (
    ("San Francisco", "CA", "941"),
    ("Los Angeles", "CA", "900"),
    ("San Jose", "CA", "951"),
    ("Seattle", "WA", "981"),
    ("Portland", "OR", "972"),
    ("Denver", "CO", "802"),
    ("Austin", "TX", "787"),
    ("Dallas", "TX", "752"),
    ("Chicago", "IL", "606"),
    ("New York", "NY", "100"),
    ("Boston", "MA", "021"),
    ("Atlanta", "GA", "303"),
    ("Miami", "FL", "331"),
    ("Phoenix", "AZ", "850"),
    ("Minneapolis", "MN", "554"),
)
_STREETS = _words(
    "Main St|Oak Ave|Market St|Mission St|Broadway|Pine St|Maple Dr|Cedar Ln|Elm St|2nd Ave|"
    "Lake Shore Dr|Sunset Blvd|Park Ave|Hillside Rd|Industrial Pkwy",
    "|",
)
_ACCOUNTS = (
    ("Operating Checking", "1", "1000"),
    ("Accounts Receivable", "2", "1200"),
    ("Prepaid Expenses", "3", "1300"),
    ("Equipment", "4", "1500"),
    ("Accounts Payable", "6", "2000"),
    ("Company Credit Card", "7", "2100"),
    ("Accrued Liabilities", "8", "2200"),
    ("Owner's Equity", "10", "3000"),
    ("Product Sales", "11", "4000"),
    ("Service Revenue", "11", "4100"),
    ("Cost of Goods Sold", "12", "5000"),
    ("Advertising", "13", "6000"),
    ("Bank Fees", "13", "6010"),
    ("Contract Labor", "13", "6020"),
    ("Insurance Expense", "13", "6030"),
    ("Legal & Professional Fees", "13", "6040"),
    ("Meals & Entertainment", "13", "6050"),
    ("Office Supplies", "13", "6060"),
    ("Rent", "13", "6070"),
    ("Repairs & Maintenance", "13", "6080"),
    ("Software Subscriptions", "13", "6090"),
    ("Telephone & Internet", "13", "6100"),
    ("Travel", "13", "6110"),
    ("Utilities", "13", "6120"),
    ("Shipping & Freight", "13", "6130"),
    ("Interest Income", "14", "7000"),
)
_ITEMS = (
    ("Consulting Hour", 150, True),
    ("Implementation Package", 4800, True),
    ("Support Plan - Monthly", 499, False),
    ("Training Session", 950, True),
    ("Hardware Kit", 1299, True),
    ("Replacement Part", 89, True),
    ("Installation", 350, False),
    ("Design Hour", 120, False),
    ("Annual License", 2400, False),
    ("Shipping & Handling", 45, False),
    ("Premium Widget", 79, True),
    ("Standard Widget", 39, True),
    ("Maintenance Visit", 275, False),
    ("Data Migration", 1800, False),
    ("Rush Fee", 150, False),
)
_PROFILES = (
    ("Administrator", "0"),
    ("Accountant", "1"),
    ("Approver", "2"),
    ("Clerk", "3"),
    ("Payer", "4"),
)


class _Seeder:
    def __init__(self, state: State, org: OrgData) -> None:
        config = state.config
        self.org = org
        self.rng = random.Random(f"seed:{config.seed}:{org.index}")
        self.ids = IdMaker(self.rng, state.issued)
        size = ORG_SIZES[org.index] if org.index < len(ORG_SIZES) else ORG_SIZES[-1]
        self.scale = config.scale * size
        anchor = _dt.datetime.combine(config.anchor_date, _dt.time(17), _dt.UTC)
        self.end_ms = int(anchor.timestamp() * 1000)
        self.start_ms = self.end_ms - 365 * _DAY_MS
        self.anchor = config.anchor_date

    def count(self, entity: str) -> int:
        """How many of ``entity`` to make: at least one of each unless the scale is 0."""
        wanted = round(BASE_COUNTS[entity] * self.scale)
        return max(wanted, 1) if self.scale > 0 else 0

    def times(self, n: int) -> list[int]:
        rng = self.rng
        return sorted(rng.randrange(self.start_ms, self.end_ms) for _ in range(n))

    def before_end(self, ms: int, key: str) -> int:
        """``ms``, or a moment in the last hours before the anchor for one at or after it.

        Times clamped to the anchor would all be equal, and a real organization has few
        records to the millisecond. The moment comes from ``key``, not from ``self.rng``, so
        that the rest of the demo data stays as it was."""
        if ms < self.end_ms:
            return ms
        digest = hashlib.sha256(key.encode()).digest()
        return self.end_ms - 1 - int.from_bytes(digest[:4], "big") % _SPREAD_MS

    def make(self, entity: str, created_ms: int, **fields: Any) -> dict[str, Any]:
        obj = fresh(ENTITIES[entity].template)
        object_id = obj["id"] = fields.pop("id", None) or self.ids(entity)
        created_ms = self.before_end(created_ms, object_id)
        updated = created_ms + self.rng.randrange(0, 20 * _DAY_MS)
        updated = max(created_ms, self.before_end(updated, object_id + ":updated"))
        obj["createdTime"] = format_ms(created_ms)
        obj["updatedTime"] = format_ms(updated)
        obj.update(fields)
        return self.org.add(obj)

    def person(self) -> tuple[str, str]:
        return self.rng.choice(_FIRST), self.rng.choice(_LAST)

    def address(self) -> tuple[str, str, str, str]:
        rng = self.rng
        city, state, zip_prefix = rng.choice(_CITIES)
        street = f"{rng.randrange(10, 9999)} {rng.choice(_STREETS)}"
        return street, city, state, f"{zip_prefix}{rng.randrange(0, 100):02d}"

    def phone(self) -> str:
        rng = self.rng
        return (
            f"({rng.randrange(201, 989)}) {rng.randrange(200, 999)}-{rng.randrange(0, 10000):04d}"
        )

    def date(self, ms: int, days: int = 0) -> str:
        day = _dt.datetime.fromtimestamp(ms / 1000, _dt.UTC).date() + _dt.timedelta(days=days)
        return day.isoformat()

    @staticmethod
    def unique(name: str, seen: set[str]) -> str:
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name} {n}", n + 1
        seen.add(candidate)
        return candidate

    # -- the organization's skeleton ----------------------------------------------------------

    def skeleton(self) -> None:
        org, rng = self.org, self.rng
        first = self.start_ms - 400 * _DAY_MS
        street, city, state, zip_code = self.address()
        self.make(
            "Organization",
            first,
            id=org.org_id,
            name=org.name,
            displayName=org.name,
            address1=street,
            addressCity=city,
            addressState=state,
            addressZip=zip_code,
            addressCountry="USA",
            mailingAddress1=street,
            mailingAddressCity=city,
            mailingAddressState=state,
            mailingAddressZip=zip_code,
            mailingAddressCountry="USA",
            phone=self.phone(),
            industry="Professional Services",
        )
        self.profiles = [
            self.make("Profile", first, name=name, type=kind, description=f"{name} role")
            for name, kind in _PROFILES
        ]
        self.users = [
            self.make(
                "User",
                first,
                id=org.user_id,
                firstName="Demo",
                lastName="User",
                email="demo@example.com",
                profileId=self.profiles[0]["id"],
            )
        ]
        for profile in self.profiles[1:]:
            given, family = self.person()
            self.users.append(
                self.make(
                    "User",
                    first + rng.randrange(0, 30) * _DAY_MS,
                    firstName=given,
                    lastName=family,
                    email=f"{given}.{family}@{org.name.split()[0].lower()}.example".lower(),
                    profileId=profile["id"],
                )
            )
        self.approvers = [self.users[0]["id"], self.users[2]["id"], self.users[4]["id"]]
        self.terms = [
            self.make("PaymentTerm", first, name=name, dueDays=days)
            for name, days in (
                ("Due upon receipt", 0),
                ("Net 15", 15),
                ("Net 30", 30),
                ("Net 45", 45),
            )
        ]
        self.accounts = [
            self.make(
                "ChartOfAccount",
                first,
                name=name,
                accountType=kind,
                accountNumber=number,
                description=None,
            )
            for name, kind, number in _ACCOUNTS
        ]
        self.expense_accounts = [a for a in self.accounts if a["accountType"] == "13"]
        income = [a for a in self.accounts if a["accountType"] == "11"]
        self.banks = [
            self.make(
                "BankAccount",
                first,
                name=name,
                bankName=bank,
                nameOnAcct=org.name,
                accountNumber="******" + f"{rng.randrange(0, 10000):04d}",
                routingNumber="121000248",
                chartOfAccountId=self.accounts[0]["id"],
                isDefault=default,
                balance=money_cents(rng.randrange(50_000_00, 900_000_00)),
            )
            for name, bank, default in (
                ("Operating Checking", "Wells Fargo", True),
                ("Payroll Checking", "Chase", False),
            )
        ]
        org.bank_balance = float(self.banks[0]["balance"])
        for entity, names in (
            ("Department", ("Sales", "Operations", "Finance", "Engineering", "Marketing", "HR")),
            ("Location", ("Headquarters", "West Coast", "East Coast", "Remote")),
            ("ActgClass", ("Retail", "Wholesale", "Services", "Online")),
        ):
            for name in names:
                self.make(entity, first, name=name, shortName=name[:3].upper())
        self.departments = list(org.all("Department"))
        self.items = [
            self.make(
                "Item",
                first,
                name=name,
                shortName=name[:10],
                type="1" if price < 1000 else "2",
                description=name,
                price=price,
                hasPurInfo=True,
                purDescription=name,
                purCost=money(Decimal(price) * Decimal("0.55")),
                chartOfAccountId=income[0 if taxable else 1]["id"],
                taxable=taxable,
            )
            for name, price, taxable in _ITEMS
        ]
        self.sales_tax = self.make(
            "Item", first, name="Sales Tax", type="6", percentage=8.25, description="Sales tax"
        )
        for ms in self.times(self.count("Employee")):
            given, family = self.person()
            self.make(
                "Employee",
                ms,
                firstName=given,
                lastName=family,
                shortName=f"{given[0]}{family[:2]}".upper(),
            )
        for ms, (name, threshold) in zip(
            self.times(2), (("Bills over $1,000", 1000), ("Bills over $10,000", 10000)), strict=True
        ):
            policy = self.make(
                "ApprovalPolicy",
                ms,
                name=name,
                type="0",
                amountThreshold=threshold,
                minNumApprovers=1 if threshold < 10000 else 2,
                description=name,
            )
            for user in self.approvers[1 : 2 if threshold < 10000 else 3]:
                self.make("ApprovalPolicyApprover", ms, approvalPolicyId=policy["id"], usersId=user)

    # -- vendors and customers ----------------------------------------------------------------

    def vendors(self) -> None:
        rng, seen = self.rng, set[str]()
        self.vendor_list: list[dict[str, Any]] = []
        for ms in self.times(self.count("Vendor")):
            base = f"{rng.choice(_VENDOR_A)} {rng.choice(_VENDOR_B)} {rng.choice(_SUFFIX)}"
            name = self.unique(base, seen)
            given, family = self.person()
            street, city, state, zip_code = self.address()
            domain = "".join(ch for ch in name.split()[0].lower() if ch.isalnum())
            vendor = self.make(
                "Vendor",
                ms,
                name=name,
                nameOnCheck=name,
                companyName=name,
                accNumber=f"ACCT-{rng.randrange(10000, 99999)}",
                track1099=rng.random() < 0.2,
                address1=street,
                addressCity=city,
                addressState=state,
                addressZip=zip_code,
                addressCountry="USA",
                email=f"billing@{domain}.example",
                phone=self.phone(),
                contactFirstName=given,
                contactLastName=family,
                paymentTermId=rng.choice(self.terms)["id"],
            )
            if rng.random() < 0.2:
                account = self.make(
                    "VendorBankAccount",
                    ms,
                    vendorId=vendor["id"],
                    nameOnAcct=name,
                    accountNumber="******" + f"{rng.randrange(0, 10000):04d}",
                    routingNumber=rng.choice(("021000021", "121000248", "026009593")),
                    usersId=self.org.user_id,
                    status="1",
                )
                account["updatedTime"] = account["createdTime"]
                vendor["payBy"] = "1"
                vendor["vendorBankAccountStatus"] = 1
            if rng.random() < 0.04:
                vendor["isActive"] = "2"
            self.vendor_list.append(vendor)
        active = [v for v in self.vendor_list if v["isActive"] == "1"]
        self.active_vendors = active or self.vendor_list[:1]

    def customers(self) -> None:
        rng, seen = self.rng, set[str]()
        self.customer_list: list[dict[str, Any]] = []
        for ms in self.times(self.count("Customer")):
            name = self.unique(f"{rng.choice(_CUSTOMER_A)} {rng.choice(_CUSTOMER_B)}", seen)
            given, family = self.person()
            street, city, state, zip_code = self.address()
            email = f"{given}.{family}@example.com".lower()
            customer = self.make(
                "Customer",
                ms,
                name=name,
                companyName=name,
                contactFirstName=given,
                contactLastName=family,
                accNumber=f"C-{rng.randrange(10000, 99999)}",
                billAddress1=street,
                billAddressCity=city,
                billAddressState=state,
                billAddressCountry="USA",
                billAddressZip=zip_code,
                shipAddress1=street,
                shipAddressCity=city,
                shipAddressState=state,
                shipAddressCountry="USA",
                shipAddressZip=zip_code,
                email=email,
                phone=self.phone(),
                paymentTermId=rng.choice(self.terms)["id"],
            )
            if rng.random() < 0.5:
                self.make(
                    "CustomerContact",
                    ms,
                    customerId=customer["id"],
                    firstName=given,
                    lastName=family,
                    email=email,
                    phone=customer["phone"],
                )
            if rng.random() < 0.1:
                self.make(
                    "CustomerBankAccount",
                    ms,
                    customerId=customer["id"],
                    nameOnAccount=name,
                    nickname=name,
                    routingNumber="011401533",
                    accountNumber="******" + f"{rng.randrange(0, 10000):04d}",
                    status="1",
                    rndDepExpireDate=None,
                )
                customer["hasBankAccount"] = True
                customer["hasAuthorizedToCharge"] = True
            if rng.random() < 0.04:
                customer["isActive"] = "2"
            self.customer_list.append(customer)
        active = [c for c in self.customer_list if c["isActive"] == "1"]
        self.active_customers = active or self.customer_list[:1]
        for ms in self.times(self.count("Job") if self.active_customers else 0):
            customer = rng.choice(self.active_customers)
            number = rng.randrange(100, 999)
            self.make(
                "Job", ms, name=f"{customer['name']} project {number}", shortName=f"P{number}"
            )

    # -- AP: bills, payments, approvals -------------------------------------------------------

    def bills(self) -> None:
        if not self.active_vendors:
            return
        rng, org = self.rng, self.org
        bank = self.banks[0]["id"]
        for n, ms in enumerate(self.times(self.count("Bill"))):
            vendor = rng.choice(self.active_vendors)
            invoice_date = self.date(ms, -rng.randrange(0, 10))
            terms = rng.choice((15, 30, 30, 45))
            bill = self.make(
                "Bill",
                ms,
                vendorId=vendor["id"],
                invoiceNumber=f"INV-{10000 + n}",
                invoiceDate=invoice_date,
                dueDate=(_dt.date.fromisoformat(invoice_date) + _dt.timedelta(terms)).isoformat(),
                glPostingDate=invoice_date,
                description=rng.choice((None, "Monthly service", "Supplies", "Project work")),
                poNumber=f"PO-{rng.randrange(1000, 9999)}" if rng.random() < 0.3 else None,
                createdBy=org.user_id,
                paymentTermId=vendor["paymentTermId"],
            )
            lines = []
            for order in range(rng.choice((1, 1, 1, 2, 2, 3))):
                line = fresh(LINE_TEMPLATES["BillLineItem"])
                line.update(
                    id=self.ids("BillLineItem"),
                    billId=bill["id"],
                    amount=money_cents(rng.randrange(2_000, 400_000)),
                    chartOfAccountId=rng.choice(self.expense_accounts)["id"],
                    departmentId=rng.choice(self.departments)["id"]
                    if rng.random() < 0.3
                    else ZERO_ID,
                    description=rng.choice((None, "Services rendered", "Materials", "Fees")),
                    createdTime=bill["createdTime"],
                    updatedTime=bill["createdTime"],
                    lineOrder=order,
                )
                lines.append(line)
            bill["billLineItems"] = lines
            refresh_bill(bill)
            amount = Decimal(str(bill["amount"]))
            draw = rng.random()
            due_ms = int(
                _dt.datetime.combine(
                    _dt.date.fromisoformat(bill["dueDate"]), _dt.time(12), _dt.UTC
                ).timestamp()
                * 1000
            )
            if draw < 0.45 and due_ms - 10 * _DAY_MS < self.end_ms:
                self.pay_bill(bill, vendor, amount, "2", min(due_ms, self.end_ms), bank)
            elif draw < 0.55:
                part = (amount * Decimal(rng.randrange(20, 80)) / 100).quantize(Decimal("0.01"))
                self.pay_bill(bill, vendor, part, "2", min(ms + 5 * _DAY_MS, self.end_ms), bank)
            elif draw < 0.62:
                self.pay_bill(bill, vendor, amount, "1", self.end_ms + 3 * _DAY_MS, bank)
            if amount >= 1000 and rng.random() < 0.6:
                self.approve(bill, paid=bill["paymentStatus"] in ("0", "4", "2"))

    def pay_bill(
        self,
        bill: dict[str, Any],
        vendor: dict[str, Any],
        amount: Decimal,
        status: str,
        when_ms: int,
        bank: str,
    ) -> None:
        online = status == "1" or self.rng.random() < 0.7
        process_date = self.date(when_ms)
        pay = self.make(
            "SentPay",
            min(when_ms, self.end_ms),
            processDate=process_date,
            amount=money(amount),
            status=status,
            name=vendor["name"],
            vendorId=vendor["id"],
            isOnline=online,
            bankAccountId=bank if online else ZERO_ID,
            chartOfAccountId=self.accounts[0]["id"],
            txnNumber=f"{self.rng.randrange(100000, 999999)}",
            toPrintCheck=not online and self.rng.random() < 0.3,
            source="1" if online else "0",
        )
        bill_pay = self.make(
            "BillPay",
            min(when_ms, self.end_ms),
            billId=bill["id"],
            sentPayId=pay["id"],
            name=bill["invoiceNumber"],
            amount=money(amount),
            paymentStatus="0" if status == "2" else "4",
            processDate=process_date,
            chartOfAccountId=pay["chartOfAccountId"],
            toPrintCheck=pay["toPrintCheck"],
        )
        pay["billPays"] = [bill_pay]
        if status == "1":
            bill["scheduledAmount"] = money(amount)
        else:
            bill["paidAmount"] = money(amount)
            bill["lastPaymentDate"] = process_date
        refresh_bill(bill)
        if bill["paymentStatus"] == "0":
            bill["fullPaymentDate"] = process_date
        if online and self.rng.random() < 0.25:
            self.make(
                "MoneyMovement",
                min(when_ms, self.end_ms),
                amount=money(-amount),
                bankAccountId=bank,
                entityId=pay["id"],
                movementType="1",
                processDate=process_date,
                description=f"Payment to {vendor['name']}",
            )

    def approve(self, bill: dict[str, Any], *, paid: bool) -> None:
        rng = self.rng
        # The demo user approves some bills first, so that its login has approvals waiting.
        first = rng.choice((0, 1))
        users = self.approvers[first : first + (2 if Decimal(str(bill["amount"])) >= 10000 else 1)]
        outcome = "3" if paid else rng.choice(("1", "1", "4", "3", "5"))
        rows = []
        for order, user in enumerate(users):
            if outcome == "3" or (outcome == "4" and order == 0):
                status = "3"
            elif outcome == "5" and order == 0:
                status = "5"
            else:
                status = "0"
            rows.append(
                {
                    "entity": "BillApprover",
                    "id": self.ids("BillApprover"),
                    "billId": bill["id"],
                    "usersId": user,
                    "sortOrder": order,
                    "approvalStatus": status,
                    "isActive": "1",
                    "createdTime": bill["createdTime"],
                    "updatedTime": bill["updatedTime"],
                }
            )
        if outcome == "4" and len(rows) == 1:
            outcome = "3"
        self.org.approvers[bill["id"]] = rows
        bill["approvalStatus"] = outcome

    def other_ap(self) -> None:
        if not self.active_vendors:
            return
        rng = self.rng
        for n, ms in enumerate(self.times(self.count("VendorCredit"))):
            vendor = rng.choice(self.active_vendors)
            amount = money_cents(rng.randrange(1_000, 80_000))
            self.make(
                "VendorCredit",
                ms,
                vendorId=vendor["id"],
                refNumber=f"VC-{500 + n}",
                creditDate=self.date(ms),
                glPostingDate=self.date(ms),
                amount=amount,
                appliedAmount=0,
                description="Returned goods",
                vendorCreditLineItems=[
                    {
                        "entity": "VendorCreditLineItem",
                        "amount": amount,
                        "chartOfAccountId": rng.choice(self.expense_accounts)["id"],
                    }
                ],
            )
        for ms in self.times(self.count("RecurringBill")):
            vendor = rng.choice(self.active_vendors)
            amount = money_cents(rng.randrange(5_000, 500_000))
            self.make(
                "RecurringBill",
                ms,
                vendorId=vendor["id"],
                timePeriod=rng.choice(("1", "2", "3")),
                frequencyPerTimePeriod=1,
                nextDueDate=self.date(self.end_ms, rng.randrange(1, 30)),
                daysInAdvance=rng.choice((0, 3, 7)),
                description=f"Recurring: {vendor['name']}",
                amount=amount,
                recurringBillLineItems=[
                    {
                        "entity": "RecurringBillLineItem",
                        "amount": amount,
                        "chartOfAccountId": rng.choice(self.expense_accounts)["id"],
                    }
                ],
            )

    # -- AR: invoices and received payments ---------------------------------------------------

    def invoices(self) -> None:
        if not self.active_customers:
            return
        rng = self.rng
        bank = self.banks[0]["id"]
        for n, ms in enumerate(self.times(self.count("Invoice"))):
            customer = rng.choice(self.active_customers)
            invoice_date = self.date(ms)
            terms = rng.choice((0, 15, 30, 30, 45))
            taxed = rng.random() < 0.3
            sent_ms = ms + rng.randrange(0, 2 * _DAY_MS)
            invoice = self.make(
                "Invoice",
                ms,
                customerId=customer["id"],
                invoiceNumber=f"{1000 + n}",
                invoiceDate=invoice_date,
                dueDate=self.date(ms, terms),
                glPostingDate=invoice_date,
                description=rng.choice((None, "Thank you for your business")),
                poNumber=f"PO-{rng.randrange(1000, 9999)}" if rng.random() < 0.2 else None,
                isToBeEmailed=rng.random() < 0.2,
                lastSentTime=format_ms(min(sent_ms, self.end_ms)) if rng.random() < 0.7 else None,
                itemSalesTax=self.sales_tax["id"] if taxed else ZERO_ID,
                salesTaxPercentage=8.25 if taxed else 0,
                terms="Due upon receipt" if terms == 0 else f"Net {terms}",
                createdBy=self.org.user_id,
            )
            lines = []
            for order in range(rng.choice((1, 1, 2, 2, 3, 4))):
                item = rng.choice(self.items)
                line = fresh(LINE_TEMPLATES["InvoiceLineItem"])
                line.update(
                    id=self.ids("InvoiceLineItem"),
                    invoiceId=invoice["id"],
                    itemId=item["id"],
                    quantity=rng.randrange(1, 10),
                    price=item["price"],
                    taxable=item["taxable"],
                    taxCode="Tax" if item["taxable"] else "Non",
                    createdTime=invoice["createdTime"],
                    updatedTime=invoice["createdTime"],
                    lineOrder=order,
                )
                lines.append(line)
            invoice["invoiceLineItems"] = lines
            refresh_invoice(invoice, Decimal(0))
            amount = Decimal(str(invoice["amount"]))
            draw = rng.random()
            if draw < 0.5:
                self.receive(invoice, customer, amount, ms + rng.randrange(1, 40) * _DAY_MS, bank)
            elif draw < 0.6:
                part = (amount * Decimal(rng.randrange(20, 80)) / 100).quantize(Decimal("0.01"))
                self.receive(invoice, customer, part, ms + rng.randrange(1, 20) * _DAY_MS, bank)

    def receive(
        self,
        invoice: dict[str, Any],
        customer: dict[str, Any],
        amount: Decimal,
        when_ms: int,
        bank: str,
    ) -> None:
        when_ms = min(when_ms, self.end_ms)
        charged = customer.get("hasAuthorizedToCharge") and self.rng.random() < 0.5
        pay = self.make(
            "ReceivedPay",
            when_ms,
            customerId=customer["id"],
            status="2" if charged else "0",
            paymentDate=self.date(when_ms),
            depositToAccountId=self.accounts[0]["id"],
            isOnline=bool(charged),
            paymentType="3" if charged else self.rng.choice(("0", "1", "1", "2", "5")),
            amount=money(amount),
            unappliedAmount=0,
            refNumber=f"{self.rng.randrange(1000, 99999)}",
            payToBankAccountId=bank if charged else ZERO_ID,
        )
        invoice_pay = self.make(
            "InvoicePay",
            when_ms,
            invoiceId=invoice["id"],
            receivedPayId=pay["id"],
            amount=money(amount),
            paymentStatus="0",
        )
        pay["invoicePays"] = [invoice_pay]
        refresh_invoice(invoice, amount)

    def other_ar(self) -> None:
        if not self.active_customers:
            return
        rng = self.rng
        for n, ms in enumerate(self.times(self.count("CreditMemo"))):
            customer = rng.choice(self.active_customers)
            self.make(
                "CreditMemo",
                ms,
                customerId=customer["id"],
                refNumber=f"CM-{300 + n}",
                creditDate=self.date(ms),
                amount=money_cents(rng.randrange(1_000, 50_000)),
                appliedAmount=0,
                description="Credit for returned items",
            )
        for ms in self.times(self.count("RecurringInvoice")):
            customer = rng.choice(self.active_customers)
            item = rng.choice(self.items)
            self.make(
                "RecurringInvoice",
                ms,
                customerId=customer["id"],
                timePeriod=rng.choice(("1", "2", "3")),
                frequencyPerTimePeriod=1,
                nextDueDate=self.date(self.end_ms, rng.randrange(1, 30)),
                daysInAdvance=rng.choice((0, 5)),
                description=f"Subscription: {item['name']}",
                amount=item["price"],
                recurringInvoiceLineItems=[
                    {
                        "entity": "RecurringInvoiceLineItem",
                        "itemId": item["id"],
                        "quantity": 1,
                        "price": item["price"],
                    }
                ],
            )

    def balances(self) -> None:
        owed: dict[str, Decimal] = {}
        for bill in self.org.all("Bill"):
            if bill["isActive"] == "1":
                owed[bill["vendorId"]] = owed.get(bill["vendorId"], Decimal(0)) + Decimal(
                    str(bill["dueAmount"])
                )
        for vendor in self.org.all("Vendor"):
            vendor["balance"] = vendor["acctBalance"] = money(owed.get(vendor["id"], Decimal(0)))
        due: dict[str, Decimal] = {}
        for invoice in self.org.all("Invoice"):
            if invoice["isActive"] == "1":
                due[invoice["customerId"]] = due.get(invoice["customerId"], Decimal(0)) + Decimal(
                    str(invoice["amountDue"])
                )
        for customer in self.org.all("Customer"):
            customer["balance"] = money(due.get(customer["id"], Decimal(0)))


def seed_org(state: State, org: OrgData) -> None:
    """Fill ``org`` with its demo data (deterministic for the config's seed and scale)."""
    seeder = _Seeder(state, org)
    seeder.skeleton()
    seeder.vendors()
    seeder.customers()
    seeder.bills()
    seeder.other_ap()
    seeder.invoices()
    seeder.other_ar()
    seeder.balances()
