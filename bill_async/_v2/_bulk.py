"""Bulk operations: many objects in few calls, one result per item, nothing lost.

BILL's ``Bulk/Crud/*`` operations take at most 100 items and answer with one envelope per item.
``run_bulk`` cuts the input into chunks of 100, sends the chunks concurrently (the governor
keeps at most 3 in flight per organization), and returns one result per input item in input
order: the object, or that item's error. A failing item never costs the others their results.

Every bulk operation is a write. An item the answer does not account for may have run: it is an
``AmbiguousWriteError``, never sent again. That is every item of a chunk whose answer does not
hold exactly one envelope per item (results are matched to items by position only, so with one
missing none can be told apart), and an item whose own envelope cannot be read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, cast

import anyio

from .._core._redact import redact_data
from .._exceptions import AmbiguousWriteError, BillError, InvalidRequestError
from ._convert import Model
from ._endpoints import BULK_LIMIT
from ._wire import api_error, dumps

__all__ = ["BULK_CHUNK", "BulkResult", "BulkResults", "run_bulk"]

BULK_CHUNK = BULK_LIMIT

T = TypeVar("T", bound=Model)

# The object BILL made or changed, or the error for that one item: an ApiError when BILL refused
# the item (or its whole chunk), AmbiguousWriteError when the item's fate is unknown.
BulkResult: TypeAlias = T | BillError


class BulkResults(list[T | BillError]):
    """One result per item of a bulk call, in the order of the items: the object BILL made or
    changed, or that item's error (a ``BillError``: BILL's refusal of the item or of its whole
    chunk, or ``AmbiguousWriteError`` when its chunk's fate is unknown)::

        results = await client.vendors.bulk_create(vendors)
        for vendor in results.succeeded: ...
        for index, error in results.failed: ...  # index: the item's position in the input
    """

    @property
    def succeeded(self) -> list[T]:
        """The objects, in order, of the items that succeeded."""
        return [result for result in self if not isinstance(result, BillError)]

    @property
    def failed(self) -> list[tuple[int, BillError]]:
        """``(index of the item, its error)`` for each item that failed."""
        return [(i, result) for i, result in enumerate(self) if isinstance(result, BillError)]

    @property
    def all_succeeded(self) -> bool:
        return not any(isinstance(result, BillError) for result in self)


# Sends one chunk, given as items and as the JSON of its ``data``; returns BILL's answer.
SendChunk = Callable[[list[Any], str], Awaitable[Any]]


def _unaccounted(operation: str, item: Any, reason: str) -> AmbiguousWriteError:
    return AmbiguousWriteError(operation, redact_data(item), reason)


def _item_result(
    model: type[T], item: Any, envelope: Any, operation: str, secrets: Sequence[str]
) -> T | BillError:
    data = envelope.get("response_data") if isinstance(envelope, Mapping) else None
    if isinstance(data, Mapping) and envelope.get("response_status") == 0:
        return model.from_wire(data)
    error = api_error(data, operation, secrets)
    if error is not None:
        return error
    return _unaccounted(operation, item, "BILL's envelope for this item is unreadable")


async def run_bulk(
    send_chunk: SendChunk,
    model: type[T],
    items: Iterable[Any],
    operation: str,
    *,
    chunk_size: int = BULK_CHUNK,
    secrets: Callable[[], Sequence[str]] = tuple,
) -> BulkResults[T]:
    """Send ``items`` (already in wire form) in chunks; one result per item, in order.

    Raises ``InvalidRequestError``, with nothing sent, if an item cannot be put into JSON.
    ``secrets`` gives the values to mask in the errors made of BILL's answers."""
    wire_items = list(items)
    results: list[T | BillError | None] = [None] * len(wire_items)
    # Every chunk is encoded before any is sent: an item that cannot be sent fails the call
    # with nothing sent, instead of cancelling chunks that BILL may already be running.
    encoded: dict[int, str] = {}
    for offset in range(0, len(wire_items), chunk_size):
        try:
            encoded[offset] = dumps({"bulk": wire_items[offset : offset + chunk_size]})
        except InvalidRequestError as error:
            last = min(offset + chunk_size, len(wire_items)) - 1
            raise InvalidRequestError(
                f"{operation}: an item among items {offset}..{last}: {error}"
            ) from error

    async def run_chunk(offset: int) -> None:
        chunk = wire_items[offset : offset + chunk_size]
        try:
            answer = await send_chunk(chunk, encoded[offset])
        except BillError as chunk_error:
            # The whole chunk failed (refused by BILL or by a spent budget, or its fate is
            # unknown): every item says so, and the other chunks keep their results.
            for index in range(offset, offset + len(chunk)):
                results[index] = chunk_error
            return
        envelopes = answer.get("bulk") if isinstance(answer, Mapping) else None
        if not isinstance(envelopes, list) or len(envelopes) != len(chunk):
            held = len(envelopes) if isinstance(envelopes, list) else "no list of"
            reason = f"BILL's answer for {len(chunk)} items held {held} results"
            for position, item in enumerate(chunk):
                results[offset + position] = _unaccounted(operation, item, reason)
            return
        masked = secrets()
        for position, envelope in enumerate(envelopes):
            item = chunk[position]
            results[offset + position] = _item_result(model, item, envelope, operation, masked)

    async with anyio.create_task_group() as group:
        for offset in range(0, len(wire_items), chunk_size):
            group.start_soon(run_chunk, offset)
    return BulkResults(cast("list[T | BillError]", results))  # every chunk filled its slots
