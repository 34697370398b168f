"""v3 lists: cursor pages, filters and sorts checked before sending, lazy iteration.

BILL's v3 lists are ``GET`` with ``max`` (1 to 100), ``page`` (the ``nextPage`` of the answer
before), ``filters`` (``field:op:"value"``, joined by commas, all of which must hold) and
``sort`` (``field:asc|desc``). An answer is ``{"nextPage", "prevPage", "results": [...]}``;
the pages end when ``nextPage`` is missing. Nothing is fetched until the pager is iterated.

``Filter`` and ``Sort`` are the same classes as v2's; v2's operators are taken too (``=`` is
``eq``, ``>=`` is ``gte``, ...), so a filter moves from v2 to v3 unchanged.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Generic, TypeVar

from .._exceptions import InvalidRequestError, ProtocolError
from .._v2._pagination import Filter, Sort
from .._v2._wire import body_excerpt

__all__ = [
    "MAX_PAGE_SIZE",
    "OPERATORS",
    "CursorPager",
    "list_query",
]

MAX_PAGE_SIZE = 100
OPERATORS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "sw"})
_FROM_V2 = {"=": "eq", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")

T = TypeVar("T")


def _timestamp(value: _dt.datetime) -> str:
    if value.utcoffset() is None:
        raise InvalidRequestError("a filter's timestamp needs a timezone: pass an aware datetime")
    utc = value.astimezone(_dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _text(field: str, value: str) -> str:
    if '"' in value:
        raise InvalidRequestError(f"a filter on {field}: BILL's filters cannot hold a '\"'")
    return f'"{value}"'


def _value(field: str, value: Any) -> str:
    """One filter value as BILL's filter syntax writes it: text, dates and times quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, _dt.datetime):
        return _text(field, _timestamp(value))
    if isinstance(value, _dt.date):
        return _text(field, value.isoformat())
    if isinstance(value, enum.Enum):
        return _value(field, value.value)
    if isinstance(value, str):
        return _text(field, value)
    raise InvalidRequestError(f"a filter on {field} cannot take {type(value).__name__} {value!r}")


def _filter(item: Filter | Mapping[str, Any]) -> str:
    if isinstance(item, Filter):
        field, op, value = item.field, item.op, item.value
    else:
        try:
            field, op, value = item["field"], item["op"], item["value"]
        except KeyError as missing:
            raise InvalidRequestError(f"a filter needs field, op and value: {missing}") from None
    op = _FROM_V2.get(op, op)
    if op not in OPERATORS:
        raise InvalidRequestError(
            f"unknown filter operator {op!r}; BILL v3's are {' '.join(sorted(OPERATORS))}"
        )
    if not isinstance(field, str) or not _FIELD.fullmatch(field):
        raise InvalidRequestError(f"{field!r} is not a field BILL can filter on")
    if op in ("in", "nin"):
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise InvalidRequestError(f"the {op!r} operator takes a list of values")
        parts = [_value(field, v).strip('"') for v in value]
        if any("," in part for part in parts):
            raise InvalidRequestError(f"a filter on {field}: an 'in' value cannot hold a ','")
        return f'{field}:{op}:"{",".join(parts)}"'
    return f"{field}:{op}:{_value(field, value)}"


def _sort(item: Sort | Mapping[str, Any]) -> str:
    if isinstance(item, Sort):
        field, ascending = item.field, item.ascending
    else:
        field, ascending = item.get("field", ""), item.get("asc", True)
        if not isinstance(ascending, bool):
            raise InvalidRequestError(
                f"a sort is ascending or not (True or False), not {ascending!r}"
            )
    if not isinstance(field, str) or not _FIELD.fullmatch(field):
        raise InvalidRequestError(f"{field!r} is not a field BILL can sort by")
    return f"{field}:{'asc' if ascending else 'desc'}"


def list_query(
    *,
    filters: Iterable[Filter | Mapping[str, Any]],
    sort: Iterable[Sort | Mapping[str, Any]],
    page_size: int,
) -> dict[str, Any]:
    """The checked query of a list's first page. Raises ``InvalidRequestError``."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidRequestError("page_size must be an int")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidRequestError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
    query: dict[str, Any] = {"max": page_size}
    checked = [_filter(item) for item in filters]
    if checked:
        query["filters"] = ",".join(checked)
    order = [_sort(item) for item in sort]
    if order:
        query["sort"] = ",".join(order)
    return query


FetchPage = Callable[[dict[str, Any]], Awaitable[Any]]


class CursorPager(Generic[T]):
    """An async iterator over a v3 list, a page at a time: ``async for vendor in ...``,
    ``async for page in pager.pages()``, or ``await pager.collect()``."""

    def __init__(
        self,
        fetch: FetchPage,
        structure: Callable[[dict[str, Any]], T],
        query: dict[str, Any],
        limit: int | None,
        *,
        operation: str,
    ) -> None:
        if limit is not None and (isinstance(limit, bool) or limit < 0):
            raise InvalidRequestError("limit must be 0 or more")
        self._fetch = fetch
        self._structure = structure
        self._query = query
        self._limit = limit
        self._operation = operation

    def __repr__(self) -> str:
        return f"<CursorPager {self._operation} {self._query!r}>"

    @property
    def query(self) -> dict[str, Any]:
        """The first page's query, as it will be sent."""
        return dict(self._query)

    def pages(self) -> _CursorPages[T]:
        """Each page as a list; ends after the page with no ``nextPage``."""
        return _CursorPages(self)

    def __aiter__(self) -> _Records[T]:
        return _Records(self.pages())

    async def collect(self) -> list[T]:
        """Every record, in one list."""
        return [item async for item in self]


class _CursorPages(Generic[T]):
    def __init__(self, pager: CursorPager[T]) -> None:
        self._pager = pager
        self._cursor: str | None = None
        self._left = pager._limit
        self._done = False

    def __aiter__(self) -> _CursorPages[T]:
        return self

    async def __anext__(self) -> list[T]:
        pager = self._pager
        while not self._done and (self._left is None or self._left > 0):
            query = dict(pager._query)
            if self._cursor is not None:
                query["page"] = self._cursor
            answer = await pager._fetch(query)
            rows, cursor = _page(answer, pager._operation)
            self._cursor = cursor
            self._done = cursor is None
            if self._left is not None:
                rows = rows[: self._left]
                self._left -= len(rows)
            if rows:  # an empty page with a nextPage means go on (BILL's cursors may)
                return [pager._structure(row) for row in rows]
        raise StopAsyncIteration


def _page(answer: Any, operation: str) -> tuple[list[dict[str, Any]], str | None]:
    """A page's records and the cursor of the next one (None: the last page)."""
    if isinstance(answer, dict):
        rows, cursor = answer.get("results"), answer.get("nextPage")
        if (
            isinstance(rows, list)
            and all(isinstance(row, dict) for row in rows)
            and (cursor is None or isinstance(cursor, str))
        ):
            return rows, cursor or None
    raise ProtocolError(
        "a list's answer is not {nextPage, results: [...]}",
        status_code=200,
        body=body_excerpt(repr(answer).encode()),
        operation=operation,
    )


class _Records(Generic[T]):
    def __init__(self, pages: _CursorPages[T]) -> None:
        self._pages = pages
        self._page: list[T] = []
        self._index = 0

    def __aiter__(self) -> _Records[T]:
        return self

    async def __anext__(self) -> T:
        while self._index >= len(self._page):
            self._page = await self._pages.__anext__()
            self._index = 0
        item = self._page[self._index]
        self._index += 1
        return item
