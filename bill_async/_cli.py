"""The ``bill-async`` command: ``sync``, ``listen``, ``whoami``, ``list`` and ``emulator``.

Credentials come from the environment: ``BILL_DEV_KEY``, ``BILL_ORG_ID``, and either
``BILL_USER_NAME`` + ``BILL_PASSWORD`` or ``BILL_TOKEN_NAME`` + ``BILL_TOKEN_VALUE``;
``BILL_BASE_URL`` picks the host (production by default). ``--emulator`` runs against the
embedded BILL emulator with its demo data instead, so that it works without an account. With
neither, the command refuses (exit code 2) rather than export demo data where real data was
meant: a cron job that lost its environment must fail, not write demo organizations.

Bad input gets one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import socket
import sqlite3
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import anyio
import attrs

from ._core._auth import AuthStrategy, CredentialLogin, auth_from_env
from ._core._limits import Limits
from ._core._redact import fingerprint
from ._core._session_file import FileSessionStore, default_session_file
from ._exceptions import BillError, ConfigurationError, InvalidRequestError
from ._sync import LISTABLE, SyncResult, open_database, resolve_entities, sync
from ._v2._client import PRODUCTION_URL, SANDBOX_URL, Client
from ._v2._pagination import OPERATORS, Filter
from ._version import __version__
from .v3._client import PRODUCTION_URL as V3_PRODUCTION_URL
from .v3._client import SANDBOX_URL as V3_SANDBOX_URL
from .v3._client import Client as V3Client
from .v3._sync import open_v3_database, resolve_v3_lists, sync_v3

__all__ = ["main"]


class UsageError(Exception):
    """Bad input: reported as one line, exit code 2."""


@attrs.frozen
class Connection:
    """Where and as whom the command talks to BILL."""

    auth: AuthStrategy
    base_url: str
    embedded: bool
    v3_base_url: str | None = None  # the embedded emulator's (else see _v3_base_url)


def credentials_from_env(env: Mapping[str, str]) -> Connection | None:
    """The sign-in the environment describes; None when it names none. Raises UsageError."""
    try:
        auth = auth_from_env(env)
    except ConfigurationError as error:
        raise UsageError(str(error)) from None
    if auth is None:
        return None
    return Connection(auth, env.get("BILL_BASE_URL") or PRODUCTION_URL, embedded=False)


NO_CREDENTIALS = (
    "no BILL credentials: set BILL_DEV_KEY, BILL_ORG_ID and BILL_USER_NAME/BILL_PASSWORD "
    "(or BILL_TOKEN_NAME/BILL_TOKEN_VALUE), or pass --emulator to use the embedded emulator's "
    "demo data"
)


def chosen_connection(env: Mapping[str, str], emulator: bool) -> Connection | None:
    """The environment's sign-in; None for ``--emulator``. Raises UsageError when the
    environment names no sign-in and ``--emulator`` was not given."""
    if emulator:
        return None
    found = credentials_from_env(env)
    if found is None:
        raise UsageError(NO_CREDENTIALS)
    return found


@contextlib.contextmanager
def connect(found: Connection | None) -> Iterator[Connection]:
    """``found``, or (for None) the embedded emulator with its demo account."""
    if found is not None:
        yield found
        return
    try:
        from .emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME, running_emulator
    except ImportError as missing:  # uvicorn is an extra
        raise UsageError(
            f"--emulator needs 'pip install bill-async[emulator]' ({missing})"
        ) from None
    with running_emulator() as served:
        print(
            f"Using the embedded emulator (v2 {served.base_url}, v3 {served.v3_base_url}) "
            "with its demo data.",
            file=sys.stderr,
        )
        org_id = served.emulator.org_ids[0]
        auth = CredentialLogin(DEMO_USER_NAME, DEMO_PASSWORD, org_id, DEMO_DEV_KEY)
        yield Connection(auth, served.base_url, embedded=True, v3_base_url=served.v3_base_url)


def _fail(message: str) -> NoReturn:
    raise UsageError(message)


# -- sync -----------------------------------------------------------------------------------------


def _check_writable(path: Path) -> None:
    if path.exists() and path.is_dir():
        _fail(f"--out {path} is a directory")
    parent = path.resolve().parent
    if not parent.is_dir():
        _fail(f"--out {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        _fail(f"--out {path} is not writable")


async def _run_sync(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    found = chosen_connection(env, args.emulator)  # before anything is opened or written
    try:
        if args.api == "v3":
            entities = resolve_v3_lists(args.entity or [])
        else:
            entities = resolve_entities(args.entity or [])
    except ValueError as unknown:
        _fail(str(unknown))
    postgres = _is_postgres_url(args.out)
    shown = _shown_url(args.out) if postgres else args.out
    if not postgres:
        _check_writable(Path(args.out))
    async with contextlib.AsyncExitStack() as stack:
        # A database that cannot be reached stops the run before anything is sent to BILL.
        database: Any = await _open_postgres(stack, args, entities) if postgres else None
        where = stack.enter_context(connect(found))
        shared = await _shared_stores(stack, args, env, where)
        if args.api == "v3":
            client: Any = await stack.enter_async_context(
                V3Client(where.auth, base_url=_v3_base_url(where, env), **shared)
            )
            orgs: dict[str, str] = {}  # v3 signs in to one organization: BILL_ORG_ID or --org
            org_ids = list(dict.fromkeys(args.org or [where.auth.org_id]))
        else:
            client = await stack.enter_async_context(
                Client(where.auth, base_url=where.base_url, **shared)
            )
            orgs = await _reachable_orgs(client, args.org or [])
            org_ids = _chosen_orgs(args, orgs, where)
        if database is None:
            database = await _open_sqlite(stack, args, entities)
        from ._progress import Progress

        progress = Progress(sys.stderr, org_names=orgs, pairs=len(org_ids) * len(entities))
        export = sync_v3 if args.api == "v3" else sync
        with contextlib.nullcontext() if args.quiet else progress:
            result = await export(
                client,
                database,
                org_ids,
                entities,
                full=args.full,
                progress=None if args.quiet else progress,
            )
        spent = LoginsSpent(client.logins, client.limits, "redis" if args.redis_url else "here")
    _print_summary(result, shown, org_ids, spent)
    return 1 if result.failed else 0


async def _open_sqlite(
    stack: contextlib.AsyncExitStack, args: argparse.Namespace, entities: list[str]
) -> sqlite3.Connection:
    opener = open_v3_database if args.api == "v3" else open_database
    try:
        # In a thread: it may wait for other workers opening the same file.
        database = await anyio.to_thread.run_sync(opener, Path(args.out), entities)
    except (sqlite3.Error, OSError) as error:
        _fail(f"--out {args.out} cannot be written: {error}")
    stack.callback(database.close)
    return database


async def _open_postgres(
    stack: contextlib.AsyncExitStack, args: argparse.Namespace, entities: list[str]
) -> Any:
    shown = _shown_url(args.out)
    try:
        import psycopg

        from ._postgres import PostgresExport, PostgresV3Export
    except ImportError as missing:
        _fail(f"--out {shown} needs 'pip install bill-async[postgres]' ({missing})")
    opener = PostgresV3Export.open if args.api == "v3" else PostgresExport.open
    try:
        database: PostgresExport | PostgresV3Export = await opener(args.out, entities)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        _fail(f"--out {shown}: {reason}")
    stack.push_async_callback(database.aclose)
    return database


def _is_postgres_url(text: str) -> bool:
    """Whether ``--out`` names a PostgreSQL database rather than a SQLite file."""
    return text.startswith(("postgresql://", "postgres://"))


def _shown_url(url: str) -> str:
    """A database URL with its password masked, for messages and summaries."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*:)[^@]*@", r"\1***@", url)


