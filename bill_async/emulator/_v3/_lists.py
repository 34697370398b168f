"""v3 lists: ``max``, ``page``, ``filters`` and ``sort`` (reference §4.4), over v2 objects.

``max`` is 1 to 100 (20 when not given); anything else is refused with 400, as BILL refuses
``max=0`` and ``max=101``. ``filters`` is ``field:op:value`` joined by commas (all must hold),
the ops ``eq ne gt gte lt lte in nin sw``; a value may be quoted (``"..."``: dates, times,
text, and the comma-separated lists of ``in``/``nin``) or not (numbers, booleans). ``sort`` is
``field:asc|desc`` joined by commas, the first field first. Values compare by their field's
kind: times as instants (any of the forms BILL accepts: ``...ss.SSSZ``, ``...ss``, ``...mm``,
a plain date), dates as dates, amounts as numbers, booleans, and text exactly. A filter or
sort on a key the record does not have is refused with BDC_1130.

A page's ``nextPage`` is an opaque cursor naming the next position in the same filters and
sort (the organization's objects in creation order, then sorted); it ends when there is no
next page. A cursor of another list or other filters, or a ``page`` that is no cursor, is
refused with 400. A sorted list reads the objects kept sorted since the last write
(``_sorted``), bisected by a first filter ``field:gte:value`` on the first sort field,
ascending: the same pages as filtering and sorting every object for each.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from .._entities import parse_time
from .._errors import invalid_field_value, invalid_filter_field
from .._sorted import KeptList, SortedRows, SortKey
from ._convert import shared_rule
from ._records import RecordSpec
from ._wire import bad_request

__all__ = ["DEFAULT_MAX", "MAX_PAGE", "Page", "page_of", "page_size", "slice_page"]

DEFAULT_MAX = 20
MAX_PAGE = 100
_OPS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "sw"})

Value = Callable[[Any], Any]  # a v2 object -> the value a filter or sort compares


@attrs.frozen
class Page:
    """One page: its records (still v2 objects), and the cursors around it."""

    rows: list[Any]
    next_page: str | None
    prev_page: str | None


def _split(text: str) -> list[str]:
    """``a:eq:"x,y",b:gt:1`` -> the two filters (commas inside quotes kept)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if quoted:
        raise bad_request(f"Invalid filters: an unclosed quote in {text!r}.")
    parts.append("".join(current))
    return [part for part in parts if part]


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw


def _coerce(kind: str, raw: str, field: str) -> Any:
    """A filter's value as its field's kind compares it."""
    if kind == "time":
        value: Any = parse_time(raw)
    elif kind == "date":
        parsed = parse_time(raw)
        value = None if parsed is None else parsed.date()
    elif kind == "number":
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
    elif kind == "bool":
        value = {"true": True, "false": False}.get(raw.lower())
    else:
        value = raw
    if value is None:
        raise shared_rule(invalid_field_value(field, raw))
    return value


def _normal(kind: str, value: Any) -> Any:
    """A record's value as its kind compares it (None stays None)."""
    if value is None:
        return None
    if kind == "time":
        return parse_time(value)
    if kind == "date":
        parsed = parse_time(value)
        return None if parsed is None else parsed.date()
    if kind == "number":
        return Decimal(str(value))
    return value


def _test(op: str, have: Any, want: Any) -> bool:
    if op == "eq":
        return bool(have == want)
    if op == "ne":
        return bool(have != want)
    if op in ("in", "nin"):
        return (have in want) == (op == "in")
    if have is None:
        return False
    if op == "sw":
        return isinstance(have, str) and have.startswith(want)
    try:
        if op == "gt":
            return bool(have > want)
        if op == "gte":
            return bool(have >= want)
        if op == "lt":
            return bool(have < want)
        return bool(have <= want)
    except TypeError:
        return False


def _getter(spec: RecordSpec, field: str) -> tuple[str, Value]:
    """The kind and value of a key a filter or sort names; BDC_1130 for an unknown key."""
    found = spec.by_path.get(field)
    if found is None:
        raise shared_rule(invalid_filter_field(field))
    kind, read, key = found.conv.kind, found.conv.read, found.v2

    def value(obj: Any) -> Any:
        return _normal(kind, read(obj.get(key)))

    return kind, value


def _parts(text: str) -> tuple[str, str, str]:
    """A filter's field, op and raw value."""
    field, op, raw = [*text.split(":", 2), "", ""][:3]
    return field, op, raw.strip()


def _predicate(spec: RecordSpec, text: str) -> Callable[[Any], bool]:
    field, op, raw = _parts(text)
    if op not in _OPS:
        raise bad_request(
            f"Invalid filter operator {op!r} in {text!r}: one of {' '.join(sorted(_OPS))}."
        )
    kind, value = _getter(spec, field)
    if op in ("in", "nin"):
        want: Any = {_coerce(kind, part.strip(), field) for part in _unquote(raw).split(",")}
    else:
        want = _coerce(kind, _unquote(raw), field)
    return lambda obj: _test(op, value(obj), want)


