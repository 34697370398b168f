"""``bill-async sync``: an incremental export of BILL organizations into SQLite.

One table per listable entity (named after its group: ``vendors``, ``bills``, ...), with the id as
primary key, a column per declared model field, the organization, and the whole wire record as
JSON in ``wire``. Rows are upserted, and a row is rewritten only when its record changed.

Incremental: a checkpoint per (organization, entity) holds the ``updatedTime`` of the last record
written. The next run asks only for records updated at or after it (records made inactive are
updated too, so they come back). Records are read oldest first, ties by id, and each page moves
on from the last record's ``updatedTime`` rather than by offset, so a record that changes during
the run cannot make another one slip past. Each page is written in one transaction together with
its checkpoint: an interrupted run leaves the database consistent, and the checkpoint never gets
ahead of what was written.
"""

from __future__ import annotations

import datetime as _dt
import enum
import sqlite3
import threading
import time
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

import anyio
import anyio.abc
import attrs

from ._exceptions import BillError, ProtocolError
from ._v2._client import Client
from ._v2._codec import RecordTexts, loads, member_texts, record_texts
from ._v2._convert import (
    ZERO_ID,
    FieldKind,
    core_type,
    exact_date,
    exact_timestamp,
    field_kinds,
    wire_names,
)
from ._v2._endpoints import ENDPOINTS, Endpoint, Shape
from ._v2._models import MODELS_BY_ENTITY
from ._v2._pagination import MAX_PAGE_SIZE, Filter, KeysetPages, Sort, list_data
from ._v2._wire import body_excerpt, dumps

__all__ = [
    "LISTABLE",
    "READ_IN_FULL",
    "ExportWriter",
    "SyncResult",
    "SyncTarget",
    "backfill",
    "match_names",
    "open_database",
    "resolve_entities",
    "run_targets",
    "sync",
]

# Every entity with a List operation and a model: what sync exports.
LISTABLE: dict[str, Endpoint] = {
    e.entity: e
    for e in ENDPOINTS
    if e.shape is Shape.LIST and e.entity is not None and e.entity in MODELS_BY_ENTITY
}


def resolve_entities(names: Sequence[str]) -> list[str]:
    """Entity names from what a user typed (``Vendor``, ``vendors``, ``vendor``); raises
    ``ValueError`` naming the unknown ones."""
    aliases = {
        entity: (entity, endpoint.group, endpoint.group.rstrip("s"))
        for entity, endpoint in LISTABLE.items()
    }
    return match_names(names, aliases, "entity")


def match_names(names: Sequence[str], aliases: Mapping[str, Iterable[str]], kind: str) -> list[str]:
    """The keys of ``aliases`` that ``names`` call by one of their aliases, in the order named
    (each once; case, ``_`` and ``-`` aside); every key for no names. Raises ``ValueError``
    naming the unknown ones."""
    if not names:
        return list(aliases)
    index = {
        alias.lower().replace("_", ""): key for key, known in aliases.items() for alias in known
    }
    chosen: list[str] = []
    unknown: list[str] = []
    for name in names:
        found = index.get(name.lower().replace("_", "").replace("-", ""))
        if found is None:
            unknown.append(name)
        elif found not in chosen:
            chosen.append(found)
    if unknown:
        raise ValueError(
            f"unknown {kind} {', '.join(unknown)}; choose from {', '.join(sorted(aliases))}"
        )
    return chosen


def _column_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value  # bools are ints
    if isinstance(value, Decimal):
        return str(value)  # exact; SQLite's REAL would not be
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return dumps(value)


# -- rows ---------------------------------------------------------------------------------------
#
# A row is read straight from the wire record where the field's conversion is known: the
# columns hold what ``_column_value`` makes of the model's values, and for a value the model
# reads as sent, or in one known form, that is a function of the wire value alone (a date's
# column is its wire text, an amount's the text of its Decimal). Building the model for it cost
# more than everything else the export does with a record. A value in any other form (a float
# amount, a date in another form) raises ``_NotFast``, and that record's row is made from its
# model, as before: the columns are the same either way (tests/test_sync.py checks both on
# every record of the demo data). Nested objects and lists are read from the record's text
# either way (``_nested_columns``).

