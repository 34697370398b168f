"""List operations: filters and sorts checked before sending, and lazy paging.

BILL's List calls take ``start`` and ``max`` (at most 999) and answer with an array, without a
total: the pager asks for the next page with ``start`` moved on by ``max`` until a page comes
back short. Nothing is fetched until the pager is iterated.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from .._exceptions import InvalidRequestError, ProtocolError
from ._convert import Model, field_to_wire, wire_names
from ._wire import body_excerpt, wire_scalar

__all__ = [
    "MAX_PAGE_SIZE",
    "OPERATORS",
    "Filter",
    "KeysetPages",
    "OffsetPages",
    "Pager",
    "Sort",
    "list_data",
    "updated_since",
]

MAX_PAGE_SIZE = 999
OPERATORS = frozenset({"=", "<", ">", "!=", "<=", ">=", "in", "nin"})
# Fields every BILL object has, whether or not its model declares them.
COMMON_FIELDS = frozenset({"id", "isActive", "createdTime", "updatedTime"})

T = TypeVar("T", bound=Model)


@attrs.frozen
class Filter:
    """One List filter: ``Filter("updatedTime", ">=", some_datetime)``.

    ``field`` is the wire name (``"vendorId"``) or the model's Python name (``"vendor_id"``).
    ``in`` and ``nin`` take a list of values. Dates, datetimes, Decimals, enums and the
    ``isActive`` flag are sent in BILL's forms.
    """

    field: str
    op: str
    value: Any


@attrs.frozen
class Sort:
    """One List sort key: ``Sort("updatedTime")`` or ``Sort("name", ascending=False)``."""

    field: str
    ascending: bool = True


def _wire_value(model: type[Model], field: str, value: Any) -> Any:
    try:
        return wire_scalar(field_to_wire(model, field, value))
    except TypeError as error:
        raise InvalidRequestError(f"a filter on {field}: {error}") from None


def _field(model: type[Model], name: str, what: str) -> str:
    names = wire_names(model)
    if name in names.values() or name in COMMON_FIELDS:
        return name
    if name in names:
        return names[name]
    raise InvalidRequestError(
        f"{model.__name__} has no field {name!r} to {what}; known fields: "
        f"{', '.join(sorted(set(names.values()) | COMMON_FIELDS))}"
    )


def _filter(model: type[Model], item: Filter | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(item, Filter):
        field, op, value = item.field, item.op, item.value
    else:
        try:
            field, op, value = item["field"], item["op"], item["value"]
        except KeyError as missing:
            raise InvalidRequestError(f"a filter needs field, op and value: {missing}") from None
    if op not in OPERATORS:
        raise InvalidRequestError(
            f"unknown filter operator {op!r}; BILL's are {' '.join(sorted(OPERATORS))}"
        )
    wire = _field(model, field, "filter on")
    if op in ("in", "nin"):
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise InvalidRequestError(f"the {op!r} operator takes a list of values")
        value = [_wire_value(model, wire, v) for v in value]
    else:
        value = _wire_value(model, wire, value)
    return {"field": wire, "op": op, "value": value}


def _sort(model: type[Model], item: Sort | Mapping[str, Any]) -> dict[str, Any]:
    asc: Any
    if isinstance(item, Sort):
        field, asc = item.field, item.ascending
    else:
        unknown = set(item) - {"field", "asc"}
        if unknown:
            raise InvalidRequestError(
                f"a sort takes field and asc, not {', '.join(sorted(map(str, unknown)))}"
            )
        field, asc = item.get("field", ""), item.get("asc", True)
    # Any other value would be read by its truth: "desc" and "false" are true.
    if isinstance(asc, bool):
        ascending = asc
    elif type(asc) is str and asc.lower() in ("true", "false", "1", "0"):
        ascending = asc.lower() in ("true", "1")
    elif type(asc) is int and asc in (0, 1):
        ascending = asc == 1
    else:
        raise InvalidRequestError(f"a sort is ascending or not (True or False), not {asc!r}")
    # BILL's documentation sends ``asc`` as a string; so do we (docs/decisions.md).
    return {"field": _field(model, field, "sort by"), "asc": "true" if ascending else "false"}


def list_data(
    model: type[Model],
    *,
    filters: Iterable[Filter | Mapping[str, Any]],
    sort: Iterable[Sort | Mapping[str, Any]],
    page_size: int,
    nested: bool,
    show_audit: bool,
    start: int,
) -> dict[str, Any]:
    """The checked ``data`` of a List call's first page. Raises ``InvalidRequestError``."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidRequestError("page_size must be an int")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidRequestError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise InvalidRequestError("start must be an int of 0 or more")
    data: dict[str, Any] = {"start": start, "max": page_size}
    checked_filters = [_filter(model, item) for item in filters]
    if checked_filters:
        data["filters"] = checked_filters
    checked_sort = [_sort(model, item) for item in sort]
    if checked_sort:
        data["sort"] = checked_sort
    if nested:
        data["nested"] = True
    if show_audit:
        data["showAudit"] = True
    return data


