"""Marshalling: what a caller passes (models, wire mappings, keyword arguments in Python names)
as the ``data`` BILL v2 takes, and BILL's answers as the row's models. The one place that does.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from .._exceptions import InvalidRequestError
from ._convert import Model, camel, core_type, fields_to_wire, wire_names
from ._endpoints import Endpoint, Shape

__all__ = [
    "action_data",
    "bulk_item",
    "field_types",
    "model_result",
    "models_result",
    "object_data",
]

M = TypeVar("M", bound=Model)

# What converting a field of the wrong type to the wire raises.
_WRONG_TYPE = (TypeError, ValueError, AttributeError, ArithmeticError)


def _answer_of(endpoint: Endpoint, data: Any) -> Any:
    if endpoint.result_key is not None and isinstance(data, Mapping):
        return data.get(endpoint.result_key)
    return data


def model_result(endpoint: Endpoint, model: type[M], data: Any) -> M:
    """The answer as one ``model``, where it holds an object; as it came otherwise."""
    answer = _answer_of(endpoint, data)
    if isinstance(answer, Mapping):
        return model.from_wire(answer)
    return answer  # type: ignore[no-any-return]  # not an object: shown as BILL sent it


def models_result(endpoint: Endpoint, model: type[M], data: Any) -> list[M]:
    """The answer as a list of ``model``, where it holds a list; as it came otherwise."""
    answer = _answer_of(endpoint, data)
    if isinstance(answer, list):
        return [model.from_wire(item) for item in answer]
    return answer  # type: ignore[no-any-return]  # not a list: shown as BILL sent it


def _wrong_type(model: type[Model], error: Exception) -> InvalidRequestError:
    return InvalidRequestError(f"this {model.__name__} has a field of the wrong type: {error}")


def _model_wire(model: type[Model], obj: Model | Mapping[str, Any] | None) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, Model):
        if not isinstance(obj, model):
            raise InvalidRequestError(f"expected a {model.__name__}, not a {type(obj).__name__}")
        try:
            return obj.to_wire()
        except _WRONG_TYPE as error:
            raise _wrong_type(model, error) from None
    if isinstance(obj, Mapping):
        return dict(obj)
    raise InvalidRequestError(f"expected a {model.__name__} or a mapping, not {type(obj).__name__}")


def object_data(
    endpoint: Endpoint, model: type[Model], obj: Model | Mapping[str, Any] | None, fields: Any
) -> dict[str, Any]:
    """A Create or Update's ``obj``: the object's fields that were set (a model, a wire mapping,
    keyword arguments in Python names, or a mix), with its ``entity``."""
    return {"entity": endpoint.entity, **_model_wire(model, obj), **_fields_wire(model, fields)}


def bulk_item(endpoint: Endpoint, model: type[Model], item: Any) -> dict[str, Any]:
    """One item of a Bulk call: ``{"id": ...}`` or ``{"obj": {...}}``."""
    if endpoint.shape is Shape.BULK_ID:
        return {"id": item}
    return {"obj": {"entity": endpoint.entity, **_model_wire(model, item)}}


def action_data(
    endpoint: Endpoint, data: Mapping[str, Any] | None, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """An action's ``data``: ``data`` in wire names, then the keyword arguments: the row's named
    ones (left out when None) by their wire names, any other in camelCase as given."""
    merged = dict(data or {})
    named = {p.name: p.wire or camel(p.name) for p in endpoint.params}
    for name, value in fields.items():
        wire = named.get(name)
        if wire is None:
            merged[camel(name)] = value
        elif value is not None:
            merged[wire] = value
    return merged


_COERCIBLE = (Decimal, _dt.datetime, _dt.date)
_FIELD_TYPES: dict[type[Model], dict[str, type]] = {}


def field_types(model: type[Model]) -> dict[str, type]:
    """The model's fields whose keyword arguments may come in wire form (str or number)."""
    types = _FIELD_TYPES.get(model)
    if types is None:
        attrs.resolve_types(model)
        types = _FIELD_TYPES[model] = {
            field.alias or field.name: core
            for field in attrs.fields(model)
            if (core := core_type(field.type)) in _COERCIBLE
        }
    return types


def _coerced(model: type[Model], name: str, value: Any) -> Any:
    """A keyword argument as its field's Python type: ``"2024-07-01"`` for a date field becomes
    a ``date``, ``"10.50"`` for an amount a ``Decimal``. Raises InvalidRequestError."""
    wanted = field_types(model).get(name)
    if wanted is None or isinstance(value, wanted):
        return value
    try:
        if (
            wanted is Decimal
            and isinstance(value, str | int | float)
            and not isinstance(value, bool)
        ):
            return Decimal(str(value))
        if wanted is _dt.datetime and isinstance(value, str):
            timestamp = _dt.datetime.fromisoformat(value)
            if timestamp.tzinfo is None:
                raise ValueError("a timestamp needs a timezone")
            return timestamp
        if wanted is _dt.date and isinstance(value, str):
            return _dt.date.fromisoformat(value)
    except (ValueError, ArithmeticError) as error:
        raise InvalidRequestError(f"{model.__name__}.{name}: {value!r}: {error}") from None
    raise InvalidRequestError(
        f"{model.__name__}.{name} takes a {wanted.__name__}, not {type(value).__name__} {value!r}"
    )


def _fields_wire(model: type[Model], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments (Python names, Python values) as wire fields; an explicit None is sent
    as null (to clear a field), an undeclared name is sent in camelCase as given."""
    if not fields:
        return {}
    names = wire_names(model)
    declared = {k: _coerced(model, k, v) for k, v in fields.items() if k in names and v is not None}
    try:
        wire_obj = fields_to_wire(model, declared)
    except _WRONG_TYPE as error:
        raise _wrong_type(model, error) from None
    for key, value in fields.items():
        if key not in names:
            wire_obj[camel(key)] = value
        elif value is None:
            wire_obj[names[key]] = None
    return wire_obj