def _orders(spec: RecordSpec, text: str) -> list[tuple[str, bool]]:
    """A ``sort``'s fields and whether each is descending, the first field first."""
    orders = []
    for part in _split(text):
        field, _, direction = part.partition(":")
        if direction not in ("asc", "desc", ""):
            raise bad_request(f"Invalid sort {part!r}: field:asc or field:desc.")
        _getter(spec, field)  # BDC_1130 for an unknown key
        orders.append((field, direction == "desc"))
    return orders


def _sort_keys(spec: RecordSpec, orders: list[tuple[str, bool]]) -> list[tuple[SortKey, bool]]:
    return [(_sort_key(_getter(spec, field)[1]), descending) for field, descending in orders]


def _sorted(spec: RecordSpec, rows: list[Any], text: str) -> list[Any]:
    # The last key first, each sort stable: the first key decides. Missing values first.
    for key, descending in reversed(_sort_keys(spec, _orders(spec, text))):
        rows.sort(key=key, reverse=descending)
    return rows


def _kept_rows(
    spec: RecordSpec, kept: KeptList, filters: str, order: str, tests: list[Callable[[Any], bool]]
) -> list[Any] | None:
    """The filtered, sorted rows from the objects kept sorted (see ``_sorted``); None when the
    sort's keys do not order totally."""
    orders = _orders(spec, order)
    if not orders:
        return None
    found = kept.sorted_by((spec.name, tuple(orders)), lambda: _sort_keys(spec, orders))
    if found is None:
        return None
    rows: list[Any] = found.rows
    parts = _split(filters)
    first_field, descending = orders[0]
    # Only the first filter: a filter before it is tested on every object, as the plain way
    # tests it, and so fails where the plain way would.
    start = _start_of(spec, parts[0], first_field, found) if parts and not descending else None
    if start is not None:
        rows, tests = rows[start:], tests[1:]
    return [obj for obj in rows if all(test(obj) for test in tests)] if tests else rows


def _start_of(spec: RecordSpec, text: str, field: str, found: SortedRows) -> int | None:
    """Where the rows a ``field:gte:value`` filter keeps start in ``found`` (sorted by
    ``field`` first, ascending); None for any other filter."""
    named, op, raw = _parts(text)
    if named != field or op != "gte":
        return None
    return found.start_at(_coerce(_getter(spec, field)[0], _unquote(raw), field))


def _sort_key(value: Value) -> Callable[[Any], tuple[bool, Any]]:
    def key(obj: Any) -> tuple[bool, Any]:
        found = value(obj)
        return (found is not None, 0 if found is None else found)

    return key


def page_size(query: Mapping[str, str]) -> int:
    """``max``: 1 to 100, 20 when not given; else 400."""
    raw = query.get("max")
    if raw is None:
        return DEFAULT_MAX
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE:
        raise bad_request(f"max must be from 1 to {MAX_PAGE}, not {raw!r}.")
    return size


def _cursor(offset: int, signature: int) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{signature}".encode()).decode().rstrip("=")


def _offset(page: str, signature: int) -> int:
    try:
        text = base64.urlsafe_b64decode(page + "=" * (-len(page) % 4)).decode()
        offset, _, signed = text.partition(":")
        if int(signed) == signature and int(offset) >= 0:
            return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise bad_request("Invalid page: pass the nextPage or prevPage of the same list.")


def page_of(
    spec: RecordSpec,
    objects: Iterable[Any],
    query: Mapping[str, str],
    scope: str,
    kept: KeptList | None = None,
) -> Page:
    """One page of ``objects`` (v2 objects of ``spec``) by a list's query parameters;
    ``scope`` names the list (its path), so that a cursor serves only its own list. With
    ``kept`` (the same objects), a sorted list is read from what is kept sorted since the last
    write: the same page, without sorting every object again."""
    size = page_size(query)
    filters, order = query.get("filters", ""), query.get("sort", "")
    tests = [_predicate(spec, part) for part in _split(filters)]
    rows = None
    if kept is not None and order:
        try:
            rows = _kept_rows(spec, kept, filters, order, tests)
        except Exception:  # the plain way below refuses it (or fails) as it always has
            rows = None
    if rows is None:
        rows = [obj for obj in objects if all(test(obj) for test in tests)]
        if order:
            rows = _sorted(spec, rows, order)
    return slice_page(rows, size, query.get("page"), f"{scope}\n{filters}\n{order}")


def slice_page(rows: Sequence[Any], size: int, page: str | None, scope: str) -> Page:
    """The page of ``rows`` that ``page`` (a cursor of the same ``scope``: the list, its
    filters and sort) names, ``size`` long; the first page when ``page`` is None."""
    signature = zlib.crc32(scope.encode())
    offset = 0 if page is None else _offset(page, signature)
    chosen: Sequence[Any] = rows[offset : offset + size]
    after = offset + size
    return Page(
        list(chosen),
        _cursor(after, signature) if after < len(rows) else None,
        _cursor(max(offset - size, 0), signature) if offset > 0 else None,
    )