def updated_since(
    since: _dt.datetime | _dt.date,
) -> tuple[list[Filter], list[Sort]]:
    """Filters and sort for an incremental sync: records updated at or after ``since``, oldest
    first, ties broken by id so that the order is stable from page to page."""
    return [Filter("updatedTime", ">=", since)], [Sort("updatedTime"), Sort("id")]


FetchPage = Callable[[dict[str, Any]], Awaitable[Any]]


class Pager(Generic[T]):
    """An async iterator over the records of a List call, fetched a page at a time.

    ``async for vendor in client.vendors.list(): ...``; ``async for page in pager.pages()``
    for whole pages; ``await pager.collect()`` for a list.
    """

    def __init__(
        self,
        fetch: FetchPage,
        model: type[T],
        data: dict[str, Any],
        limit: int | None,
        *,
        keyset: bool = False,
        operation: str = "List",
    ) -> None:
        if limit is not None and limit < 0:
            raise InvalidRequestError("limit must be 0 or more")
        self._fetch = fetch
        self._model = model
        self._data = data
        self._limit = limit
        self._keyset = keyset
        self._operation = operation

    def __repr__(self) -> str:
        return f"<Pager of {self._model.__name__} {self._data!r}>"

    @property
    def data(self) -> dict[str, Any]:
        """The first page's ``data``, as it will be sent."""
        return dict(self._data)

    def pages(self) -> _Pages[T]:
        """Each page as a list of models; stops after the first short page."""
        if self._keyset:
            raw: RawPages = KeysetPages(self._fetch, self._data, self._operation)
        else:
            raw = OffsetPages(self._fetch, self._data, self._operation)
        return _Pages(raw, self._model, self._limit)

    def __aiter__(self) -> _Records[T]:
        return _Records(self.pages())

    async def collect(self) -> list[T]:
        """Every record, in one list."""
        return [item async for item in self]


# Iterators are classes rather than async generators: a loop that breaks early leaves nothing
# for the garbage collector to finalize (trio warns about unfinished async generators).


def _rows(answer: Any, operation: str) -> list[dict[str, Any]]:
    """A List answer's records; anything but an array of objects is a ProtocolError (treating
    it as a short page would end the paging early and lose records silently)."""
    if type(answer) is list and all(type(row) is dict for row in answer):
        return answer
    raise ProtocolError(
        "a List answer is not an array of objects",
        status_code=200,
        body=body_excerpt(repr(answer).encode()),
        operation=operation,
    )


class RawPages(Protocol):
    """Pages of records as BILL sent them."""

    def __aiter__(self) -> RawPages: ...

    async def __anext__(self) -> list[dict[str, Any]]: ...


