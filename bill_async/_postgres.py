"""``bill-async sync --out postgresql://...``: the export in PostgreSQL
(``pip install 'bill-async[postgres]'``, psycopg 3).

The same tables as SQLite's (one per entity, named after its group, the id as primary key, a
column per declared model field, the organization, the record as BILL sent it in ``wire`` and
``synced_at``) and the same ``checkpoints``; columns typed as PostgreSQL reads them best
(amounts ``NUMERIC``, dates ``DATE``, times ``TIMESTAMPTZ``, ``isActive`` ``BOOLEAN``, nested
objects ``JSONB``; ``wire`` is ``JSON``, which keeps BILL's text exactly). Each page is written
with its checkpoint in one transaction, as in SQLite. Workers on several machines may write one
database: the schema is made and brought up to date (a column for each field a model gained)
under an advisory lock, and rows are upserted by id, a row rewritten only when its record
changed. Nothing but BILL's records, the organization and the checkpoints is written: no
session, key or password.

``sync --api v3`` writes the v3 export's tables (``v3_vendors``, ... and ``v3_checkpoints``, as
in SQLite) through ``PostgresV3Export``: ``updated_time`` ``TIMESTAMPTZ``, ``archived``
``BOOLEAN``, ``wire`` ``JSON``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import anyio
import psycopg

from ._sync import LISTABLE, _page_rows, backfill
from ._v2._codec import RecordTexts
from ._v2._convert import FieldKind, field_kinds
from ._v2._models import MODELS_BY_ENTITY
from .v3._sync import _utc_now, record_rows, table_of

__all__ = ["PostgresExport", "PostgresV3Export"]

_TYPES = {
    FieldKind.PLAIN: "TEXT",
    FieldKind.ID: "TEXT",
    FieldKind.ACTIVE: "BOOLEAN",
    FieldKind.DECIMAL: "NUMERIC",
    FieldKind.DATE: "DATE",
    FieldKind.TIMESTAMP: "TIMESTAMPTZ",
    FieldKind.ENUM: "TEXT",
    FieldKind.MODEL: "JSONB",
    FieldKind.MODELS: "JSONB",
}
# Any number will do, the same for every worker: it names the lock the schema is made under.
_SCHEMA_LOCK = 0x6269_6C6C  # "bill"
CONNECT_TIMEOUT = 10  # seconds: an address that does not answer fails the command, not hangs it


def _columns(entity: str) -> list[tuple[str, str]]:
    """The model's columns and their types, in the row makers' order (``id`` apart)."""
    return [
        (name, _TYPES[kind])
        for name, _, kind in field_kinds(MODELS_BY_ENTITY[entity])
        if name != "id"
    ]


def _create_table(entity: str) -> str:
    columns = "".join(f', "{column}" {kind}' for column, kind in _columns(entity))
    return (
        f'CREATE TABLE IF NOT EXISTS "{LISTABLE[entity].group}" (id TEXT PRIMARY KEY,'
        f" org_id TEXT NOT NULL{columns}, wire JSON NOT NULL, synced_at TIMESTAMPTZ NOT NULL)"
    )


def _upsert(entity: str) -> str:
    table = LISTABLE[entity].group
    names = ["id", "org_id", *(column for column, _ in _columns(entity)), "wire", "synced_at"]
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("%s" for _ in names)
    updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in names[1:])
    return (
        f'INSERT INTO "{table}" ({quoted}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET'
        f' {updates} WHERE "{table}".wire::text IS DISTINCT FROM EXCLUDED.wire::text'
    )


class _Checkpoints:
    """A checkpoints table: (organization, name) -> the last page's ``updatedTime``."""

    def __init__(self, table: str, key: str) -> None:
        self.create = (
            f"CREATE TABLE IF NOT EXISTS {table} (org_id TEXT NOT NULL, {key} TEXT NOT NULL,"
            f" updated_time TEXT NOT NULL, PRIMARY KEY (org_id, {key}))"
        )
        self.read = f"SELECT updated_time FROM {table} WHERE org_id = %s AND {key} = %s"
        self.drop = f"DELETE FROM {table} WHERE org_id = %s AND {key} = %s"
        self.save = (
            f"INSERT INTO {table} (org_id, {key}, updated_time) VALUES (%s, %s, %s)"
            f" ON CONFLICT (org_id, {key}) DO UPDATE SET updated_time = EXCLUDED.updated_time"
        )