async def _reachable_orgs(client: Client, named: Sequence[str]) -> dict[str, str]:
    """The organizations the sign-in reaches (ListOrgs), id -> name. The ``named`` ones sign in
    meanwhile: the export's first pages go out a round trip sooner. A sign-in refused here is
    left to the export to report (or, for an organization ListOrgs does not name, to
    ``_chosen_orgs``); a session already in the stores is adopted, not made again."""
    reachable: dict[str, str] = {}

    async def list_orgs() -> None:
        reachable.update({org.org_id: org.org_name for org in await client.list_orgs()})

    async def sign_in(org_id: str) -> None:
        with contextlib.suppress(BillError):
            await client.for_org(org_id).login()

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(list_orgs)
            for org_id in dict.fromkeys(named):
                group.start_soon(sign_in, org_id)
    except BaseExceptionGroup as failed:
        # Only ListOrgs raises (the sign-ins keep their refusals): its error, as callers know it.
        if len(failed.exceptions) == 1:
            raise failed.exceptions[0] from None
        raise
    return reachable


def _chosen_orgs(args: argparse.Namespace, orgs: Mapping[str, str], where: Connection) -> list[str]:
    """The organizations to export: ``--org`` (each one the sign-in reaches), or all."""
    if not args.org:
        return list(orgs) if orgs else [where.auth.org_id]
    strangers = [org for org in args.org if org not in orgs]
    if strangers:
        _fail(
            f"unknown organization {', '.join(strangers)}; this sign-in reaches "
            f"{', '.join(sorted(orgs)) or 'none'}"
        )
    return list(dict.fromkeys(args.org))


