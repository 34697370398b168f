"""Marshalling: what a caller passes (models, wire mappings, keyword arguments in Python names)
as the ``data`` BILL v2 takes, checked before anything is sent; and BILL's answers as the row's
models. The one place that does either.

Every value is checked against its field's declared type: a wrong type, a code not in the
field's code list, a string that is not a number where BILL wants one, or a text longer than
BILL's limit (where BILL's limit is known) raises ``InvalidRequestError`` naming the field. A
name the object or operation does not have raises ``UnknownFieldError`` (also a ``TypeError``):
fields BILL has added that the models do not know yet go in ``extra={...}``, explicitly.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from .._core._operation import Kind
from .._exceptions import InvalidRequestError, ProtocolError, UnknownFieldError
from ._convert import Model, active_code, camel, field_specs, fields_to_wire
from ._endpoints import Endpoint, Param, Shape
from ._wire import body_excerpt

__all__ = [
    "action_data",
    "bulk_item",
    "model_result",
    "models_result",
    "object_data",
]

M = TypeVar("M", bound=Model)

# What converting a field of the wrong type to the wire raises.
_WRONG_TYPE = (TypeError, ValueError, AttributeError, ArithmeticError)

# -- answers -----------------------------------------------------------------------------------


def _answer_of(endpoint: Endpoint, data: Any) -> Any:
    if endpoint.result_key is not None and isinstance(data, Mapping):
        return data.get(endpoint.result_key)
    return data


def _not_of_shape(endpoint: Endpoint, what: str, answer: Any) -> ProtocolError:
    # BILL said the call succeeded: a write ran, and must not be sent again by hand.
    ran = "; BILL answered success, so the write ran" if endpoint.kind is Kind.WRITE else ""
    return ProtocolError(
        f"the answer's response_data is not {what} (a {type(answer).__name__}){ran}",
        status_code=200,
        body=body_excerpt(repr(answer).encode()),
        operation=endpoint.path,
    )


def model_result(endpoint: Endpoint, model: type[M], data: Any) -> M:
    """The answer as one ``model``; ``ProtocolError`` when it holds no object (a string where
    a Vendor belongs)."""
    answer = _answer_of(endpoint, data)
    if isinstance(answer, Mapping):
        return model.from_wire(answer)
    raise _not_of_shape(endpoint, f"a {model.__name__}", answer)


def models_result(endpoint: Endpoint, model: type[M], data: Any) -> list[M]:
    """The answer as a list of ``model`` (none when it names none); ``ProtocolError`` when it
    is not a list of objects."""
    answer = _answer_of(endpoint, data)
    if answer is None:
        return []
    if isinstance(answer, list) and all(isinstance(item, Mapping) for item in answer):
        return [model.from_wire(item) for item in answer]
    raise _not_of_shape(endpoint, f"a list of {model.__name__}", answer)


# -- checking one value ------------------------------------------------------------------------

Check = Callable[[Any], Any]  # the value as sent, or raises ValueError/TypeError saying why


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _text(max_length: int | None) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError(f"takes text, not {_kind(value)}")
        if isinstance(value, enum.Enum):
            raise TypeError(f"takes text, not the code {value!r} of another list")
        if max_length is not None and len(value) > max_length:
            raise ValueError(f"is {len(value)} characters long; BILL takes at most {max_length}")
        return value

    return check


def _flag(value: Any) -> Any:
    if type(value) is not bool:
        raise TypeError(f"takes True or False, not {_kind(value)}")
    return value


def _whole(value: Any) -> Any:
    if type(value) is not int:
        raise TypeError(f"takes a whole number, not {_kind(value)}")
    return value


def _amount(value: Any) -> Any:
    """A number (Decimal, int, float) or a string of one; kept as given."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise TypeError(f"takes an amount (Decimal, int or a numeric string), not {_kind(value)}")
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(f"takes an amount; {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"takes an amount; {value!r} is not a finite number")
    return value


def _decimal(value: Any) -> Decimal:
    """An amount field's value as the model holds it."""
    _amount(value)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _day(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        raise TypeError(f"takes a date, not the datetime {value!r} (use its .date())")
    if isinstance(value, _dt.date):
        return value
    if type(value) is str:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"takes a date; {value!r} is not one (YYYY-MM-DD)") from None
    raise TypeError(f"takes a date, not {_kind(value)}")


def _timestamp(value: Any) -> Any:
    if type(value) is str:
        try:
            value = _dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"takes a timestamp; {value!r} is not one") from None
    if not isinstance(value, _dt.datetime):
        raise TypeError(f"takes a timezone-aware datetime, not {_kind(value)}")
    if value.utcoffset() is None:
        raise ValueError("takes a timezone-aware datetime: this one has no timezone")
    return value


