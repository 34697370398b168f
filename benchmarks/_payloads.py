"""The canned BILL answers and the credentials every scenario uses."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = [
    "DEV_KEY",
    "LOGIN_ENVELOPE",
    "ORG_ID",
    "SESSION_ID",
    "VENDOR_ENVELOPE",
    "VENDOR_ID",
    "credential",
]

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"

DEV_KEY = "bench-dev-key"
ORG_ID = "00802BENCHMARKORG001"
SESSION_ID = "!bench-session-0001"
VENDOR_ID = "00902YSABCAKZHY25m0r"

# The real 99-field Vendor payload from the sandbox, as BILL sends it.
VENDOR_ENVELOPE = (FIXTURES / "Crud_Read_Vendor.json").read_bytes()
LOGIN_ENVELOPE = json.dumps(
    {
        "response_status": 0,
        "response_message": "Success",
        "response_data": {
            "sessionId": SESSION_ID,
            "orgId": ORG_ID,
            "apiEndPoint": "https://api.bill.com/api/v2",
            "usersId": "00602BENCHMARKUSER01",
        },
    },
    separators=(",", ":"),
).encode()


def credential() -> object:
    """A ``CredentialLogin`` the canned server accepts (it accepts anything)."""
    import bill_async

    return bill_async.CredentialLogin(
        user_name="bench@example.com", password="bench-password", org_id=ORG_ID, dev_key=DEV_KEY
    )
