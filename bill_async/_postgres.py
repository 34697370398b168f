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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import anyio
import psycopg

from ._sync import LISTABLE, _page_rows, backfill
from ._v2._convert import FieldKind, field_kinds
from ._v2._models import MODELS_BY_ENTITY

__all__ = ["PostgresExport"]

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


_CHECKPOINTS = (
    "CREATE TABLE IF NOT EXISTS checkpoints (org_id TEXT NOT NULL, entity TEXT NOT NULL,"
    " updated_time TEXT NOT NULL, PRIMARY KEY (org_id, entity))"
)
_SAVE_CHECKPOINT = (
    "INSERT INTO checkpoints (org_id, entity, updated_time) VALUES (%s, %s, %s)"
    " ON CONFLICT (org_id, entity) DO UPDATE SET updated_time = EXCLUDED.updated_time"
)


class PostgresExport:
    """The export's PostgreSQL database, written through one connection, a transaction at a
    time (``ExportWriter``). Make it with ``await PostgresExport.open(url, entities)``; close
    it with ``await export.aclose()``."""

    errors: tuple[type[Exception], ...] = (psycopg.Error,)

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._connection = connection
        self._turn = anyio.Lock()  # one transaction at a time on the one connection

    def __repr__(self) -> str:
        info = self._connection.info
        return f"<PostgresExport {info.host}:{info.port}/{info.dbname}>"

    @classmethod
    async def open(cls, url: str, entities: Iterable[str]) -> PostgresExport:
        """Connect, and make (or bring up to date) the tables of ``entities``. Raises
        ``psycopg.Error`` (``psycopg.OperationalError`` for a database that does not answer or
        refuses the sign-in)."""
        connection = await psycopg.AsyncConnection.connect(url, connect_timeout=CONNECT_TIMEOUT)
        try:
            async with connection.transaction():
                # Workers starting together would race to make the same tables.
                await connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                await connection.execute(_CHECKPOINTS)
                for entity in entities:
                    await connection.execute(_create_table(entity))
                    await _add_new_columns(connection, entity)
        except BaseException:
            await connection.close()
            raise
        return cls(connection)

    async def aclose(self) -> None:
        await self._connection.close()

    async def read_checkpoint(self, org_id: str, entity: str) -> str | None:
        async with self._turn:
            cursor = await self._connection.execute(
                "SELECT updated_time FROM checkpoints WHERE org_id = %s AND entity = %s",
                (org_id, entity),
            )
            row = await cursor.fetchone()
            await self._connection.commit()
        return None if row is None else str(row[0])

    async def drop_checkpoint(self, org_id: str, entity: str) -> None:
        async with self._turn, self._connection.transaction():
            await self._connection.execute(
                "DELETE FROM checkpoints WHERE org_id = %s AND entity = %s", (org_id, entity)
            )

    async def write_page(
        self,
        org_id: str,
        entity: str,
        page: Sequence[dict[str, Any]],
        checkpoint: str | None,
        texts: Mapping[int, str],
    ) -> int:
        """Upsert a page of wire records and move the checkpoint, in one transaction; returns
        the rows changed. The rows are made in a worker thread (see ``_Writer.write``)."""
        rows = await anyio.to_thread.run_sync(_page_rows, org_id, entity, page, texts)
        connection = self._connection
        async with self._turn, connection.transaction(), connection.cursor() as cursor:
            await cursor.executemany(_upsert(entity), rows)
            written = cursor.rowcount
            if checkpoint is not None:
                await cursor.execute(_SAVE_CHECKPOINT, (org_id, entity, checkpoint))
        return max(written, 0)

    async def rows(self, entity: str) -> list[tuple[Any, ...]]:
        """Every row of an entity's table (for tests and inspection)."""
        async with self._turn:
            cursor = await self._connection.execute(
                f'SELECT * FROM "{LISTABLE[entity].group}" ORDER BY id'
            )
            found = await cursor.fetchall()
            await self._connection.commit()
        return found


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