def _code(cls: type[enum.Enum]) -> Check:
    codes = {member.value: member for member in cls}

    def check(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, enum.Enum):
            raise TypeError(f"takes a {cls.__name__}, not {value!r} of another code list")
        if value in codes and type(value) is str:
            return codes[value]
        known = ", ".join(f"{m.value} ({m.name})" for m in cls)
        raise ValueError(f"takes one of BILL's codes ({known}), not {value!r}")

    return check


def _active(value: Any) -> Any:
    try:
        active_code(value)  # True/False, or BILL's "1"/"2"
    except TypeError:
        raise TypeError(f"takes True or False (or BILL's '1' / '2'), not {value!r}") from None
    return value


def _nested(model: type[Model]) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, Model):
            if not isinstance(value, model):
                raise TypeError(f"takes a {model.__name__}, not a {type(value).__name__}")
            _check_model(value)
        elif isinstance(value, Mapping):
            _check_wire(model, value, model.__name__)
        else:
            raise TypeError(f"takes a {model.__name__} or a mapping, not {_kind(value)}")
        return value

    return check


def _rows(item: Check, what: str) -> Check:
    def check(values: Any) -> Any:
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence):
            raise TypeError(f"takes a list of {what}, not {_kind(values)}")
        for index, value in enumerate(values):
            try:
                item(value)
            except UnknownFieldError as error:
                raise UnknownFieldError(
                    f"[{index}] {error}", error.field, error.suggestion
                ) from None
            except (TypeError, ValueError) as error:
                raise type(error)(f"[{index}] {error}") from None
        return values

    return check


def _any(value: Any) -> Any:
    return value


def _mapping(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise TypeError(f"takes a mapping, not {_kind(value)}")
    return value


_FIELD_CHECKS: dict[type[Model], tuple[dict[str, Check], dict[str, Check]]] = {}


def _field_check(name: str, core: Any, max_length: int | None) -> Check:
    if name == "is_active":
        return _active
    if core is str:
        return _text(max_length)
    simple: dict[Any, Check] = {
        bool: _flag,
        int: _whole,
        Decimal: _decimal,
        _dt.date: _day,
        _dt.datetime: _timestamp,
    }
    if core in simple:
        return simple[core]
    if isinstance(core, type) and issubclass(core, enum.Enum):
        return _code(core)
    if isinstance(core, type) and issubclass(core, Model):
        return _nested(core)
    args = getattr(core, "__args__", ())
    if getattr(core, "__origin__", None) is list and args and issubclass(args[0], Model):
        return _rows(_nested(args[0]), args[0].__name__)
    return _any


def _checks(model: type[Model]) -> tuple[dict[str, Check], dict[str, Check]]:
    """The checks of the model's fields, by Python name and by wire name."""
    checks = _FIELD_CHECKS.get(model)
    if checks is None:
        by_name: dict[str, Check] = {}
        by_wire: dict[str, Check] = {}
        for spec in field_specs(model):
            check = _field_check(spec.name, spec.core, spec.max_length)
            by_name[spec.name] = by_wire[spec.wire] = check
        checks = _FIELD_CHECKS[model] = (by_name, by_wire)
    return checks


def _checked(where: str, name: str, check: Check, value: Any) -> Any:
    if value is None:
        return None  # None clears a field
    try:
        return check(value)
    except UnknownFieldError as error:  # in a nested object: keep its kind and its names
        raise UnknownFieldError(f"{where}.{name} {error}", error.field, error.suggestion) from None
    except (TypeError, ValueError) as error:
        raise InvalidRequestError(f"{where}.{name} {error}") from None


def _unknown(where: str, name: str, known: Iterable[str], hint: str) -> UnknownFieldError:
    close = difflib.get_close_matches(name, list(known), n=1)
    suggestion = close[0] if close else None
    maybe = f"; did you mean {suggestion!r}?" if suggestion else ""
    return UnknownFieldError(f"{where} has no field {name!r}{maybe} {hint}", name, suggestion)


_EXTRA_HINT = "(a field BILL has that the SDK does not know yet goes in extra={...})"

# -- objects -----------------------------------------------------------------------------------


def _check_model(obj: Model) -> None:
    """A model's set fields hold values of their types."""
    where = type(obj).__name__
    for name, check in _checks(type(obj))[0].items():
        _checked(where, name, check, getattr(obj, name))


def _check_wire(model: type[Model], data: Mapping[str, Any], where: str) -> None:
    """A mapping in BILL's wire names: known keys only, each value of its field's type."""
    by_wire = _checks(model)[1]
    for key, value in data.items():
        if key == "entity":
            if value != model.ENTITY:
                raise InvalidRequestError(f"{where}.entity must be {model.ENTITY!r}, not {value!r}")
            continue
        check = by_wire.get(key)
        if check is None:
            raise _unknown(where, key, by_wire, _EXTRA_HINT)
        _checked(where, key, check, value)


def _model_wire(
    model: type[Model], obj: Model | Mapping[str, Any] | None, where: str
) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, Model):
        if not isinstance(obj, model):
            raise InvalidRequestError(f"expected a {model.__name__}, not a {type(obj).__name__}")
        _check_model(obj)
        try:
            return obj.to_wire()
        except _WRONG_TYPE as error:
            raise InvalidRequestError(f"{where} has a field of the wrong type: {error}") from None
    if isinstance(obj, Mapping):
        _check_wire(model, obj, where)
        return dict(obj)
    raise InvalidRequestError(f"expected a {model.__name__} or a mapping, not {type(obj).__name__}")