Row = tuple[Any, ...]
RowMaker = Callable[[dict[str, Any], str, "str | None", str], Row]


class _NotFast(ValueError):
    """A wire value whose column the model decides."""


def _not_fast() -> Any:
    raise _NotFast


def _column_lines(var: str, wire: str, kind: FieldKind) -> list[str]:
    """The generated lines that read one column from the wire record ``wire``."""
    lines = [f"{var} = get({wire!r})"]
    if kind is FieldKind.PLAIN:
        return [*lines, f"if {var} is not None and type({var}) is not str: {var} = value({var})"]
    if kind is FieldKind.ID:
        return [
            *lines,
            f"if {var} == ZERO_ID: {var} = None",
            f"elif {var} is not None and type({var}) is not str: {var} = value({var})",
        ]
    body = {
        FieldKind.ACTIVE: [
            f"if {var} == '1': {var} = True",
            f"elif {var} == '2': {var} = False",
            "else: not_fast()",
        ],
        FieldKind.DECIMAL: [
            f"if type({var}) is int or (type({var}) is Decimal and not {var}.is_nan()):",
            f"    {var} = str({var})",
            "else: not_fast()",
        ],
        FieldKind.DATE: [f"exact_date({var})"],  # the column is the text as sent
        FieldKind.TIMESTAMP: [f"{var} = exact_timestamp({var}).isoformat()"],
        FieldKind.ENUM: [f"if type({var}) is not str: not_fast()"],  # the code as sent
    }[kind]
    return [*lines, f"if {var} is not None:", *(f"    {line}" for line in body)]


_NESTED = (FieldKind.MODEL, FieldKind.MODELS)
NestedReader = Callable[[dict[str, Any], str], "tuple[str | None, ...]"]


def _has_shape(value: Any, shape: str) -> bool:
    """Whether a wire value is what its field declares: an object, a list, a list of objects."""
    if shape == "object":
        return type(value) is dict
    if shape == "list":
        return type(value) is list
    return type(value) is list and all(type(item) is dict for item in value)


def _nested_columns(entity: str) -> tuple[list[int], NestedReader | None]:
    """Where the columns of nested objects and lists are among ``_columns(entity)``, and
    ``read(wire, text)``, their values: each member's JSON as BILL wrote it in the record's
    ``text`` (as the ``wire`` column holds the record's), or None where the wire value is not
    of the declared shape (the model keeps such a value in ``extra``; ``wire`` has it)."""
    model = MODELS_BY_ENTITY[entity]
    attrs.resolve_types(model)  # the annotations are strings until resolved
    types = {field.name: core_type(field.type) for field in attrs.fields(model)}
    places: list[int] = []
    shaped: list[tuple[str, str]] = []  # (wire key, shape)
    named = [(name, wire, kind) for name, wire, kind in field_kinds(model) if name != "id"]
    for place, (name, wire, kind) in enumerate(named):
        origin = typing.get_origin(types[name]) or types[name]
        if kind is FieldKind.MODEL or (kind is FieldKind.PLAIN and origin is dict):
            shaped.append((wire, "object"))
        elif kind is FieldKind.MODELS:
            shaped.append((wire, "objects"))
        elif kind is FieldKind.PLAIN and origin is list:
            shaped.append((wire, "list"))
        else:
            continue
        places.append(place)
    if not shaped:
        return places, None
    members = member_texts(tuple(wire for wire, _ in shaped))

    def read(wire: dict[str, Any], text: str) -> tuple[str | None, ...]:
        return tuple(
            written if _has_shape(wire.get(key), shape) else None
            for (key, shape), written in zip(shaped, members(text), strict=True)
        )

    return places, read