def _v3_base_url(where: Connection, env: Mapping[str, str]) -> str:
    """Where v3 is: the emulator's, ``BILL_V3_BASE_URL``, or the v3 twin of v2's sandbox or
    production. A v2 address of another kind names no v3 one: the user must say."""
    if where.v3_base_url is not None:
        return where.v3_base_url
    named = env.get("BILL_V3_BASE_URL")
    if named:
        return named
    twins = {SANDBOX_URL: V3_SANDBOX_URL, PRODUCTION_URL: V3_PRODUCTION_URL}
    if where.base_url in twins:
        return twins[where.base_url]
    _fail(f"--api v3: BILL_BASE_URL is {where.base_url}; set BILL_V3_BASE_URL to v3's address")


async def _shared_stores(
    stack: contextlib.AsyncExitStack,
    args: argparse.Namespace,
    env: Mapping[str, str],
    where: Connection,
) -> dict[str, Any]:
    """The session store and limits to share: Redis's (``--redis-url``), else a session file
    for real accounts, else the client's own."""
    if args.redis_url:
        try:
            from .redis import redis_stores
        except ImportError as missing:
            _fail(f"--redis-url needs 'pip install bill-async[redis]' ({missing})")
        if args.redis_fallback:
            # The fall-back is logged as a WARNING; its RuntimeWarning, for library users,
            # would say it a second time.
            stack.enter_context(warnings.catch_warnings())
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"bill_async\.")
        stores = await stack.enter_async_context(
            redis_stores(args.redis_url, fallback=args.redis_fallback)
        )
        await stores.ping()  # an unreachable Redis stops the run before anything is sent
        return {"session_store": stores.session_store, "limits": stores.limits}
    if where.embedded:
        return {}
    return _session_file(args, env, where.base_url)


def _session_file(
    args: argparse.Namespace, env: Mapping[str, str], base_url: str
) -> dict[str, Any]:
    """The store that lets the next run go on with this run's sessions (never the export
    database: a file of the user's own, readable by the user alone)."""
    if args.no_session_file:
        return {}
    path = Path(args.session_file) if args.session_file else default_session_file(env)
    if path is None:
        return {}
    return {"session_store": FileSessionStore(path, scope=fingerprint(base_url))}


@attrs.frozen
class LoginsSpent:
    """What a run spent of BILL's 200 logins an hour, for the summary."""

    logins: int  # Login.json calls that gave a session (ListOrgs spends the budget too)
    limits: Limits
    counted: str  # "here" (this process) or "redis" (the fleet)


