"""The narrow seam between v3's generated groups and the client: ``Requester``.

Each generated method is one call of one of these methods with its row of the v3 endpoint table.
``V3Requester`` implements it over a ``Pipeline`` in v3's dialect: it fills in the path and
query, checks what the row says must be checked before sending (the permission map, MFA for an
MFA-protected option such as a vendor's autoPay), sends, and reads the answer into the row's
model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar

import anyio

from .._core._pipeline import Pipeline
from .._core._retry import RetryPolicy
from .._exceptions import (
    BillError,
    InvalidRequestError,
    MfaRequiredError,
    ProtocolError,
    TokenPermissionError,
)
from .._v2._bulk import BulkResults
from .._v2._convert import Model
from .._v2._pagination import Filter, Sort
from .._v2._wire import body_excerpt
from ._dialect import V3Dialect
from ._endpoints import Operation, Shape
from ._pagination import CursorPager, list_query

__all__ = ["Requester", "V3Requester"]

M = TypeVar("M", bound=Model)

Record = dict[str, Any]  # a v3 object the SDK has no model for, as BILL sent it


class Requester(Protocol):
    """What a v3 group may ask of a client: every method takes its row of the table."""

    async def call(
        self,
        op: Operation,
        *args: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """The answer as BILL sent it (None for an empty one)."""

    async def fetch(
        self,
        op: Operation,
        model: type[M],
        *args: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> M:
        """``call``, with the answer as one ``model``."""

    async def fetch_all(
        self, op: Operation, *args: str, query: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """``call``, with the records under the row's ``result_key`` (or a bare array)."""

    def paginate(
        self,
        op: Operation,
        model: type[M],
        *args: str,
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        limit: int | None,
        query: Mapping[str, Any] | None = None,
    ) -> CursorPager[M]:
        """A lazy pager over a cursor-paged list (checked before anything is sent)."""

    def paginate_records(
        self,
        op: Operation,
        *args: str,
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        limit: int | None,
        query: Mapping[str, Any] | None = None,
    ) -> CursorPager[Record]:
        """``paginate`` for records the SDK has no model for."""

    async def bulk(
        self, op: Operation, model: type[M], items: Iterable[Mapping[str, Any]]
    ) -> BulkResults[M]:
        """A bulk operation in chunks of the row's limit, each all-or-nothing."""

    async def bulk_ids(self, op: Operation, model: type[M], ids: Iterable[str]) -> BulkResults[M]:
        """A bulk archive or restore, by ids."""

    async def upload(
        self,
        op: Operation,
        model: type[M],
        *args: str,
        file_name: str,
        content: bytes,
        content_type: str,
        query: Mapping[str, Any] | None = None,
    ) -> M:
        """A file's raw bytes, at most 6 MB."""


def _truthy_at(body: Any, dotted: str) -> bool:
    """Whether ``body`` holds a true value at ``a.b`` (a list of bodies: any of them)."""
    if isinstance(body, list):
        return any(_truthy_at(item, dotted) for item in body)
    value = body
    for key in dotted.split("."):
        if not isinstance(value, Mapping):
            return False
        value = value.get(key)
    return bool(value)