def _model_row(entity: str) -> RowMaker:
    """A record's row through its model: for the records the generated maker does not take."""
    structure = MODELS_BY_ENTITY[entity].from_wire
    names = _columns(entity)
    places, read_nested = _nested_columns(entity)

    def row(wire: dict[str, Any], org_id: str, text: str | None, now: str) -> Row:
        record = structure(wire)
        if text is None:
            text = dumps(wire)
        columns = [_column_value(getattr(record, name)) for name in names]
        if read_nested is not None:
            for place, member in zip(places, read_nested(wire, text), strict=True):
                columns[place] = member
        return (wire.get("id"), org_id, *columns, text, now)

    return row


_ROW_MAKERS: dict[str, RowMaker] = {}


def _row_maker(entity: str) -> RowMaker:
    """``row(wire, org_id, text, now)``: the values of one record's row, in ``_statement``'s
    order; ``text`` is the record's JSON as BILL sent it, or None to encode it."""
    made = _ROW_MAKERS.get(entity)
    if made is not None:
        return made
    names: dict[str, Any] = {
        "ZERO_ID": ZERO_ID,
        "Decimal": Decimal,
        "NotFast": _NotFast,
        "not_fast": _not_fast,
        "value": _column_value,
        "dumps": dumps,
        "exact_date": exact_date,
        "exact_timestamp": exact_timestamp,
        "model_row": _model_row(entity),
    }
    fields = [(wire, kind) for name, wire, kind in field_kinds(MODELS_BY_ENTITY[entity])]
    fields = [field for field in fields if field[0] != "id"]
    columns = [f"c{place}" for place in range(len(fields))]
    places, names["read_nested"] = _nested_columns(entity)
    nested = [columns[place] for place in places]
    reads: list[str] = []
    for place, (wire, kind) in enumerate(fields):
        if place not in places:  # the nested ones are read from the text, after
            reads += _column_lines(columns[place], wire, kind)
    lines = [
        "def row(wire, org_id, text, now):",
        "    get = wire.get",
        "    try:",
        *(f"        {line}" for line in reads or ["pass"]),
        "    except (NotFast, TypeError, ValueError, ArithmeticError):",
        "        return model_row(wire, org_id, text, now)",
        "    if text is None: text = dumps(wire)",
        *([f"    {', '.join(nested)}, = read_nested(wire, text)"] if nested else []),
        f"    return (get('id'), org_id, {', '.join(columns)}, text, now)",
    ]
    exec(compile("\n".join(lines), f"<bill_async export row {entity}>", "exec"), names)
    maker: RowMaker = names["row"]
    _ROW_MAKERS[entity] = maker
    return maker


def _table(entity: str) -> str:
    return LISTABLE[entity].group


def _columns(entity: str) -> list[str]:
    return [name for name in wire_names(MODELS_BY_ENTITY[entity]) if name != "id"]


_BUSY_TIMEOUT_MS = 60_000  # how long a write waits for another worker's
_WAL_ATTEMPTS = 100
_WAL_BUSY_TIMEOUT_MS = 50  # per attempt to switch to WAL...
_WAL_RETRY_AFTER = 0.05  # ...then a pause: at most ten seconds in all


def _use_wal(connection: sqlite3.Connection) -> None:
    # Switching a new file to WAL needs the file to itself. SQLite answers SQLITE_BUSY at once,
    # without waiting out its busy timeout, when another worker opens the same new file at the
    # same moment; and it waits the whole busy timeout when another connection is reading an
    # old file. So each attempt waits briefly, and the attempts are bounded. WAL belongs to the
    # file: once one worker has switched it, the others' switch only confirms it.
    connection.execute(f"PRAGMA busy_timeout={_WAL_BUSY_TIMEOUT_MS}")
    for attempt in range(_WAL_ATTEMPTS):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # or an extended BUSY
            if not busy or attempt == _WAL_ATTEMPTS - 1:
                raise
        time.sleep(_WAL_RETRY_AFTER)
    connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")


