"""``bill-async sync --api v3``: an incremental export of BILL organizations through v3.

The v3 export lives beside v2's in the same kind of SQLite file, in tables of its own: one per
exported list, named ``v3_`` and the group (``v3_vendors``, ``v3_bills``, ...), each with the id as
primary key, the organization, ``updated_time``, ``archived`` and the record exactly as BILL sent
it as JSON in ``wire`` (SQLite's ``json_extract`` reads any field), less the keys that are
other records' (``DERIVED``: a bill's ``vendorName``, a vendor's or customer's ``balance``), which
change without moving the record's ``updatedTime``. ``v3_checkpoints`` holds, per
(organization, list), the ``updatedTime`` of the last record written.

Incremental: the next run asks only for records updated at or after the checkpoint
(``filters=updatedTime:gte:"..."``), oldest first (``sort=updatedTime:asc,id:asc``). v3 pages by
an opaque cursor, and a cursor that counts positions shifts when a record it has passed is
updated and moves to the end: a record never given could slip past it. So each page after the
first is asked for afresh from the last record's ``updatedTime`` (the records at that very time,
already written, are dropped), and the cursor is followed only through a run of records that
all share one ``updatedTime``. Each page is written in one transaction together with its
checkpoint: an interrupted run leaves the database consistent, and its checkpoint never gets
ahead of what was written.

A row is replaced only by a record at least as recent as the one it holds, so the export can be
written by events (``bill-async listen``) and by sync at once without going back in time.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import sqlite3
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from .._sync import (
    Progress,
    SyncResult,
    SyncTarget,
    _ExportDatabase,
    _use_wal,
    _Writer,
    match_names,
    run_targets,
)
from .._v2._pagination import Filter, Sort
from .._v2._wire import dumps
from ._client import Client
from ._endpoints import OPERATIONS, Operation
from ._pagination import MAX_PAGE_SIZE, list_query
from ._pagination import _page as read_page

__all__ = [
    "EXPORTED",
    "V3ExportWriter",
    "open_v3_database",
    "record_rows",
    "resolve_v3_lists",
    "sync_v3",
    "upsert_records",
]

# The v3 lists the export holds: every organization-wide list of records with an updatedTime.
_EXPORTED_GROUPS = (
    "vendors",
    "customers",
    "bills",
    "invoices",
    "credit_memos",
    "vendor_credits",
    "payments",
    "receivable_payments",
    "accounting_classes",
    "chart_of_accounts",
    "departments",
    "employees",
    "items",
    "jobs",
    "locations",
)
# Keys a record shows that are other records', worked out when it is read: a bill's vendorName
# is its vendor's name, a vendor's (customer's) balance what its bills (invoices) still have due.
# They change when the others do, without moving the record's updatedTime, so an incremental
# export (or one kept by events) would hold old values for good. They are left out: the name is
# the vendor's row's, a balance the sum of the rows' dueAmount.
DERIVED: Mapping[str, tuple[str, ...]] = {
    "bills": ("vendorName",),
    "vendors": ("balance",),
    "customers": ("balance",),
}
_LISTS = {op.group: op for op in OPERATIONS if op.method == "list"}
EXPORTED: Mapping[str, Operation] = {group: _LISTS[group] for group in _EXPORTED_GROUPS}

_ORDER = [Sort("updatedTime"), Sort("id")]


def resolve_v3_lists(names: Sequence[str]) -> list[str]:
    """The exported lists a user named (``vendors``, ``Vendor``, ``credit-memos``); every one
    for none. Raises ``ValueError`` naming the unknown ones."""
    aliases = {
        group: (group, group.rstrip("s"), op.model or group) for group, op in EXPORTED.items()
    }
    return match_names(names, aliases, "v3 list")


def table_of(group: str) -> str:
    """The export's table for an exported list (``v3_vendors``)."""
    if group not in EXPORTED:
        raise ValueError(f"{group!r} is not a list the v3 export holds")
    return f"v3_{group}"


def open_v3_database(path: Path, groups: Iterable[str]) -> sqlite3.Connection:
    """Open (and create) the v3 export's tables in ``path``; raises ``sqlite3.Error`` or
    ``OSError``. The connection is written from worker threads, one job at a time."""
    connection = sqlite3.connect(
        path, isolation_level=None, timeout=60, check_same_thread=False, factory=_ExportDatabase
    )
    try:
        _use_wal(connection)  # other workers, and bill-async listen, may write at the same time
        connection.execute("PRAGMA synchronous=NORMAL")
        create_v3_tables(connection, groups)
    except BaseException:
        connection.close()
        raise
    return connection