def _fields_wire(model: type[Model], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments (Python names) as wire fields: each checked and converted; an explicit
    None is sent as null (to clear a field)."""
    if not fields:
        return {}
    where = model.__name__
    by_name = _checks(model)[0]
    declared: dict[str, Any] = {}
    cleared: list[str] = []
    for name, value in fields.items():
        check = by_name.get(name)
        if check is None:
            raise _unknown(where, name, by_name, _EXTRA_HINT)
        if value is None:
            cleared.append(name)
        else:
            declared[name] = _checked(where, name, check, value)
    try:
        wire_obj = fields_to_wire(model, declared)
    except _WRONG_TYPE as error:
        raise InvalidRequestError(f"{where} has a field of the wrong type: {error}") from None
    wire_of = {spec.name: spec.wire for spec in field_specs(model)}
    for name in cleared:
        wire_obj[wire_of[name]] = None
    return wire_obj


def _extra(
    model: type[Model] | None, extra: Mapping[str, Any] | None, where: str
) -> dict[str, Any]:
    """Fields sent as given, in BILL's wire names: only those the SDK does not declare."""
    if not extra:
        return {}
    if not isinstance(extra, Mapping):
        raise InvalidRequestError(f"{where}: extra takes a mapping, not {_kind(extra)}")
    declared = {spec.wire for spec in field_specs(model)} if model is not None else set()
    for key in extra:
        if not isinstance(key, str):
            raise InvalidRequestError(f"{where}: extra's keys are BILL's field names, not {key!r}")
        if key in declared or key == "entity":
            raise InvalidRequestError(
                f"{where}.{key} is a declared field: pass it by its own name, not in extra"
            )
    return dict(extra)


def object_data(
    endpoint: Endpoint,
    model: type[Model],
    obj: Model | Mapping[str, Any] | None,
    fields: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A Create or Update's ``obj``: the object's fields that were set (a model, a mapping in
    wire names, keyword arguments in Python names, or a mix), checked, with its ``entity``."""
    where = model.__name__
    return {
        "entity": endpoint.entity,
        **_model_wire(model, obj, where),
        **_fields_wire(model, fields),
        **_extra(model, extra, where),
    }


def bulk_item(endpoint: Endpoint, model: type[Model], item: Any, index: int) -> dict[str, Any]:
    """Item ``index`` of a Bulk call, checked: ``{"id": ...}`` or ``{"obj": {...}}``."""
    if endpoint.shape is Shape.BULK_ID:
        if type(item) is not str or not item:
            raise InvalidRequestError(f"{endpoint.path}: item {index} is not an id: {item!r}")
        return {"id": item}
    where = f"{model.__name__} (item {index})"
    return {"obj": {"entity": endpoint.entity, **_model_wire(model, item, where)}}


# -- actions -----------------------------------------------------------------------------------

_PARAM_CHECKS: dict[str, Check] = {
    "str": _text(None),
    "bool": _flag,
    "int": _whole,
    "date | str": _day,
    "Decimal | str | int": _amount,
    "Sequence[Mapping[str, Any]]": _rows(_mapping, "mappings"),
    "Sequence[str]": _rows(_text(None), "texts"),
}


def _param_value(where: str, param: Param, value: Any) -> Any:
    checked = _checked(where, param.name, _PARAM_CHECKS.get(param.type, _any), value)
    # A date given as text goes as it was given; one given as a date goes as BILL writes it.
    return value if isinstance(value, str) else checked


def action_data(
    endpoint: Endpoint,
    data: Mapping[str, Any] | None,
    fields: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An action's ``data``: ``data`` in wire names, the row's named arguments (left out when
    None) by their wire names, then ``extra`` as given. Where the row names its arguments, a
    key or keyword it does not name is refused."""
    where = endpoint.path
    by_name = {p.name: p for p in endpoint.params}
    by_wire = {p.wire or camel(p.name): p for p in endpoint.params}
    if data is not None and not isinstance(data, Mapping):
        raise InvalidRequestError(f"{where}: data takes a mapping, not {_kind(data)}")
    merged = dict(data or {})
    if by_name:
        for key, value in merged.items():
            param = by_wire.get(key)
            if param is None:
                raise _unknown(where, key, by_wire, _EXTRA_HINT)
            _param_value(where, param, value)
    for name, value in fields.items():
        param = by_name.get(name)
        if param is None:
            raise _unknown(where, name, by_name, _EXTRA_HINT)
        if value is not None:
            merged[param.wire or camel(name)] = _param_value(where, param, value)
    merged.update(_extra(None, extra, where))
    return merged