class _ExportDatabase(sqlite3.Connection):
    """The export's connection: written from worker threads one job at a time (``busy``), and
    closed only between jobs. A second Ctrl+C can end the event loop while a thread is still
    writing; closing the connection under that thread crashed the process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.busy = threading.RLock()  # close() from inside a job must not wait for itself

    def close(self) -> None:
        with self.busy:
            super().close()


def open_database(path: Path, entities: Iterable[str]) -> sqlite3.Connection:
    """Open (and create) the export database; raises ``sqlite3.Error`` or ``OSError``."""
    # Written from worker threads, one at a time (see _Writer.run).
    connection = sqlite3.connect(
        path,
        isolation_level=None,
        timeout=_BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
        factory=_ExportDatabase,
    )
    try:
        _use_wal(connection)  # other workers may write at the same time
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS checkpoints (org_id TEXT NOT NULL, entity TEXT NOT NULL,"
            " updated_time TEXT NOT NULL, PRIMARY KEY (org_id, entity))"
        )
        for entity in entities:
            columns = ", ".join(f'"{c}"' for c in _columns(entity))
            connection.execute(
                f'CREATE TABLE IF NOT EXISTS "{_table(entity)}" (id TEXT PRIMARY KEY,'
                f" org_id TEXT NOT NULL, {columns}, wire TEXT NOT NULL, synced_at TEXT NOT NULL)"
            )
            _add_new_columns(connection, entity)
    except BaseException:
        connection.close()
        raise
    return connection


def _add_new_columns(connection: sqlite3.Connection, entity: str) -> None:
    """Columns for the fields a model gained since the table was made, filled from each row's
    own record (``wire``): no row waits for its record to change, nor for a ``--full`` run."""
    table = _table(entity)
    have = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
    added = [column for column in _columns(entity) if column not in have]
    if not added:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        have = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
        added = [column for column in added if column not in have]  # another worker's, else
        for column in added:
            connection.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}"')
        stored = connection.execute(f'SELECT id, org_id, wire FROM "{table}"').fetchall()
        sets = ", ".join(f'"{column}" = ?' for column in added)
        connection.executemany(
            f'UPDATE "{table}" SET {sets} WHERE id = ?',
            [(*values, row_id) for row_id, values in backfill(entity, added, stored)],
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def backfill(
    entity: str, columns: Sequence[str], stored: Iterable[tuple[str, str, str]]
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """For rows stored as (id, org_id, wire text): each id and its values of ``columns``, read
    from its record as a page's rows are."""
    make_row = _row_maker(entity)
    where = [2 + _columns(entity).index(column) for column in columns]  # after id and org_id
    for row_id, org_id, text in stored:
        row = make_row(loads(text), org_id, text, "")
        yield row_id, tuple(row[at] for at in where)


@attrs.define
class SyncTarget:
    """Counts for one (organization, entity)."""

    org_id: str
    entity: str
    fetched: int = 0
    written: int = 0
    calls: int = 0
    done: bool = False
    error: str | None = None


@attrs.define
class SyncResult:
    """What a run did."""

    targets: list[SyncTarget]
    api_calls: int
    elapsed: float

    @property
    def written(self) -> int:
        return sum(t.written for t in self.targets)

    @property
    def fetched(self) -> int:
        return sum(t.fetched for t in self.targets)

    @property
    def failed(self) -> list[SyncTarget]:
        return [t for t in self.targets if t.error is not None]


Progress = Callable[[SyncTarget], None]
T = TypeVar("T")


class ExportWriter(Protocol):
    """Where an export is written (SQLite's ``_Writer``, PostgreSQL's ``PostgresExport``): a
    checkpoint per (organization, entity), and pages written with their checkpoint in one
    transaction. ``errors``: the database's own exceptions, which stop one target."""

    errors: tuple[type[Exception], ...]

    async def read_checkpoint(self, org_id: str, entity: str) -> str | None: ...

    async def drop_checkpoint(self, org_id: str, entity: str) -> None: ...

    async def write_page(
        self,
        org_id: str,
        entity: str,
        page: Sequence[dict[str, Any]],
        checkpoint: str | None,
        texts: RecordTexts,
    ) -> int: ...