class _Database:
    """An export's PostgreSQL database, written through one connection, a transaction at a
    time: the checkpoints, and pages upserted with their checkpoint in one transaction."""

    errors: tuple[type[Exception], ...] = (psycopg.Error,)
    _checkpoints: _Checkpoints

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._connection = connection
        self._turn = anyio.Lock()  # one transaction at a time on the one connection

    def __repr__(self) -> str:
        info = self._connection.info
        return f"<{type(self).__name__} {info.host}:{info.port}/{info.dbname}>"

    @staticmethod
    async def _connect(
        url: str, make_schema: Callable[[psycopg.AsyncConnection[Any]], Awaitable[None]]
    ) -> psycopg.AsyncConnection[Any]:
        """Connect, and make the schema under the advisory lock (workers starting together
        would race to make the same tables). Raises ``psycopg.Error``
        (``psycopg.OperationalError`` for a database that does not answer or refuses the
        sign-in)."""
        connection = await psycopg.AsyncConnection.connect(url, connect_timeout=CONNECT_TIMEOUT)
        try:
            async with connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                await make_schema(connection)
        except BaseException:
            await connection.close()
            raise
        return connection

    async def aclose(self) -> None:
        await self._connection.close()

    async def read_checkpoint(self, org_id: str, name: str) -> str | None:
        async with self._turn:
            cursor = await self._connection.execute(self._checkpoints.read, (org_id, name))
            row = await cursor.fetchone()
            await self._connection.commit()
        return None if row is None else str(row[0])

    async def drop_checkpoint(self, org_id: str, name: str) -> None:
        async with self._turn, self._connection.transaction():
            await self._connection.execute(self._checkpoints.drop, (org_id, name))

    async def _write(
        self,
        upsert: str,
        rows: Sequence[tuple[Any, ...]],
        org_id: str,
        name: str,
        checkpoint: str | None,
    ) -> int:
        """Upsert ``rows`` and move the checkpoint, in one transaction; the rows changed."""
        connection = self._connection
        async with self._turn, connection.transaction(), connection.cursor() as cursor:
            await cursor.executemany(upsert, rows)
            written = cursor.rowcount
            if checkpoint is not None:
                await cursor.execute(self._checkpoints.save, (org_id, name, checkpoint))
        return max(written, 0)

    async def _all_rows(self, table: str) -> list[tuple[Any, ...]]:
        async with self._turn:
            cursor = await self._connection.execute(f'SELECT * FROM "{table}" ORDER BY id')
            found = await cursor.fetchall()
            await self._connection.commit()
        return found


class PostgresExport(_Database):
    """The export's PostgreSQL database (``ExportWriter``). Make it with ``await
    PostgresExport.open(url, entities)``; close it with ``await export.aclose()``."""

    _checkpoints = _Checkpoints("checkpoints", "entity")

    @classmethod
    async def open(cls, url: str, entities: Iterable[str]) -> PostgresExport:
        """Connect, and make (or bring up to date) the tables of ``entities``. Raises
        ``psycopg.Error``."""

        async def make_schema(connection: psycopg.AsyncConnection[Any]) -> None:
            await connection.execute(cls._checkpoints.create)
            for entity in entities:
                await connection.execute(_create_table(entity))
                await _add_new_columns(connection, entity)

        return cls(await cls._connect(url, make_schema))

    async def write_page(
        self,
        org_id: str,
        entity: str,
        page: Sequence[dict[str, Any]],
        checkpoint: str | None,
        texts: RecordTexts,
    ) -> int:
        """Upsert a page of wire records and move the checkpoint, in one transaction; returns
        the rows changed. The rows are made in a worker thread (see ``_Writer.write``)."""
        rows = await anyio.to_thread.run_sync(_page_rows, org_id, entity, page, texts)
        return await self._write(_upsert(entity), rows, org_id, entity, checkpoint)

    async def rows(self, entity: str) -> list[tuple[Any, ...]]:
        """Every row of an entity's table (for tests and inspection)."""
        return await self._all_rows(LISTABLE[entity].group)


