"""The emulator's CPU per List page: the pages ``bill-async sync`` asks for against plain
offset pages, on both faces, in-process and without HTTP.

    python scripts/emulator_list_cpu.py [--scale 4] [--orgs 4] [--rounds 3]

v2: every listable entity of every organization, read once as ``KeysetPages`` reads it (sorted
by ``updatedTime`` then ``id``, each page from the last page's time) and once by offset (the
hand-written export's pages), 999 a page, as scenario 4 of the benchmarks reads them. v3:
``/v3/bills`` of the first organization by its ``nextPage`` cursors, sorted the same way and
filtered on ``updatedTime``, 100 a page. Each page's time is the handler's and the JSON encoding
of its answer, as the emulator spends it under its lock. Each round is one such export on the
same emulator with nothing written in between, as scenario 4's rounds are: the first round
sorts, the later ones may find their sorts kept. Run it before and after a change to the
emulator's List path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from bill_async._sync import LISTABLE
from bill_async._v2._endpoints import ENDPOINTS_BY_PATH
from bill_async._v2._pagination import FetchPage, KeysetPages
from bill_async.emulator import DEMO_DEV_KEY, Emulator, EmulatorConfig
from bill_async.emulator._http import dump_json, ok_envelope
from bill_async.emulator._ops import Call, Handler
from bill_async.emulator._state import OrgData, Session, State
from bill_async.emulator._v3._context import Handler as V3Handler
from bill_async.emulator._v3._context import V3Call
from bill_async.emulator._v3._routes import HANDLERS
from bill_async.v3._endpoints import OPERATIONS

PAGE = 999
V3_PAGE = 100


class Meter:
    """CPU seconds and pages, summed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.pages = 0

    def timed(self, work: Callable[..., bytes], *args: Any) -> bytes:
        started = time.process_time()
        body = work(*args)
        self.seconds += time.process_time() - started
        self.pages += 1
        return body

    @property
    def per_page_ms(self) -> float:
        return 1000 * self.seconds / max(self.pages, 1)


def _v2_answer(handler: Handler, call: Call) -> bytes:
    return dump_json(ok_envelope(handler(call)))


def _v3_answer(handler: V3Handler, call: V3Call) -> bytes:
    return dump_json(handler(call).payload)


def _v2_fetch(
    emulator: Emulator, org: OrgData, session: Session, entity: str, meter: Meter
) -> FetchPage:
    endpoint = ENDPOINTS_BY_PATH[f"List/{entity}.json"]
    handler = emulator._handlers[endpoint.path]

    async def fetch(data: dict[str, Any]) -> Any:
        call = Call(emulator.state, org, session, endpoint, dict(data), {})
        body = meter.timed(_v2_answer, handler, call)
        return json.loads(body)["response_data"]

    return fetch


async def _keyset(fetch: FetchPage, entity: str) -> int:
    data = {
        "start": 0,
        "max": PAGE,
        "sort": [{"field": "updatedTime", "asc": True}, {"field": "id", "asc": True}],
    }
    return sum([len(page) async for page in KeysetPages(fetch, data, f"List/{entity}.json")])


async def _offset(fetch: FetchPage, entity: str) -> int:
    records, start = 0, 0
    while True:
        page = await fetch({"start": start, "max": PAGE})
        records += len(page)
        start += PAGE
        if len(page) < PAGE:
            return records


def _v3_pages(state: State, org: OrgData, session: Session, meter: Meter) -> int:
    op = next(op for op in OPERATIONS if op.name == "GET /v3/bills")
    handler = HANDLERS[(op.http, op.path)]
    query = {
        "max": str(V3_PAGE),
        "sort": "updatedTime:asc,id:asc",
        "filters": 'updatedTime:gte:"2000-01-01T00:00:00.000Z"',
    }
    records = 0
    while True:
        call = V3Call(state, org, session, op, {}, dict(query), b"", {}, "http://localhost")
        answer = json.loads(meter.timed(_v3_answer, handler, call))
        records += len(answer["results"])
        if "nextPage" not in answer:
            return records
        query["page"] = answer["nextPage"]


def _rounds(scale: float, orgs: int, rounds: int) -> list[dict[str, Meter]]:
    """``rounds`` exports of every organization by both kinds of pages, on one emulator (as
    scenario 4's, whose caches carry over from one run to the next)."""
    names = tuple(f"Org {number + 1}" for number in range(orgs))
    emulator = Emulator(EmulatorConfig(org_names=names, scale=scale, latency=0.0))
    emulator.seed_all()
    state = emulator.state
    found = []
    with emulator.lock:
        chosen = [state.org(org_id) for org_id in emulator.org_ids]
        v2 = [state.open_session(org, DEMO_DEV_KEY, is_token=False, trusted=True) for org in chosen]
        v3 = state.open_session(chosen[0], DEMO_DEV_KEY, is_token=False, trusted=True, api="v3")
        for number in range(rounds):
            meters = {"v2 keyset": Meter(), "v2 offset": Meter(), "v3 sorted": Meter()}
            kinds = [("keyset", _keyset), ("offset", _offset)]
            for org, session in zip(chosen, v2, strict=True):
                for entity in LISTABLE:
                    lengths = set()
                    # Side by side, first by turns: neither kind gets the quieter moments.
                    for kind, pages in kinds if number % 2 == 0 else reversed(kinds):
                        fetch = _v2_fetch(emulator, org, session, entity, meters[f"v2 {kind}"])
                        lengths.add(asyncio.run(pages(fetch, entity)))
                    if len(lengths) != 1:
                        raise SystemExit(f"{entity}: the keyset and offset pages differ")
            _v3_pages(state, chosen[0], v3, meters["v3 sorted"])
            found.append(meters)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=4.0)
    parser.add_argument("--orgs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = _rounds(args.scale, args.orgs, args.rounds)
    for name in rounds[0]:
        seconds = ", ".join(f"{meters[name].seconds:.3f}" for meters in rounds)
        print(f"{name}: {rounds[0][name].pages} pages a round; CPU s by round: {seconds}")
        for label, chosen in (("first", rounds[:1]), ("later", rounds[1:])):
            if chosen:
                ms = statistics.median(meters[name].per_page_ms for meters in chosen)
                print(f"  {label} round{'s' if len(chosen) > 1 else ''}: {ms:.2f} ms a page")


if __name__ == "__main__":
    main()