def create_v3_tables(connection: sqlite3.Connection, groups: Iterable[str]) -> None:
    """The checkpoints and the tables of ``groups``, where they are missing."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS v3_checkpoints (org_id TEXT NOT NULL, list TEXT NOT NULL,"
        " updated_time TEXT NOT NULL, PRIMARY KEY (org_id, list))"
    )
    for group in groups:
        connection.execute(
            f'CREATE TABLE IF NOT EXISTS "{table_of(group)}" (id TEXT PRIMARY KEY,'
            " org_id TEXT NOT NULL, updated_time TEXT, archived INTEGER, wire TEXT NOT NULL,"
            " synced_at TEXT NOT NULL)"
        )


def _upsert_statement(group: str) -> str:
    table = table_of(group)
    return (
        f'INSERT INTO "{table}" (id, org_id, updated_time, archived, wire, synced_at)'
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET org_id = excluded.org_id,"
        " updated_time = excluded.updated_time, archived = excluded.archived,"
        " wire = excluded.wire, synced_at = excluded.synced_at"
        f' WHERE "{table}".wire IS NOT excluded.wire AND ("{table}".updated_time IS NULL'
        f' OR excluded.updated_time IS NULL OR excluded.updated_time >= "{table}".updated_time)'
    )


def _row(
    org_id: str, record: Mapping[str, Any], now: str, derived: tuple[str, ...]
) -> tuple[Any, ...]:
    if derived:
        record = {key: value for key, value in record.items() if key not in derived}
    updated = record.get("updatedTime")
    archived = record.get("archived")
    return (
        record.get("id"),
        org_id,
        updated if isinstance(updated, str) else None,
        int(archived) if isinstance(archived, bool) else None,
        dumps(record),
        now,
    )


def record_rows(
    org_id: str, group: str, records: Iterable[Mapping[str, Any]], now: _dt.datetime
) -> list[tuple[Any, ...]]:
    """The rows of ``records`` (as BILL sent them, but for ``DERIVED`` keys): id, org_id,
    updated_time (text), archived (0, 1 or None), wire (JSON text), synced_at (text)."""
    stamp = now.isoformat()
    derived = DERIVED.get(group, ())
    return [
        _row(org_id, record, stamp, derived)
        for record in records
        if isinstance(record.get("id"), str)
    ]


def upsert_records(
    connection: sqlite3.Connection,
    org_id: str,
    group: str,
    records: Iterable[Mapping[str, Any]],
    now: _dt.datetime,
) -> int:
    """Write ``records`` (as BILL sent them, but for ``DERIVED`` keys) into the list's table,
    inside the caller's transaction; a row holding a more recent record is kept. Returns the
    rows changed."""
    statement = _upsert_statement(group)
    return sum(
        connection.execute(statement, row).rowcount
        for row in record_rows(org_id, group, records, now)
    )


class V3ExportWriter(Protocol):
    """Where the v3 export is written (SQLite's ``_V3Writer``, PostgreSQL's
    ``PostgresV3Export``): a checkpoint per (organization, list), and pages written with their
    checkpoint in one transaction. ``errors``: the database's own exceptions, which stop one
    target."""

    errors: tuple[type[Exception], ...]

    async def read_checkpoint(self, org_id: str, group: str) -> str | None: ...

    async def drop_checkpoint(self, org_id: str, group: str) -> None: ...

    async def write_page(
        self, org_id: str, group: str, page: Sequence[dict[str, Any]], checkpoint: str | None
    ) -> int: ...


class _V3Writer:
    """The export's writes: a page and its checkpoint in one transaction, on a worker thread."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, connection: sqlite3.Connection, now: Callable[[], _dt.datetime]) -> None:
        self._db = connection
        self._now = now
        self.run = _Writer(connection).run  # one job at a time, in a thread

    async def read_checkpoint(self, org_id: str, group: str) -> str | None:
        return await self.run(self.checkpoint, org_id, group)

    async def drop_checkpoint(self, org_id: str, group: str) -> None:
        await self.run(self.forget, org_id, group)

    async def write_page(
        self, org_id: str, group: str, page: Sequence[dict[str, Any]], checkpoint: str | None
    ) -> int:
        return await self.run(self.write, org_id, group, page, checkpoint)

    def checkpoint(self, org_id: str, group: str) -> str | None:
        row = self._db.execute(
            "SELECT updated_time FROM v3_checkpoints WHERE org_id = ? AND list = ?",
            (org_id, group),
        ).fetchone()
        return None if row is None else str(row[0])

    def forget(self, org_id: str, group: str) -> None:
        self._db.execute(
            "DELETE FROM v3_checkpoints WHERE org_id = ? AND list = ?", (org_id, group)
        )

    def write(
        self, org_id: str, group: str, page: Sequence[dict[str, Any]], checkpoint: str | None
    ) -> int:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            written = upsert_records(self._db, org_id, group, page, self._now())
            if checkpoint is not None:
                self._db.execute(
                    "INSERT INTO v3_checkpoints (org_id, list, updated_time) VALUES (?, ?, ?)"
                    " ON CONFLICT(org_id, list) DO UPDATE SET updated_time ="
                    " excluded.updated_time",
                    (org_id, group, checkpoint),
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return written


FetchPage = Callable[[dict[str, Any]], Any]


async def watermark_pages(
    fetch: FetchPage, since: str | None, page_size: int
) -> AsyncGenerator[list[dict[str, Any]], None]:
    """The records updated at or after ``since`` (all for None), oldest first, a page at a time,
    each record once (see the module's docstring for why pages restart from a watermark)."""
    seen: set[Any] = set()  # ids of the records at ``since`` already given
    cursor: str | None = None
    while True:
        filters = [] if since is None else [Filter("updatedTime", "gte", since)]
        query = list_query(filters=filters, sort=_ORDER, page_size=page_size)
        if cursor is not None:
            query["page"] = cursor
        rows, cursor = read_page(await fetch(query), "list")
        fresh = [r for r in rows if r.get("updatedTime") != since or r.get("id") not in seen]
        if fresh:
            yield fresh
        if cursor is None:
            return
        last = rows[-1].get("updatedTime") if rows else since
        if isinstance(last, str) and last != since:
            since, cursor = last, None  # ask afresh from the new watermark
            seen = {r.get("id") for r in rows if r.get("updatedTime") == last}
        else:  # a run of records at one time, longer than a page: the cursor goes through it
            seen.update(r.get("id") for r in rows if r.get("updatedTime") == since)


async def _sync_list(
    client: Client,
    writer: V3ExportWriter,
    target: SyncTarget,
    *,
    full: bool,
    page_size: int,
    progress: Progress,
) -> None:
    op = EXPORTED[target.entity]
    if full:
        await writer.drop_checkpoint(target.org_id, target.entity)
    since = await writer.read_checkpoint(target.org_id, target.entity)

    async def fetch(query: dict[str, Any]) -> Any:
        target.calls += 1
        return await client.request("GET", op.path, query=query)

    async with contextlib.aclosing(watermark_pages(fetch, since, page_size)) as pages:
        async for page in pages:
            last = page[-1].get("updatedTime")
            checkpoint = last if isinstance(last, str) else None
            target.written += await writer.write_page(
                target.org_id, target.entity, page, checkpoint
            )
            target.fetched += len(page)
            progress(target)


def _utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


async def sync_v3(
    client: Client,
    connection: sqlite3.Connection | V3ExportWriter,
    org_ids: Sequence[str],
    groups: Sequence[str],
    *,
    full: bool = False,
    page_size: int = MAX_PAGE_SIZE,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], _dt.datetime] = _utc_now,
) -> SyncResult:
    """Export the v3 lists ``groups`` of every org in ``org_ids`` into ``connection`` (opened
    by ``open_v3_database``, or a ``V3ExportWriter`` such as ``PostgresV3Export``; ``now``
    stamps SQLite's rows). The organizations and lists run at once, within BILL's limits
    (the governor); a failed (organization, list) is reported in the result and does not stop
    the others."""
    writer = (
        _V3Writer(connection, now) if isinstance(connection, sqlite3.Connection) else connection
    )
    report = progress or (lambda target: None)

    async def export(target: SyncTarget) -> None:
        await _sync_list(
            client.for_org(target.org_id),
            writer,
            target,
            full=full,
            page_size=page_size,
            progress=report,
        )

    targets = [SyncTarget(org, group) for org in org_ids for group in groups]
    return await run_targets(client, targets, export, writer.errors, report, clock)