class _Writer:
    """Writes pages and checkpoints, one transaction per page, in a worker thread so that the
    event loop keeps serving the other calls (a page of 999 takes a while to write)."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._statements: dict[str, str] = {}
        self._lock: anyio.Lock | None = None
        busy = getattr(connection, "busy", None)
        self._busy: threading.RLock = busy if busy is not None else threading.RLock()

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(*args)`` on the connection in a thread, one at a time."""
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            return await anyio.to_thread.run_sync(self._in_turn, work, *args)

    def _in_turn(self, work: Callable[..., T], *args: Any) -> T:
        with self._busy:  # the connection's close() waits for this
            return work(*args)

    async def read_checkpoint(self, org_id: str, entity: str) -> str | None:
        return await self.run(self.checkpoint, org_id, entity)

    async def drop_checkpoint(self, org_id: str, entity: str) -> None:
        await self.run(self.forget, org_id, entity)

    async def write_page(
        self,
        org_id: str,
        entity: str,
        page: Sequence[dict[str, Any]],
        checkpoint: str | None,
        texts: RecordTexts,
    ) -> int:
        return await self.run(self.write, org_id, entity, page, checkpoint, texts)

    def checkpoint(self, org_id: str, entity: str) -> str | None:
        row = self._db.execute(
            "SELECT updated_time FROM checkpoints WHERE org_id = ? AND entity = ?",
            (org_id, entity),
        ).fetchone()
        return None if row is None else str(row[0])

    def forget(self, org_id: str, entity: str) -> None:
        self._db.execute(
            "DELETE FROM checkpoints WHERE org_id = ? AND entity = ?", (org_id, entity)
        )

    def _statement(self, entity: str) -> str:
        statement = self._statements.get(entity)
        if statement is None:
            columns = ["id", "org_id", *_columns(entity), "wire", "synced_at"]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns[1:])
            table = _table(entity)
            statement = self._statements[entity] = (
                f'INSERT INTO "{table}" ({names}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET'
                f' {updates} WHERE "{table}".wire IS NOT excluded.wire'
            )
        return statement

    def write(
        self,
        org_id: str,
        entity: str,
        page: Sequence[dict[str, Any]],
        checkpoint: str | None,
        texts: RecordTexts,
    ) -> int:
        """Upsert a page of wire records and move the checkpoint, in one transaction; returns
        the rows actually changed. ``texts``: the JSON BILL sent for records of the page (the
        others are encoded again), and the whole records where the page holds summaries. The
        rows are made here, in the writer's thread: made in the event loop's, they held up the
        calls in flight (the demo export at scale 4 took 1.33x the hand-written one's time
        instead of 1.08x)."""
        rows = _page_rows(org_id, entity, page, texts)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            written: int = self._db.executemany(self._statement(entity), rows).rowcount
            if checkpoint is not None:
                self._db.execute(_SAVE_CHECKPOINT, (org_id, entity, checkpoint))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return written


def _page_rows(
    org_id: str, entity: str, page: Sequence[dict[str, Any]], texts: RecordTexts
) -> list[Row]:
    """The rows of a page of wire records (or of their summaries), in ``_Writer._statement``'s
    order. Raises ``ProtocolError`` for a record whose text cannot be read whole."""
    make_row = _row_maker(entity)
    now = _dt.datetime.now(_dt.UTC).isoformat()
    found, whole = texts.by_id.get, texts.whole
    rows: list[Row] = []
    for wire in page:
        text = found(id(wire))
        try:
            record = whole(wire)
        except ValueError as error:  # passed over by the summary's reader, refused now
            raise ProtocolError(
                f"the server answered with a record that is not JSON ({error})",
                status_code=200,
                body=body_excerpt((text or "").encode()),
                operation=LISTABLE[entity].path,
            ) from None
        rows.append(make_row(record, org_id, text, now))
    return rows


