"""List.json's arguments: ``start``, ``max``, ``filters``, ``sort`` and ``nested`` (reference §6).

Filters compare by the field's kind: timestamps (``...Time``) as instants, so that a plain date
or any offset compares correctly; dates (``...Date``) as dates; amounts and counts as numbers;
flags as booleans; everything else as strings. An unknown field or operator is refused.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ._entities import CHILD_KEYS, parse_time
from ._errors import INVALID_REQUEST, Fault

__all__ = [
    "DEFAULT_MAX",
    "OPERATORS",
    "field_kind",
    "run_list",
    "select",
    "strip_children",
    "truthy",
]

DEFAULT_MAX = 999
OPERATORS = frozenset({"=", "<", ">", "!=", "<=", ">=", "in", "nin"})

_NUMBER_WORDS = (
    "amount",
    "Amount",
    "balance",
    "Balance",
    "price",
    "Price",
    "quantity",
    "Percent",
    "percentage",
    "exchangeRate",
    "Cost",
    "Count",
)


def truthy(value: Any) -> bool:
    """BILL's booleans as clients send them: JSON booleans, "true"/"false", 1/0, "1"/"0"."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def field_kind(field: str, default: Any) -> str:
    """How values of ``field`` compare: "time", "date", "number", "bool" or "string"."""
    if field.endswith("Time"):
        return "time"
    if field.endswith("Date"):
        return "date"
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int | float):
        return "number"
    if any(word in field for word in _NUMBER_WORDS):
        return "number"
    return "string"


# Every page of a sorted or filtered List reads the time of every object. Remembered, the 13
# pages of 12,000 bills as an incremental export asks for them cost 0.63 s instead of 1.12 s.
_parse_time_text = functools.lru_cache(maxsize=1 << 17)(parse_time)


def _normalizer(kind: str, field: str) -> Callable[[Any], Any]:
    def time_value(value: Any) -> Any:
        return _parse_time_text(value) if type(value) is str else parse_time(value)

    def date_value(value: Any) -> Any:
        parsed = parse_time(value)
        return None if parsed is None else parsed.date()

    def number_value(value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None

    def bool_value(value: Any) -> Any:
        return None if value is None else truthy(value)

    def string_value(value: Any) -> Any:
        if value is None:
            return None
        if field == "isActive" and isinstance(value, bool):
            return "1" if value else "2"
        return str(value)

    return {
        "time": time_value,
        "date": date_value,
        "number": number_value,
        "bool": bool_value,
    }.get(kind, string_value)


_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _predicate(item: Any, template: Mapping[str, Any]) -> Callable[[dict[str, Any]], bool]:
    if not isinstance(item, Mapping):
        raise Fault(INVALID_REQUEST, f"A filter must be an object, not {item!r}.")
    field, op, value = item.get("field"), item.get("op"), item.get("value")
    if not isinstance(field, str) or field not in template:
        raise Fault(INVALID_REQUEST, f"Invalid filter field: {field!r}.")
    if op not in OPERATORS:
        raise Fault(INVALID_REQUEST, f"Invalid filter operator: {op!r}.")
    normal = _normalizer(field_kind(field, template[field]), field)

    if op in ("in", "nin"):
        values = value.split(",") if isinstance(value, str) else value
        if not isinstance(values, list):
            raise Fault(INVALID_REQUEST, f"The {op} operator takes a list of values.")
        wanted = [normal(v) for v in values]
        inside = op == "in"
        return lambda obj: (normal(obj.get(field)) in wanted) is inside

    target = normal(value)
    if value is not None and target is None:
        raise Fault(INVALID_REQUEST, f"Invalid filter value for {field}: {value!r}.")
    if op == "=":
        return lambda obj: normal(obj.get(field)) == target
    if op == "!=":
        return lambda obj: normal(obj.get(field)) != target
    compare = _COMPARE[op]

    def ordered(obj: dict[str, Any]) -> bool:
        have = normal(obj.get(field))
        if have is None or target is None:
            return False
        try:
            return compare(have, target)
        except TypeError:
            return False

    return ordered


def _sort_key(field: str, template: Mapping[str, Any]) -> Callable[[dict[str, Any]], Any]:
    normal = _normalizer(field_kind(field, template[field]), field)
    floor = _dt.datetime.min.replace(tzinfo=_dt.UTC)

    def key(obj: dict[str, Any]) -> Any:
        value = normal(obj.get(field))
        if value is None:
            return (0, floor if field.endswith("Time") else "")
        return (1, value)

    return key


def _int_arg(data: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise Fault(INVALID_REQUEST, f"{name} must be a number.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Fault(INVALID_REQUEST, f"{name} must be a number, not {value!r}.") from None
    if not low <= number <= high:
        raise Fault(INVALID_REQUEST, f"{name} must be between {low} and {high}.")
    return number


def strip_children(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without its arrays of child objects (what List answers without ``nested``)."""
    if CHILD_KEYS.isdisjoint(obj):
        return obj
    return {key: value for key, value in obj.items() if key not in CHILD_KEYS}


def select(
    objects: Iterable[dict[str, Any]], data: Mapping[str, Any], template: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The objects that pass ``data``'s filters, in its sort order (stable: ties keep the
    creation order)."""
    filters = data.get("filters") or []
    sorts = data.get("sort") or []
    if not isinstance(filters, list) or not isinstance(sorts, list):
        raise Fault(INVALID_REQUEST, "filters and sort must be lists.")
    predicates = [_predicate(item, template) for item in filters]
    rows = [obj for obj in objects if all(test(obj) for test in predicates)]
    for item in reversed(sorts):
        if not isinstance(item, Mapping) or item.get("field") not in template:
            raise Fault(INVALID_REQUEST, f"Invalid sort field: {item!r}.")
        ascending = truthy(item.get("asc", True))
        rows.sort(key=_sort_key(str(item["field"]), template), reverse=not ascending)
    return rows


def run_list(
    objects: Iterable[dict[str, Any]], data: Mapping[str, Any], template: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One page of ``objects`` for List.json's ``data``."""
    start = _int_arg(data, "start", 0, 0, 10**9)
    page_size = _int_arg(data, "max", DEFAULT_MAX, 1, DEFAULT_MAX)
    page = select(objects, data, template)[start : start + page_size]
    if truthy(data.get("nested", False)):
        return page
    return [strip_children(obj) for obj in page]