def _print_summary(
    result: SyncResult, out: str, org_ids: Sequence[str], spent: LoginsSpent
) -> None:
    per_entity: dict[str, int] = {}
    for target in result.targets:
        per_entity[target.entity] = per_entity.get(target.entity, 0) + target.written
    busiest = ", ".join(
        f"{name} {count}"
        for name, count in sorted(per_entity.items(), key=lambda kv: -kv[1])[:6]
        if count
    )
    print(
        f"Synced {len(org_ids)} organization(s), {len(per_entity)} entities into {out}: "
        f"{result.written} records written ({result.fetched} fetched), "
        f"{result.api_calls} API calls, {result.elapsed:.1f} s elapsed."
    )
    if busiest:
        print(f"Most written: {busiest}.")
    limits = spent.limits
    counted = "by the fleet, in Redis" if spent.counted == "redis" else "in this process"
    print(
        f"Logins: {spent.logins} this run; BILL's hourly login budget: {limits.logins_used} of "
        f"{limits.logins_used + limits.logins_remaining} used ({counted})."
    )
    for target in result.failed:
        print(f"FAILED {target.org_id} {target.entity}: {target.error}", file=sys.stderr)


# -- listen ---------------------------------------------------------------------------------------


async def _run_listen(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    found = chosen_connection(env, args.emulator)
    if found is not None and not args.public_url:
        _fail("--public-url is needed: the address BILL delivers to (https://.../bill/webhooks)")
    out = Path(args.out)
    _check_writable(out)
    try:
        import uvicorn
    except ImportError as missing:
        _fail(f"listen needs 'pip install bill-async[emulator]' for its server ({missing})")
    from ._listen import Listener

    listening = _bound_socket(args.host, args.port)
    url = args.public_url or f"http://{args.host}:{listening.getsockname()[1]}/bill/webhooks"
    async with contextlib.AsyncExitStack() as stack:
        where = stack.enter_context(connect(found))
        shared = await _shared_stores(stack, args, env, where)
        client = await stack.enter_async_context(
            V3Client(where.auth, base_url=_v3_base_url(where, env), **shared)
        )
        listener = Listener(
            client, out, url, where.auth.org_id, sync_every=args.sync_every, grace=args.key_grace
        )
        stack.callback(listener.close)
        config = uvicorn.Config(listener.app(), log_level="warning", lifespan="off")
        server = uvicorn.Server(config)

        def say(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

        async with anyio.create_task_group() as group:
            group.start_soon(server.serve, [listening])
            await listener.start()
            say(f"Listening at {url} (subscription {listener.subscription_id}); {out} is current.")
            with anyio.move_on_after(args.duration if args.duration else math.inf):
                await listener.run(report=say, report_every=args.report_every)
            server.should_exit = True
        print(await listener.status_line())
    return 0


def _bound_socket(host: str, port: int) -> socket.socket:
    """The receiver's listening socket, bound before anything is subscribed: a port in use
    fails the command before BILL is told to deliver there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio turns Nagle off only on sockets that do, and with Nagle on,
    # each delivery waited 40 ms for a delayed ACK (44 ms a delivery against 2).
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        _fail(f"cannot listen on {host}:{port}: {error.strerror}")
    return listening


# -- whoami, list ---------------------------------------------------------------------------------


async def _run_whoami(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    with connect(chosen_connection(env, args.emulator)) as where:
        async with Client(where.auth, base_url=where.base_url) as client:
            info = await client.session.get_info()
            orgs = await client.list_orgs()
    names = {org.org_id: org.org_name for org in orgs}
    kind = "token" if where.auth.is_token else "user"
    print(f"{kind}: {where.auth.credentials().user_name}")
    print(f"user id: {info.get('userId') if isinstance(info, dict) else None}")
    print(f"organization: {where.auth.org_id} {names.get(where.auth.org_id, '')}".rstrip())
    print(f"base url: {where.base_url}")
    if len(names) > 1:
        print(f"reachable organizations: {len(names)}")
    return 0


def _parse_filter(text: str) -> Filter:
    parts = text.split(None, 2)
    if len(parts) != 3 or parts[1] not in OPERATORS:
        operators = " ".join(sorted(OPERATORS))
        _fail(f"--filter {text!r}: write 'FIELD OP VALUE' with OP one of {operators}")
    field, op, value = parts
    parsed: Any = [v.strip() for v in value.split(",")] if op in ("in", "nin") else value
    return Filter(field, op, parsed)


async def _run_list(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    try:
        (entity,) = resolve_entities([args.entity])
    except ValueError as unknown:
        _fail(str(unknown))
    filters = [_parse_filter(text) for text in args.filter or []]
    endpoint = LISTABLE[entity]
    with connect(chosen_connection(env, args.emulator)) as where:
        async with Client(where.auth, base_url=where.base_url) as client:
            group = getattr(client, endpoint.group)
            pager = group.list(filters=filters, limit=args.limit)
            async for record in pager:
                if args.json:
                    print(json.dumps(record.to_wire(), default=str))
                else:
                    name = getattr(record, "name", None) or getattr(record, "invoice_number", "")
                    active = (
                        "" if getattr(record, "is_active", True) is not False else " (inactive)"
                    )
                    print(f"{record.id}  {name or ''}{active}")
    return 0


# -- the command ----------------------------------------------------------------------------------


SIGN_IN_HELP = f"""\
sign-in (read from the environment unless --emulator is given):
  BILL_DEV_KEY      the developer key
  BILL_ORG_ID       the organization to sign in to
  BILL_USER_NAME    a user's name, with BILL_PASSWORD, or
  BILL_PASSWORD     (a credential session: every operation, MFA where BILL asks for it)
  BILL_TOKEN_NAME   a sync token's name, with BILL_TOKEN_VALUE
  BILL_TOKEN_VALUE  (a token session: refused what BILL forbids tokens, such as paying)
  BILL_BASE_URL     the API's address (default: production, {PRODUCTION_URL};
                    BILL's sandbox: {SANDBOX_URL})
  --emulator        none of these: the embedded emulator and its demo data
With neither the variables nor --emulator, the command stops (exit code 2)."""

EMULATOR_HELP = """\
The SDK and the other commands reach it through the BILL_* variables, for example:
  BILL_BASE_URL=http://127.0.0.1:8089/api/v2 BILL_DEV_KEY=demo-dev-key
  BILL_ORG_ID=<an organization it prints> BILL_USER_NAME=demo@example.com
  BILL_PASSWORD=demo-password bill-async whoami
(sync, whoami and list --emulator start an emulator of their own instead.)"""


def _subcommand(
    commands: Any, name: str, parents: list[argparse.ArgumentParser], help: str, epilog: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        parents=parents,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps the epilog's table
    )
    return parser


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command's parser. The emulator's options are added only for a command line that
    names it (``argv`` None: always), so that the other commands do not import the emulator."""
    parser = argparse.ArgumentParser(
        prog="bill-async",
        description="Export, keep current, inspect and emulate BILL (Bill.com) organizations.",
        epilog=SIGN_IN_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"bill-async {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # The sign-in, shared by the commands that talk to BILL.
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument(
        "--emulator",
        action="store_true",
        help="run against the embedded BILL emulator and its demo data (no account needed; "
        "the BILL_* variables are ignored)",
    )

    # Where sessions and BILL's limits are kept, shared by the commands that run for long.
    stores = argparse.ArgumentParser(add_help=False)
    stores.add_argument(
        "--redis-url",
        metavar="URL",
        help="share sessions and BILL's limits with other worker processes through Redis",
    )
    stores.add_argument(
        "--redis-fallback",
        action="store_true",
        help="if Redis stays unreachable, go on with this process's own limits (with a "
        "warning) until it answers again",
    )
    stores.add_argument(
        "--session-file",
        metavar="PATH",
        help="keep sessions here between runs, readable by you alone, so that the next run "
        "signs in again only once they idle out (default: "
        "$XDG_STATE_HOME/bill-async/sessions.json or ~/.local/state/bill-async/sessions.json;"
        " not with --redis-url, which shares them in Redis)",
    )
    stores.add_argument(
        "--no-session-file",
        action="store_true",
        help="sign in afresh, and keep no session for the next run",
    )

    sync_parser = _subcommand(
        commands,
        "sync",
        [connection, stores],
        "export organizations into SQLite or PostgreSQL, incrementally",
        SIGN_IN_HELP,
    )
    sync_parser.add_argument(
        "--out",
        required=True,
        help="the SQLite file to write, or a PostgreSQL database (postgresql://USER:PASSWORD@"
        "HOST/DB; pip install 'bill-async[postgres]')",
    )
    sync_parser.add_argument(
        "--api",
        choices=("v2", "v3"),
        default="v2",
        help="which of BILL's APIs to export through (default: v2). v3 writes tables of its own "
        "(v3_vendors, ...) and exports the organization signed in to (BILL_ORG_ID), or each "
        "--org",
    )
    sync_parser.add_argument(
        "--org",
        action="append",
        metavar="ORG_ID",
        help="an organization (repeatable; default: every one the sign-in reaches)",
    )
    sync_parser.add_argument(
        "--entity",
        action="append",
        metavar="NAME",
        help="an entity such as Vendor or bills (repeatable; default: every listable one)",
    )
    sync_parser.add_argument(
        "--full", action="store_true", help="ignore the checkpoints and fetch everything again"
    )
    sync_parser.add_argument(
        "--quiet",
        action="store_true",
        help="print only the summary (otherwise: a live display on a terminal, a line per "
        "finished organization and entity elsewhere, or under TERM=dumb)",
    )
    listen_parser = _subcommand(
        commands,
        "listen",
        [connection, stores],
        "keep a v3 export current from BILL's webhook events",
        SIGN_IN_HELP,
    )
    listen_parser.add_argument(
        "--out", required=True, help="the SQLite file of `sync --api v3` (made if missing)"
    )
    listen_parser.add_argument(
        "--host", default="127.0.0.1", help="the address to receive on (default: 127.0.0.1)"
    )
    listen_parser.add_argument(
        "--port", type=int, default=0, help="the port to receive on (default: any free one)"
    )
    listen_parser.add_argument(
        "--public-url",
        metavar="URL",
        help="where BILL delivers (https://.../bill/webhooks, reaching this receiver; needed "
        "unless --emulator, which delivers to the receiver's own address)",
    )
    listen_parser.add_argument(
        "--sync-every",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="an incremental sync this often, for what BILL did not deliver (default: 300)",
    )
    listen_parser.add_argument(
        "--report-every",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="a line on stderr this often: events applied, their delivery-to-database time, "
        "what waits (default: 60)",
    )
    listen_parser.add_argument(
        "--key-grace",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long the previous security key stays valid after a rotation (default: 300)",
    )
    listen_parser.add_argument(
        "--duration",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="stop after this long (default: until interrupted)",
    )

    _subcommand(
        commands, "whoami", [connection], "show who the credentials sign in as", SIGN_IN_HELP
    )

    list_parser = _subcommand(
        commands, "list", [connection], "list the records of one entity", SIGN_IN_HELP
    )
    list_parser.add_argument("entity", help="an entity such as Vendor or bills")
    list_parser.add_argument(
        "--filter",
        action="append",
        metavar="'FIELD OP VALUE'",
        help="for example 'isActive = 1' (repeatable)",
    )
    list_parser.add_argument("--json", action="store_true", help="one JSON record per line")
    list_parser.add_argument("--limit", type=int, default=None, help="at most this many records")

    emulator_parser = _subcommand(
        commands, "emulator", [], "serve the local BILL v2 emulator", EMULATOR_HELP
    )
    if argv is not None and "emulator" not in argv:
        return parser
    try:
        from .emulator import add_cli_arguments
    except ImportError:
        emulator_parser.set_defaults(emulator_missing=True)
    else:
        add_cli_arguments(emulator_parser)
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command; returns the exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(arguments).parse_args(arguments)
    environment = os.environ if env is None else env
    try:
        if args.command == "emulator":
            if getattr(args, "emulator_missing", False):
                _fail("the emulator needs 'pip install bill-async[emulator]'")
            from .emulator import run_cli

            return int(run_cli(args))
        runner = {
            "sync": _run_sync,
            "listen": _run_listen,
            "whoami": _run_whoami,
            "list": _run_list,
        }[args.command]
        return anyio.run(runner, args, environment)
    except (UsageError, InvalidRequestError) as error:  # bad input, refused before sending
        print(f"bill-async {args.command}: {error}", file=sys.stderr)
        return 2
    except BillError as error:
        print(f"bill-async {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"bill-async {args.command}: interrupted; what was written is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`bill-async list ... | head`): stop quietly, as `yes | head`
        # does. Python would fail again flushing stdout at exit, so point it at nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    raise SystemExit(main())
