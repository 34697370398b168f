"""Bulk operations: many objects in few calls, one result per item, nothing lost.

BILL's ``Bulk/Crud/*`` operations take at most 100 items and answer with one envelope per item.
``run_bulk`` cuts the input into chunks of 100, sends the chunks concurrently (the governor
keeps at most 3 in flight per organization), and returns one result per input item in input
order: the object, or that item's error. A failing item never costs the others their results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeAlias, TypeVar, cast

import anyio

from ._convert import Model
from ._exceptions import BillError, ProtocolError, RequestRejectedError, api_error_for

__all__ = ["BULK_CHUNK", "BulkResult", "run_bulk"]

BULK_CHUNK = 100

T = TypeVar("T", bound=Model)

# The object BILL made or changed, or the error for that one item: an ApiError when BILL refused
# the item (or its whole chunk), AmbiguousWriteError when the chunk's fate is unknown.
BulkResult: TypeAlias = T | BillError

SendChunk = Callable[[list[Any]], Awaitable[Any]]


def _item_result(model: type[T], envelope: Any, operation: str) -> T | BillError:
    if not isinstance(envelope, Mapping):
        return ProtocolError(
            "a bulk item is not an envelope",
            status_code=200,
            body=repr(envelope)[:200],
            operation=operation,
        )
    data = envelope.get("response_data")
    if envelope.get("response_status") == 0 and isinstance(data, Mapping):
        return model.from_wire(data)
    if isinstance(data, Mapping) and isinstance(data.get("error_code"), str):
        return api_error_for(data["error_code"], str(data.get("error_message", "")), operation)
    return ProtocolError(
        "a bulk item's envelope is unreadable",
        status_code=200,
        body=repr(envelope)[:200],
        operation=operation,
    )


async def run_bulk(
    send_chunk: SendChunk,
    model: type[T],
    items: Iterable[Any],
    operation: str,
    *,
    chunk_size: int = BULK_CHUNK,
) -> list[T | BillError]:
    """Send ``items`` (already in wire form) in chunks; one result per item, in order."""
    wire_items = list(items)
    results: list[T | BillError | None] = [None] * len(wire_items)

    async def run_chunk(offset: int) -> None:
        chunk = wire_items[offset : offset + chunk_size]
        try:
            answer = await send_chunk(chunk)
        except RequestRejectedError:
            raise  # refused before sending (permissions, budget): the whole call fails
        except BillError as chunk_error:
            # The whole chunk failed (refused, or its fate is unknown): every item says so.
            for index in range(offset, offset + len(chunk)):
                results[index] = chunk_error
            return
        envelopes = answer.get("bulk") if isinstance(answer, Mapping) else None
        if not isinstance(envelopes, list) or len(envelopes) != len(chunk):
            error = ProtocolError(
                f"a bulk answer of {len(chunk)} items did not hold {len(chunk)} results",
                status_code=200,
                body=repr(answer)[:200],
                operation=operation,
            )
            for index in range(offset, offset + len(chunk)):
                results[index] = error
            return
        for position, envelope in enumerate(envelopes):
            results[offset + position] = _item_result(model, envelope, operation)

    async with anyio.create_task_group() as group:
        for offset in range(0, len(wire_items), chunk_size):
            group.start_soon(run_chunk, offset)
    return cast("list[T | BillError]", results)  # every chunk filled its slots
