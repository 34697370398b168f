"""Scenario 4's reference: the export a user might write by hand instead of ``bill-async sync``.

aiohttp and ``json.loads``; per organization a login, then 3 workers taking entities in turn and
reading each by offset pages of 999 (nested, as the SDK asks); one SQLite table per entity with
a column per top-level scalar key of its first record, and the record as JSON; one
``executemany`` and commit per page, on the event loop. No retries, no checkpoints, no models.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

import aiohttp

__all__ = ["export"]

PAGE = 999
WORKERS = 3  # BILL's requests in flight per organization
SCALARS = (str, int, float, bool, type(None))


class _Tables:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.inserts: dict[str, tuple[list[str], str]] = {}

    def insert(self, entity: str, first: dict[str, Any]) -> tuple[list[str], str]:
        if entity not in self.inserts:
            columns = [k for k, v in first.items() if k != "id" and isinstance(v, SCALARS)]
            names = ", ".join(f'"{c}"' for c in ["id", "org_id", *columns, "record"])
            table = names.replace('"id"', '"id" TEXT PRIMARY KEY', 1)
            self.db.execute(f'CREATE TABLE IF NOT EXISTS "{entity}" ({table})')
            marks = ", ".join("?" * (len(columns) + 3))
            sql = f'INSERT OR REPLACE INTO "{entity}" ({names}) VALUES ({marks})'
            self.inserts[entity] = (columns, sql)
        return self.inserts[entity]

    def write(self, entity: str, org_id: str, page: list[dict[str, Any]]) -> None:
        columns, sql = self.insert(entity, page[0])
        rows = []
        for record in page:
            values = [record.get(c) for c in columns]
            values = [v if isinstance(v, SCALARS) else json.dumps(v) for v in values]
            rows.append([record.get("id"), org_id, *values, json.dumps(record)])
        with self.db:
            self.db.executemany(sql, rows)


async def _post(http: aiohttp.ClientSession, url: str, form: dict[str, str]) -> Any:
    async with http.post(url, data=form) as response:
        envelope = json.loads(await response.read())
    if envelope["response_status"] != 0:
        raise RuntimeError(f"{url}: {envelope['response_data']}")
    return envelope["response_data"]


async def _export_org(
    http: aiohttp.ClientSession, base_url: str, login: dict[str, str], org_id: str,
    entities: list[str], tables: _Tables,
) -> None:  # fmt: skip
    session = await _post(http, f"{base_url}/Login.json", {**login, "orgId": org_id})
    call = {"devKey": login["devKey"], "sessionId": session["sessionId"]}
    todo = list(entities)

    async def worker() -> None:
        while todo:
            entity = todo.pop(0)
            start = 0
            while True:
                data = json.dumps({"start": start, "max": PAGE, "nested": True})
                url = f"{base_url}/List/{entity}.json"
                page = await _post(http, url, {**call, "data": data})
                if page:
                    tables.write(entity, org_id, page)
                if len(page) < PAGE:
                    break
                start += PAGE

    await asyncio.gather(*(worker() for _ in range(WORKERS)))


async def export(
    base_url: str, login: dict[str, str], org_ids: list[str], entities: list[str], out: str
) -> None:
    """Export ``entities`` of every organization in ``org_ids`` into the SQLite file ``out``.
    ``login``: the Login.json form without ``orgId``."""
    db = sqlite3.connect(out)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    tables = _Tables(db)
    try:
        async with aiohttp.ClientSession() as http:
            await asyncio.gather(
                *(_export_org(http, base_url, login, o, entities, tables) for o in org_ids)
            )
    finally:
        db.close()
