"""The ``BILL_*`` variables that sign ``bill-async`` in to an emulator as its demo account."""

from __future__ import annotations

from bill_async.emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME, RunningEmulator


def demo_env(served: RunningEmulator, **extra: str) -> dict[str, str]:
    """The demo account at ``served``'s first organization, v2 and v3; ``extra`` added."""
    return {
        "BILL_DEV_KEY": DEMO_DEV_KEY,
        "BILL_ORG_ID": served.emulator.org_ids[0],
        "BILL_USER_NAME": DEMO_USER_NAME,
        "BILL_PASSWORD": DEMO_PASSWORD,
        "BILL_BASE_URL": served.base_url,
        "BILL_V3_BASE_URL": served.v3_base_url,
        **extra,
    }