class OffsetPages:
    """Pages by ``start``, moved on by ``max`` until a page comes back short."""

    def __init__(self, fetch: FetchPage, data: dict[str, Any], operation: str) -> None:
        self._fetch = fetch
        self._data = data
        self._start: int = data["start"]
        self._operation = operation
        self._done = False

    def __aiter__(self) -> OffsetPages:
        return self

    async def __anext__(self) -> list[dict[str, Any]]:
        if self._done:
            raise StopAsyncIteration
        page = _rows(await self._fetch({**self._data, "start": self._start}), self._operation)
        self._start += self._data["max"]
        self._done = len(page) < self._data["max"]
        if not page:
            raise StopAsyncIteration
        return page


class KeysetPages:
    """Pages of records sorted by ``updatedTime`` then ``id``, each asked for from the last
    record's ``updatedTime`` rather than by offset from the start: a record updated during the
    paging moves to the end instead of shifting every later page.

    Within the records at that time, the next page starts one record early, at the last one
    given. Found there, nothing before it has moved; if another record is there instead (one
    of the group was updated or deleted since, or one joined it), the group is asked for again
    from its start and the records already given are dropped. Skipping by count alone would then
    skip a record never given, and a sync's checkpoint would pass it for good. With pages of one
    record there is no room to start early, and counting is all there is. ``data`` must filter
    ``updatedTime >= since`` (or not at all) and sort by ``updatedTime`` then ``id``."""

    def __init__(self, fetch: FetchPage, data: dict[str, Any], operation: str) -> None:
        self._fetch = fetch
        filters = list(data.get("filters", ()))
        since = [f for f in filters if f["field"] == "updatedTime" and f["op"] == ">="]
        self._filters = [f for f in filters if f not in since]
        self._since: Any = since[0]["value"] if since else None
        self._seen: set[Any] = set()  # ids of the records at ``_since`` already given
        self._last_id: Any = None  # the last record given, at ``_since``
        self._data = data
        self._offset: int = data["start"]  # records at or after ``_since`` passed
        self._operation = operation
        self._done = False

    def __aiter__(self) -> KeysetPages:
        return self

    async def __anext__(self) -> list[dict[str, Any]]:
        size = self._data["max"]
        while not self._done:
            early = self._last_id is not None and self._offset > 0 and size > 1
            start = self._offset - 1 if early else self._offset
            page = await self._next_page(start)
            since, seen = self._since, self._seen
            if early:
                first = page[0] if page else {}
                if first.get("id") != self._last_id or first.get("updatedTime") != since:
                    self._offset, self._last_id = 0, None  # the group moved: from its start
                    continue
            rows = page[1:] if early else page
            fresh = [r for r in rows if r.get("updatedTime") != since or r.get("id") not in seen]
            last = page[-1].get("updatedTime") if page else None
            if len(page) < size or not isinstance(last, str):
                self._done = True
            else:
                at_last = [row.get("id") for row in page if row.get("updatedTime") == last]
                if last == since:
                    self._offset = start + len(page)
                    seen.update(at_last)
                else:
                    self._since, self._offset, self._seen = last, len(at_last), set(at_last)
                self._last_id = page[-1].get("id")
            if fresh:
                return fresh
        raise StopAsyncIteration

    async def _next_page(self, start: int) -> list[dict[str, Any]]:
        filters = list(self._filters)
        if self._since is not None:
            filters.append({"field": "updatedTime", "op": ">=", "value": self._since})
        data = {**self._data, "start": start}
        if filters:
            data["filters"] = filters
        return _rows(await self._fetch(data), self._operation)


class _Pages(Generic[T]):
    def __init__(self, raw: RawPages, model: type[T], limit: int | None) -> None:
        self._raw = raw
        self._structure = model.from_wire
        self._left = limit

    def __aiter__(self) -> _Pages[T]:
        return self

    async def __anext__(self) -> list[T]:
        if self._left is not None and self._left <= 0:
            raise StopAsyncIteration
        rows = await self._raw.__anext__()
        if self._left is not None:
            rows = rows[: self._left]
            self._left -= len(rows)
        return [self._structure(row) for row in rows]


class _Records(Generic[T]):
    def __init__(self, pages: _Pages[T]) -> None:
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