class V3Requester:
    """``Requester`` over one organization's pipeline, in BILL v3's dialect."""

    def __init__(self, pipeline: Pipeline, dialect: V3Dialect) -> None:
        self._pipeline = pipeline
        self._dialect = dialect
        self._dev_key = pipeline.auth.dev_key

    def __repr__(self) -> str:
        return f"<V3Requester org={self._pipeline.auth.org_id}>"

    def _check(self, op: Operation, body: Any) -> None:
        """What the row refuses before anything is sent, body included."""
        pipeline = self._pipeline
        pipeline.shared.check_usable()
        pipeline.check_allowed(op)
        if op.shape is Shape.BODY and op.bulk_limit and isinstance(body, Mapping):
            # One object holding the items (a bulk payment's "payments"): BILL's limit applies.
            for key, value in body.items():
                if isinstance(value, list) and len(value) > op.bulk_limit:
                    raise InvalidRequestError(
                        f"{op.name}: {key} holds {len(value)} items; BILL takes at most "
                        f"{op.bulk_limit} in one request"
                    )
        if op.mfa_when is None or not _truthy_at(body, op.mfa_when):
            return
        if pipeline.auth.is_token:
            raise TokenPermissionError(
                op.name, f"a token session cannot set {op.mfa_when} (MFA-protected)"
            )
        if not pipeline.sessions.is_trusted():
            raise MfaRequiredError(op.name)

    async def send(
        self,
        op: Operation,
        args: tuple[str, ...] = (),
        *,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
        policy: RetryPolicy | None = None,
    ) -> Any:
        self._check(op, body)
        call = self._dialect.call(op, self._dev_key, args, query=query, body=body)
        return await self._pipeline.request(op, call, policy=policy)

    async def call(
        self,
        op: Operation,
        *args: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        return await self.send(op, args, body=body, query=query)

    async def fetch(
        self,
        op: Operation,
        model: type[M],
        *args: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> M:
        answer = await self.send(op, args, body=body, query=query)
        if not isinstance(answer, dict):
            raise _not_an_object(op, answer)
        return model.from_wire(answer)

    async def fetch_all(
        self, op: Operation, *args: str, query: Mapping[str, Any] | None = None
    ) -> list[Any]:
        answer = await self.send(op, args, query=query)
        rows = answer.get(op.result_key) if op.result_key and isinstance(answer, dict) else answer
        if not isinstance(rows, list):
            raise _not_an_object(op, answer, "a list")
        return rows

    def paginate(
        self,
        op: Operation,
        model: type[M],
        *args: str,
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        limit: int | None,
        query: Mapping[str, Any] | None = None,
    ) -> CursorPager[M]:
        return self._pager(op, model.from_wire, args, filters, sort, page_size, limit, query)

    def paginate_records(
        self,
        op: Operation,
        *args: str,
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        limit: int | None,
        query: Mapping[str, Any] | None = None,
    ) -> CursorPager[Record]:
        return self._pager(op, dict, args, filters, sort, page_size, limit, query)

    def _pager(
        self,
        op: Operation,
        structure: Any,
        args: tuple[str, ...],
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        limit: int | None,
        extra_query: Mapping[str, Any] | None,
    ) -> CursorPager[Any]:
        if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < page_size:
            page_size = limit  # a page of 100 records to keep 5 would cost 20 times the bytes
        query = list_query(filters=filters, sort=sort, page_size=page_size)
        query.update({k: v for k, v in (extra_query or {}).items() if v is not None})
        self._dialect.url(op, args, None)  # bad path parameters: refused now, not when iterated

        async def fetch(page_query: dict[str, Any]) -> Any:
            return await self.send(op, args, query=page_query)

        return CursorPager(fetch, structure, query, limit, operation=op.name)

    async def bulk(
        self, op: Operation, model: type[M], items: Iterable[Mapping[str, Any]]
    ) -> BulkResults[M]:
        bodies = [dict(item) for item in _mappings(op, items)]
        self._check(op, bodies)
        size = op.bulk_limit or len(bodies) or 1
        chunks = [bodies[start : start + size] for start in range(0, len(bodies), size)]
        calls = [self._dialect.call(op, self._dev_key, (), body=chunk) for chunk in chunks]
        return await self._run_chunks(op, model, calls, [len(chunk) for chunk in chunks])

    async def bulk_ids(self, op: Operation, model: type[M], ids: Iterable[str]) -> BulkResults[M]:
        wanted = list(ids)
        if any(not isinstance(i, str) or not i or "," in i for i in wanted):
            raise InvalidRequestError(f"{op.name}: ids must be non-empty ids without commas")
        self._check(op, None)
        size = op.bulk_limit or 50
        chunks = [wanted[start : start + size] for start in range(0, len(wanted), size)]
        calls = [
            self._dialect.call(op, self._dev_key, (), query={"ids": ",".join(chunk)})
            for chunk in chunks
        ]
        return await self._run_chunks(op, model, calls, [len(chunk) for chunk in chunks])

    async def _run_chunks(
        self, op: Operation, model: type[M], calls: list[Any], sizes: list[int]
    ) -> BulkResults[M]:
        """Every chunk at once (the governor keeps 3 in flight); each all-or-nothing: its items
        are all BILL's objects, or all the chunk's error."""
        results: list[M | BillError] = []
        outcomes: list[list[M | BillError]] = [[] for _ in calls]

        async def run(index: int) -> None:
            try:
                answer = await self._pipeline.request(op, calls[index])
            except BillError as refused:
                outcomes[index] = [refused] * sizes[index]
                return
            rows = answer.get(op.result_key) if isinstance(answer, dict) else answer
            if not isinstance(rows, list) or len(rows) != sizes[index]:
                unreadable = _not_an_object(op, answer, f"a list of {sizes[index]} objects")
                outcomes[index] = [unreadable] * sizes[index]
                return
            outcomes[index] = [model.from_wire(row) for row in rows]

        async with anyio.create_task_group() as group:
            for index in range(len(calls)):
                group.start_soon(run, index)
        for outcome in outcomes:
            results.extend(outcome)
        return BulkResults(results)

    async def upload(
        self,
        op: Operation,
        model: type[M],
        *args: str,
        file_name: str,
        content: bytes,
        content_type: str,
        query: Mapping[str, Any] | None = None,
    ) -> M:
        self._check(op, None)
        call = self._dialect.upload_call(
            op,
            self._dev_key,
            args,
            name=file_name,
            content=content,
            content_type=content_type,
            query=query,
        )
        answer = await self._pipeline.request(op, call)
        if not isinstance(answer, dict):
            raise _not_an_object(op, answer)
        return model.from_wire(answer)


def _mappings(op: Operation, items: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found = list(items)
    for index, item in enumerate(found):
        if not isinstance(item, Mapping):
            raise InvalidRequestError(f"{op.name}: item {index} is not a mapping: {item!r}")
    return found


def _not_an_object(op: Operation, answer: Any, what: str = "an object") -> ProtocolError:
    return ProtocolError(
        f"the answer is not {what}",
        status_code=200,
        body=body_excerpt(repr(answer).encode()),
        operation=op.name,
    )