_SAVE_CHECKPOINT = (
    "INSERT INTO checkpoints (org_id, entity, updated_time) VALUES (?, ?, ?)"
    " ON CONFLICT(org_id, entity) DO UPDATE SET updated_time = excluded.updated_time"
)


async def _sync_target(
    client: Client,
    writer: ExportWriter,
    target: SyncTarget,
    *,
    full: bool,
    page_size: int,
    progress: Progress,
    held: _HeldPages,
) -> None:
    endpoint = LISTABLE[target.entity]
    model = MODELS_BY_ENTITY[target.entity]
    if full:
        await writer.drop_checkpoint(target.org_id, target.entity)
    since = None
    if target.entity not in READ_IN_FULL:
        since = await writer.read_checkpoint(target.org_id, target.entity)
    data = list_data(
        model,
        filters=[] if since is None else [Filter("updatedTime", ">=", since)],
        sort=[Sort("updatedTime"), Sort("id")],
        page_size=page_size,
        nested=True,
        show_audit=False,
        start=0,
    )

    texts = RecordTexts()  # of the last page fetched

    async def fetch(page_data: dict[str, Any]) -> Any:
        nonlocal texts
        await held.take()
        target.calls += 1
        # Summaries of the records are all the paging and the checkpoint read; the writer
        # reads the rest from the texts, and a page held meanwhile is a third of the size.
        with record_texts(summary=_SUMMARY) as texts:
            return await client.call(endpoint.path, page_data)

    # The records as BILL sent them: the wire column keeps their text exactly. While a page is
    # written the next one is fetched (the writer serves every target, so a page can wait for
    # it); the pages are written in order, so the checkpoint never passes a page not written.
    writes = _PageWrites(writer, target, held, progress)
    try:
        async with anyio.create_task_group() as group:
            async for page in KeysetPages(fetch, data, endpoint.path):
                if writes.failure is not None:
                    break
                writes.start(group, page, texts)
                # Nothing here may keep the page once written, nor while the next one waits.
                del page
                texts = RecordTexts()
    finally:
        held.give_back(held.claim())  # fetched, and dropped or never written
    if writes.failure is not None:
        raise writes.failure


_SUMMARY = ("id", "updatedTime")  # what KeysetPages and the checkpoint read of a record


# Entities whose records hold a value BILL changes without moving their updatedTime: a vendor's
# and a customer's balance, what their bills (invoices) still have due, moves when one is paid
# or made inactive. Read from the checkpoint on, they would keep old balances for good, so every
# run reads them in full; a row is rewritten only where its record changed. (They are few next
# to bills and invoices: a page of 999 is most organizations' all.)
READ_IN_FULL = frozenset({"Vendor", "Customer"})


class _PageWrites:
    """The writes of one (organization, entity)'s pages, each after the one before it; the
    first failure stops the rest, and the fetching."""

    def __init__(
        self, writer: ExportWriter, target: SyncTarget, held: _HeldPages, progress: Progress
    ) -> None:
        self._writer = writer
        self._target = target
        self._held = held
        self._progress = progress
        self._last: anyio.Event | None = None
        self.failure: Exception | None = None

    def start(
        self, group: anyio.abc.TaskGroup, page: list[dict[str, Any]], texts: RecordTexts
    ) -> None:
        """Write ``page`` once the pages before it are written."""
        last = page[-1].get("updatedTime")
        checkpoint = last if isinstance(last, str) else None
        before, self._last = self._last, anyio.Event()
        permits = self._held.claim()
        group.start_soon(self._write, page, checkpoint, texts, permits, before, self._last)

    async def _write(
        self,
        page: list[dict[str, Any]],
        checkpoint: str | None,
        texts: RecordTexts,
        permits: int,
        before: anyio.Event | None,
        done: anyio.Event,
    ) -> None:
        target, writer = self._target, self._writer
        stops: tuple[type[Exception], ...] = (BillError, *writer.errors)
        try:
            if before is not None:
                await before.wait()
            if self.failure is None:
                target.written += await writer.write_page(
                    target.org_id, target.entity, page, checkpoint, texts
                )
                target.fetched += len(page)
                self._progress(target)
        except stops as error:
            self.failure = error
        finally:
            self._held.give_back(permits)
            done.set()


