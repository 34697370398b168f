"""The emulator's lists as they were answered before sorted lists were kept between pages
(``bill_async/emulator/_sorted.py``): every page filters every object, then sorts the rows. The
tests hold the kept lists to these answers.

Copied from ``_query.select`` and ``_v3/_lists.page_of`` as they were, over the helpers that
did not change (a filter's test, a sort's key, the page cursors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bill_async.emulator._errors import invalid_data_key, invalid_filter_field
from bill_async.emulator._query import _predicate as v2_predicate
from bill_async.emulator._query import _sort_key as v2_sort_key
from bill_async.emulator._query import truthy
from bill_async.emulator._v3._lists import (
    _OPS,
    Page,
    _coerce,
    _getter,
    _split,
    _test,
    _unquote,
    page_size,
    slice_page,
)
from bill_async.emulator._v3._lists import _sort_key as v3_sort_key
from bill_async.emulator._v3._records import RecordSpec
from bill_async.emulator._v3._wire import bad_request


def plain_select(
    objects: Iterable[dict[str, Any]], data: Mapping[str, Any], template: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """v2: the objects that pass ``data``'s filters, in its sort order."""
    filters = data.get("filters") or []
    sorts = data.get("sort") or []
    for key, value in (("filters", filters), ("sort", sorts)):
        if not isinstance(value, list):
            raise invalid_data_key(key, value)
    predicates = [v2_predicate(item, template) for item in filters]
    rows = [obj for obj in objects if all(test(obj) for test in predicates)]
    for item in reversed(sorts):
        if not isinstance(item, Mapping):
            raise invalid_data_key("sort", item)
        if item.get("field") not in template:
            raise invalid_filter_field(item.get("field"))
        ascending = truthy(item.get("asc", True))
        rows.sort(key=v2_sort_key(str(item["field"]), template), reverse=not ascending)
    return rows


def _v3_predicate(spec: RecordSpec, text: str) -> Callable[[Any], bool]:
    field, op, raw = [*text.split(":", 2), "", ""][:3]
    if op not in _OPS:
        raise bad_request(
            f"Invalid filter operator {op!r} in {text!r}: one of {' '.join(sorted(_OPS))}."
        )
    kind, value = _getter(spec, field)
    raw = raw.strip()
    if op in ("in", "nin"):
        want: Any = {_coerce(kind, part.strip(), field) for part in _unquote(raw).split(",")}
    else:
        want = _coerce(kind, _unquote(raw), field)
    return lambda obj: _test(op, value(obj), want)


def _v3_sorted(spec: RecordSpec, rows: list[Any], text: str) -> list[Any]:
    orders = []
    for part in _split(text):
        field, _, direction = part.partition(":")
        if direction not in ("asc", "desc", ""):
            raise bad_request(f"Invalid sort {part!r}: field:asc or field:desc.")
        orders.append((_getter(spec, field)[1], direction == "desc"))
    for value, descending in reversed(orders):
        rows.sort(key=v3_sort_key(value), reverse=descending)
    return rows


def plain_page(
    spec: RecordSpec, objects: Iterable[Any], query: Mapping[str, str], scope: str
) -> Page:
    """v3: one page of ``objects`` by a list's query parameters."""
    size = page_size(query)
    filters, order = query.get("filters", ""), query.get("sort", "")
    tests = [_v3_predicate(spec, part) for part in _split(filters)]
    rows = [obj for obj in objects if all(test(obj) for test in tests)]
    if order:
        rows = _v3_sorted(spec, rows, order)
    return slice_page(rows, size, query.get("page"), f"{scope}\n{filters}\n{order}")