async def _add_new_columns(connection: psycopg.AsyncConnection[Any], entity: str) -> None:
    """Columns for the fields a model gained since the table was made, filled from each row's
    own record (``wire``): no row waits for its record to change, nor for a ``--full`` run."""
    table = LISTABLE[entity].group
    cursor = await connection.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s",
        (table,),
    )
    have = {row[0] for row in await cursor.fetchall()}
    added = [(column, kind) for column, kind in _columns(entity) if column not in have]
    if not added:
        return
    for column, kind in added:
        await connection.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
    cursor = await connection.execute(f'SELECT id, org_id, wire::text FROM "{table}"')
    stored = await cursor.fetchall()
    names = [column for column, _ in added]
    sets = ", ".join(f'"{column}" = %s' for column in names)
    async with connection.cursor() as updating:
        await updating.executemany(
            f'UPDATE "{table}" SET {sets} WHERE id = %s',
            [(*values, row_id) for row_id, values in backfill(entity, names, stored)],
        )


def _v3_create_table(group: str) -> str:
    return (
        f'CREATE TABLE IF NOT EXISTS "{table_of(group)}" (id TEXT PRIMARY KEY,'
        " org_id TEXT NOT NULL, updated_time TIMESTAMPTZ, archived BOOLEAN, wire JSON NOT NULL,"
        " synced_at TIMESTAMPTZ NOT NULL)"
    )


def _v3_upsert(group: str) -> str:
    """As SQLite's: a row holding a more recent record, or the same one, is kept."""
    table = table_of(group)
    return (
        f'INSERT INTO "{table}" (id, org_id, updated_time, archived, wire, synced_at)'
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET"
        " org_id = EXCLUDED.org_id, updated_time = EXCLUDED.updated_time,"
        " archived = EXCLUDED.archived, wire = EXCLUDED.wire, synced_at = EXCLUDED.synced_at"
        f' WHERE "{table}".wire::text IS DISTINCT FROM EXCLUDED.wire::text'
        f' AND ("{table}".updated_time IS NULL OR EXCLUDED.updated_time IS NULL'
        f' OR EXCLUDED.updated_time >= "{table}".updated_time)'
    )


def _v3_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row of ``record_rows`` as PostgreSQL's columns take it: a time BILL wrote in a form
    ``fromisoformat`` does not read is kept in ``wire`` only; one without an offset is UTC, as
    v3's times are (not the database session's zone)."""
    row_id, org_id, updated, archived, wire, synced_at = row
    try:
        when = None if updated is None else _dt.datetime.fromisoformat(updated)
    except ValueError:
        when = None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return (row_id, org_id, when, None if archived is None else bool(archived), wire, synced_at)


class PostgresV3Export(_Database):
    """The v3 export's PostgreSQL database (``V3ExportWriter``). Make it with ``await
    PostgresV3Export.open(url, groups)``; close it with ``await export.aclose()``."""

    _checkpoints = _Checkpoints("v3_checkpoints", "list")

    def __init__(
        self,
        connection: psycopg.AsyncConnection[Any],
        now: Callable[[], _dt.datetime] = _utc_now,
    ) -> None:
        super().__init__(connection)
        self._now = now

    @classmethod
    async def open(
        cls, url: str, groups: Iterable[str], now: Callable[[], _dt.datetime] = _utc_now
    ) -> PostgresV3Export:
        """Connect, and make the tables of ``groups`` where they are missing. Raises
        ``psycopg.Error``."""

        async def make_schema(connection: psycopg.AsyncConnection[Any]) -> None:
            await connection.execute(cls._checkpoints.create)
            for group in groups:
                await connection.execute(_v3_create_table(group))

        return cls(await cls._connect(url, make_schema), now)

    async def write_page(
        self, org_id: str, group: str, page: Sequence[dict[str, Any]], checkpoint: str | None
    ) -> int:
        """Upsert a page of v3 records and move the checkpoint, in one transaction; returns
        the rows changed."""
        rows = [_v3_row(row) for row in record_rows(org_id, group, page, self._now())]
        return await self._write(_v3_upsert(group), rows, org_id, group, checkpoint)

    async def rows(self, group: str) -> list[tuple[Any, ...]]:
        """Every row of a list's table (for tests and inspection)."""
        return await self._all_rows(table_of(group))
