"""One value between v2's form (the state's) and v3's: conversions by kind, and dotted paths.

A ``Conv`` reads a v2 value into its v3 form (None: the key is left out, as BILL leaves unset
keys out of its answers) and writes a v3 value from a request back into v2's form, refusing
what is not of its kind with BILL's codes of the shared table (a wrong JSON type: BDC_1124; a
value outside a code list or naming nothing: BDC_1119; a date that is not one: BDC_1129).
Its ``kind`` says how list filters compare it: ``text``, ``bool``, ``number``, ``date`` or
``time``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from .._entities import ZERO_ID, amount_of, check_date, money
from .._errors import Fault, invalid_datatype, invalid_field_value
from ._wire import V3Fault, from_v2_fault, from_v2_time

__all__ = [
    "ARCHIVED",
    "BOOL",
    "COUNTRY",
    "Codes",
    "Conv",
    "DATE",
    "NUMBER",
    "Ref",
    "TEXT",
    "TIME",
    "codes",
    "get_path",
    "present",
    "set_path",
    "shared_rule",
]


def shared_rule(fault: Fault) -> V3Fault:
    """A refusal of the shared rules, as the v3 face sends it."""
    return from_v2_fault(fault)


class Conv:
    """Text: a JSON string (or null) both ways."""

    kind = "text"
    read_only = False

    def read(self, value: Any) -> Any:
        return value

    def write(self, value: Any, path: str) -> Any:
        if value is not None and not isinstance(value, str):
            raise shared_rule(invalid_datatype(path))
        return value


class _Bool(Conv):
    kind = "bool"

    def read(self, value: Any) -> Any:
        return value if isinstance(value, bool) else None

    def write(self, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            raise shared_rule(invalid_datatype(path))
        return value


class _Number(Conv):
    """An amount or count: a JSON number in answers; a number or a string of one in requests
    (BILL's own record-payment sample sends ``"amount": "100"``)."""

    kind = "number"

    def read(self, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int | float | Decimal):
            return money(value) if not isinstance(value, int) else value
        try:
            return money(amount_of(value, "amount"))
        except Fault:
            return None

    def write(self, value: Any, path: str) -> Any:
        if value is None:
            return None
        try:
            return money(amount_of(value, path))
        except Fault as fault:
            raise shared_rule(fault) from None


class _Date(Conv):
    kind = "date"

    def write(self, value: Any, path: str) -> Any:
        if value is None:
            return None
        try:
            return check_date(value, path)
        except Fault as fault:
            raise shared_rule(fault) from None


class _Time(Conv):
    """A timestamp: v2's ``...+0000`` read as v3's ``...Z``; the server sets it."""

    kind = "time"
    read_only = True

    def read(self, value: Any) -> Any:
        return from_v2_time(value)


class _Archived(Conv):
    """v3's ``archived`` from v2's ``isActive`` ("2": deleted); changed by archive/restore."""

    kind = "bool"
    read_only = True

    def read(self, value: Any) -> Any:
        return value == "2"


class _Country(Conv):
    """v2's seeded "USA" is v3's two-letter "US"; any other value passes as it is."""

    def read(self, value: Any) -> Any:
        return "US" if value in ("USA", "United States", "United States of America") else value

    def write(self, value: Any, path: str) -> Any:
        value = super().write(value, path)
        return "USA" if value == "US" else value


@attrs.frozen
class Ref(Conv):
    """An id of a record of ``target`` (v2's twenty zeros when unset). A write must name a
    record of the organization (checked by the handler, which knows the organization)."""

    target: str
    kind = "text"

    def read(self, value: Any) -> Any:
        return None if value in (None, "", ZERO_ID) else value

    def write(self, value: Any, path: str) -> Any:
        value = super().write(value, path)
        return ZERO_ID if value in (None, "") else value


@attrs.frozen
class Codes(Conv):
    """A code list: v2's digit codes, v3's UPPER_SNAKE names (``UNDEFINED`` for a v2 code the
    table does not name, as BILL's open enumerations do)."""

    names: Mapping[str, str]
    kind = "text"

    @property
    def codes(self) -> Mapping[str, str]:
        return {name: code for code, name in self.names.items()}

    def read(self, value: Any) -> Any:
        if value is None:
            return None
        return self.names.get(str(value), "UNDEFINED")

    def write(self, value: Any, path: str) -> Any:
        if value is None:
            return None
        code = self.codes.get(value) if isinstance(value, str) else None
        if code is None:
            raise shared_rule(invalid_field_value(path, value))
        return code


def codes(names: Mapping[str, str]) -> Codes:
    return Codes(MappingProxyType(dict(names)))


TEXT = Conv()
BOOL = _Bool()
NUMBER = _Number()
DATE = _Date()
TIME = _Time()
ARCHIVED = _Archived()
COUNTRY = _Country()


_ABSENT = object()


def get_path(body: Mapping[str, Any], path: str) -> Any:
    """The value at ``a.b`` of a request body; ``_ABSENT`` (see ``present``) if a key on the
    way is missing or null. An object expected on the way that is not one is refused."""
    value: Any = body
    parts = path.split(".")
    for depth, key in enumerate(parts):
        if value is None:
            return _ABSENT
        if not isinstance(value, Mapping):
            raise shared_rule(invalid_datatype(".".join(parts[:depth])))
        if key not in value:
            return _ABSENT
        value = value[key]
    return value


def present(value: Any) -> bool:
    return value is not _ABSENT


def set_path(record: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b`` of an answer, making the objects on the way."""
    *parents, last = path.split(".")
    target = record
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value