class _HeldPages:
    """The pages of one (organization, entity) in memory, counted against its organization's
    limit: each takes a permit before it is fetched, and gives it back once written."""

    def __init__(self, permits: anyio.Semaphore) -> None:
        self._permits = permits
        self._taken = 0  # by the fetches since the last page was claimed

    async def take(self) -> None:
        await self._permits.acquire()
        self._taken += 1

    def claim(self) -> int:
        """The permits of the page just given: its fetch's, and those of pages KeysetPages
        fetched and dropped before it."""
        taken, self._taken = self._taken, 0
        return taken

    def give_back(self, permits: int) -> None:
        for _ in range(permits):
            self._permits.release()


# Pages of one organization fetched and not yet written: BILL's 3 in flight, and one more
# being written. Memory is then bounded by the pages in flight, not by the size of the data: a
# page of 999 bills waits as 3 MB of summaries and texts (with msgspec; 13.5 MB decoded whole
# without it), and only the page being written is read whole. Held whole, pages of 10 MB made
# the demo export's peak at scale 4 1.5-1.7x that at scale 1; as summaries, 1.3x.
_PAGES_HELD_PER_ORG = 4


async def sync(
    client: Client,
    connection: sqlite3.Connection | ExportWriter,
    org_ids: Sequence[str],
    entities: Sequence[str],
    *,
    full: bool = False,
    page_size: int = MAX_PAGE_SIZE,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SyncResult:
    """Export ``entities`` of every org in ``org_ids`` through ``client`` into ``connection``
    (a SQLite connection from ``open_database``, or an ``ExportWriter`` such as
    ``PostgresExport``).

    The organizations run at once; within one, the governor keeps 3 calls in flight. A failed
    (organization, entity) is reported in the result and does not stop the others."""
    writer = _Writer(connection) if isinstance(connection, sqlite3.Connection) else connection
    report = progress or (lambda target: None)
    permits = {org: anyio.Semaphore(_PAGES_HELD_PER_ORG) for org in org_ids}

    async def export(target: SyncTarget) -> None:
        await _sync_target(
            client.for_org(target.org_id),
            writer,
            target,
            full=full,
            page_size=page_size,
            progress=report,
            held=_HeldPages(permits[target.org_id]),
        )

    targets = [SyncTarget(org, entity) for org in org_ids for entity in entities]
    return await run_targets(client, targets, export, writer.errors, report, clock)


async def run_targets(
    client: Any,
    targets: list[SyncTarget],
    export: Callable[[SyncTarget], Awaitable[None]],
    database_errors: tuple[type[Exception], ...],
    report: Progress,
    clock: Callable[[], float],
) -> SyncResult:
    """Run ``export`` for every target at once (within BILL's limits: the client's governor).
    A target that fails (BILL's refusal, or ``database_errors``: a locked or full database)
    is reported in the result and does not stop the others. ``client``: v2's or v3's."""
    started = clock()
    calls_before = client.requests_sent

    async def run(target: SyncTarget) -> None:
        try:
            await export(target)
        except BillError as error:
            target.error = f"{type(error).__name__}: {error}"
        except database_errors as error:
            target.error = f"the database: {error}"
        target.done = True
        report(target)

    async with anyio.create_task_group() as group:
        for target in targets:
            group.start_soon(run, target)
    return SyncResult(
        targets=targets,
        api_calls=client.requests_sent - calls_before,
        elapsed=clock() - started,
    )
