"""A local BILL emulator: an ASGI app that behaves like BILL's v2 and v3 APIs on one set of
data, served over real HTTP.

Install with ``pip install 'bill-async[emulator]'`` (uvicorn is needed only to serve it)::

    from bill_async.emulator import running_emulator

    with running_emulator() as running:          # a real uvicorn on a free loopback port
        auth = bill_async.CredentialLogin(
            user_name=DEMO_USER_NAME, password=DEMO_PASSWORD,
            org_id=running.emulator.org_ids[0], dev_key=DEMO_DEV_KEY,
        )
        async with bill_async.Client(auth, base_url=running.base_url) as client: ...

or from a shell: ``bill-async emulator --port 8089`` (or ``python -m bill_async.emulator``).

BILL's v3 API is served under ``/connect/v3/...`` on the same state (``running.v3_base_url``,
the base ``bill_async.v3.Client`` takes): a record written through either API is read back
through the other, and the limits are counted over both. Its rules and choices are those of
``bill_async/emulator/_v3/_face.py`` and docs/decisions.md.

It answers every operation of ``bill_async.ENDPOINTS`` with BILL's envelope (errors with HTTP
200), enforces BILL's rules itself (idle sessions: BDC_1109; more than 3 in flight per devKey
and organization: BDC_1322; hourly budgets: BDC_1144; token sessions: ``TOKEN_REFUSED``; MFA:
``MFA_REQUIRED``), refuses bad input with BILL's codes and messages (required fields, a name
over 100 characters, datatypes, code lists, ids, List options, a missing devKey, ``data`` that
is not JSON; docs/decisions.md gives each rule's source), and has knobs for tests: latency,
injected HTTP 5xx, dropped connections.

It is BILL's webhook sender too: the webhooks API under ``/connect-events/v3/...`` (subscriptions,
key rotation, the catalogue, event history, resend, test events), and every change made through
either face to a vendor, bill, invoice or payment sent as a signed event to the subscribers'
loopback URLs, with BILL's retries and disabling and knobs for duplicates, reordering, delays
and spoiled deliveries (``emulator.webhooks``; ``bill_async/emulator/_webhooks/``).

The demo account: devKey ``demo-dev-key``, user ``demo@example.com`` / ``demo-password``, sync
token ``demo-token`` / ``demo-token-value``, MFA code ``123456``, and four organizations of
deterministic demo data.
"""

from __future__ import annotations

from ._app import API_PREFIX as API_PREFIX
from ._app import ConnectionDropped as ConnectionDropped
from ._app import Emulator as Emulator
from ._app import create_app as create_app
from ._config import DEMO_DEV_KEY as DEMO_DEV_KEY
from ._config import DEMO_MFA_CODE as DEMO_MFA_CODE
from ._config import DEMO_ORG_NAMES as DEMO_ORG_NAMES
from ._config import DEMO_PASSWORD as DEMO_PASSWORD
from ._config import DEMO_TOKEN_NAME as DEMO_TOKEN_NAME
from ._config import DEMO_TOKEN_VALUE as DEMO_TOKEN_VALUE
from ._config import DEMO_USER_NAME as DEMO_USER_NAME
from ._config import EmulatorConfig as EmulatorConfig
from ._config import Latency as Latency
from ._config import ManualClock as ManualClock
from ._errors import MFA_REQUIRED as MFA_REQUIRED
from ._errors import TOKEN_REFUSED as TOKEN_REFUSED
from ._server import RunningEmulator as RunningEmulator
from ._server import add_cli_arguments as add_cli_arguments
from ._server import run_cli as run_cli
from ._server import running_emulator as running_emulator
from ._server import serve as serve
from ._state import Counters as Counters
from ._state import WebhookCounters as WebhookCounters
from ._webhooks import Webhooks as Webhooks

__all__ = [
    "API_PREFIX",
    "ConnectionDropped",
    "Counters",
    "DEMO_DEV_KEY",
    "DEMO_MFA_CODE",
    "DEMO_ORG_NAMES",
    "DEMO_PASSWORD",
    "DEMO_TOKEN_NAME",
    "DEMO_TOKEN_VALUE",
    "DEMO_USER_NAME",
    "Emulator",
    "EmulatorConfig",
    "Latency",
    "MFA_REQUIRED",
    "ManualClock",
    "RunningEmulator",
    "TOKEN_REFUSED",
    "WebhookCounters",
    "Webhooks",
    "add_cli_arguments",
    "create_app",
    "run_cli",
    "running_emulator",
    "serve",
]
