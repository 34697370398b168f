"""Lists kept sorted between their pages, until the next write.

A client reading a long list asks for page after page in the same order: ``bill-async sync``
asks for every page sorted by ``updatedTime`` then ``id`` and filtered from the last page's
time. Sorting every object of the entity for each page cost the emulator about three times the
CPU of plain offset pages, on the cores its clients use too. So an organization's objects of an
entity, sorted by one sort, are kept (``SortedLists``) and reused by every page of that sort
until the state's write generation moves (``State.wrote``): every call that may write moves it,
whatever it changes, so nothing kept outlives a change to an order or to who is in a list.

Kept rows give the same answer as sorting the filtered objects, as long as each sort key orders
its objects totally: a stable sort of all objects, filtered, keeps the filtered ones in the
order a stable sort of only them gives. Keys of one plain type (text, a flag, a finite number,
a date, an aware instant) do; when a key's values are of mixed types or include a NaN, nothing
is kept and the list is answered the plain way.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["KeptList", "SortKey", "SortedLists", "SortedRows", "sort_rows"]

# An object -> its sort key: (False-ish, filler) when it has no value, (True-ish, value) else;
# the objects without a value come first.
SortKey = Callable[[Any], tuple[Any, Any]]

# The types whose values order totally among themselves (a Decimal's NaN and a naive datetime
# excepted, checked apart).
_ORDERED_TYPES = frozenset({str, bool, Decimal, _dt.date, _dt.datetime})
_MIXED = object()  # a column of values that do not order totally: nothing is kept
# Sorted lists kept at once, the least recently read dropped first: every entity of a few
# organizations, so that an export of 4 organizations' 27 entities finds them all again on its
# next run when nothing was written in between.
_KEPT_LISTS = 256


def _orders_totally(value: Any) -> bool:
    kind = type(value)
    if kind not in _ORDERED_TYPES:
        return False
    if kind is Decimal:
        return not value.is_nan()
    if kind is _dt.datetime:
        return value.utcoffset() is not None
    return True


def _value_type(column: Sequence[tuple[Any, Any]]) -> type | object | None:
    """The one type of a key's values (None: no object has one), or ``_MIXED``."""
    values = [value for present, value in column if present]
    kinds = set(map(type, values))
    if not kinds:
        return None
    kind = kinds.pop()
    if kinds or kind not in _ORDERED_TYPES:
        return _MIXED
    if kind is Decimal and any(map(Decimal.is_nan, values)):
        return _MIXED
    if kind is _dt.datetime and None in map(_dt.datetime.utcoffset, values):
        return _MIXED
    return kind


@attrs.frozen
class SortedRows:
    """One list's objects in one sort's order, and each one's key of the first sort.

    Attributes:
        rows: the objects, sorted (stable: ties keep the creation order).
        first_keys: ``rows``' keys of the first sort, in the same order.
        first_type: the type of the first sort's values; None when no object has one.
    """

    rows: list[Any]
    first_keys: list[tuple[Any, Any]]
    first_type: type | None

    def start_at(self, target: Any) -> int | None:
        """Where the rows whose first key's value is at or above ``target`` start, the first
        sort being ascending: what a ``>=`` filter on it keeps is ``rows[start:]``. None when
        ``target`` is not of the values' type, which the filter tests one by one."""
        if self.first_type is not None and type(target) is not self.first_type:
            return None
        if not _orders_totally(target):
            return None
        # (True, target) sorts after every key without a value and among the others by value.
        return bisect.bisect_left(self.first_keys, (True, target))


def sort_rows(objects: Iterable[Any], orders: Sequence[tuple[SortKey, bool]]) -> SortedRows | None:
    """``objects`` sorted by ``orders`` (key, descending), the first one first, each sort
    stable; None when a key's values do not order totally."""
    rows = list(objects)
    columns = [[key(row) for row in rows] for key, _ in orders]
    types = [_value_type(column) for column in columns]
    if any(kind is _MIXED for kind in types):
        return None
    positions = list(range(len(rows)))
    # The last key first, each sort stable: the first key decides, as the plain sorts do.
    for column, (_, descending) in reversed(list(zip(columns, orders, strict=True))):
        positions.sort(key=column.__getitem__, reverse=descending)
    first = columns[0]
    first_type = types[0]
    assert first_type is None or isinstance(first_type, type)
    return SortedRows([rows[i] for i in positions], [first[i] for i in positions], first_type)


class SortedLists:
    """The sorted rows of the lists read since the last write, by (organization, list, sort).

    Only the rows of the current write generation are kept: the first read after a write
    drops the rest. A sort whose keys do not order totally is kept as None (answered the
    plain way) so that it is not tried again on every page. Past ``_KEPT_LISTS``, the least
    recently read is dropped: a list being paged through is read on every page.
    """

    def __init__(self) -> None:
        self._generation = 0
        self._kept: dict[Hashable, SortedRows | None] = {}

    def get(
        self, key: Hashable, generation: int, build: Callable[[], SortedRows | None]
    ) -> SortedRows | None:
        """The rows kept under ``key`` for ``generation``, made by ``build`` if there are none."""
        if generation != self._generation:
            self._kept.clear()
            self._generation = generation
        if key in self._kept:
            found = self._kept[key] = self._kept.pop(key)  # now the most recently read
            return found
        if len(self._kept) >= _KEPT_LISTS:
            del self._kept[next(iter(self._kept))]  # the least recently read
        found = self._kept[key] = build()
        return found


@attrs.frozen
class KeptList:
    """One list's objects (an organization's objects of an entity), and where their sorted
    orders are kept for the write generation this call reads."""

    lists: SortedLists
    generation: int
    name: tuple[str, ...]  # (organization id, entity): whose objects
    objects: Callable[[], Iterable[Any]]

    def sorted_by(
        self, sort: Hashable, orders: Callable[[], Sequence[tuple[SortKey, bool]]]
    ) -> SortedRows | None:
        """The objects sorted by ``orders()``, which ``sort`` names (with the face's key
        functions: a v2 sort and a v3 one of the same fields are kept apart)."""
        return self.lists.get(
            (*self.name, sort), self.generation, lambda: sort_rows(self.objects(), orders())
        )
