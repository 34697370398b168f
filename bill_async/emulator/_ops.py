"""Handlers for the generic operations: Crud/{Create,Read,Update,Delete,Undelete}, List, Bulk.

A handler takes a ``Call`` (the organization, the session, the decoded ``data``) and returns the
``response_data``, or raises ``Fault`` for an error answer. Handlers run under the emulator's
lock and never await, so each call is atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._v2._endpoints import Endpoint, Shape
from ._entities import ENTITIES
from ._errors import UNKNOWN_ERROR, Fault, entity_mismatch, invalid_datatype, missing_data
from ._http import Upload, error_envelope, ok_envelope
from ._objects import Writer
from ._query import run_list
from ._state import OrgData, Session, State

__all__ = ["BULK_LIMIT", "Call", "Handler", "generic_handler", "obj_arg"]

BULK_LIMIT = 100


@attrs.define
class Call:
    """One operation being answered."""

    state: State
    org: OrgData
    session: Session
    endpoint: Endpoint
    data: dict[str, Any]
    fields: Mapping[str, str]
    files: tuple[Upload, ...] = ()
    base_url: str = ""
    _writer: Writer | None = None

    @property
    def writer(self) -> Writer:
        """The writer for this call: one timestamp for all of the call's writes."""
        if self._writer is None:
            self._writer = Writer(self.state, self.org, self.session.user_id, self.state.stamp())
        return self._writer

    @property
    def stamp(self) -> str:
        return self.writer.stamp

    def arg(self, name: str, *, required: bool = True) -> Any:
        value = self.data.get(name)
        if required and value in (None, ""):
            raise missing_data(name)
        return value


Handler = Callable[[Call], Any]


def obj_arg(item: Mapping[str, Any], entity: str) -> dict[str, Any]:
    """The ``obj`` of a Create or Update, checked to be an object of ``entity``."""
    obj = item.get("obj")
    if obj is None:
        raise missing_data("obj")
    if not isinstance(obj, dict):
        raise invalid_datatype("obj")
    if obj.get("entity") in (None, ""):
        raise missing_data("entity")
    if obj["entity"] != entity:
        raise entity_mismatch(entity, obj["entity"])
    return obj


def _one(call: Call, verb: str, entity: str, item: Mapping[str, Any]) -> dict[str, Any]:
    writer = call.writer
    if verb == "Create":
        return writer.create(entity, obj_arg(item, entity))
    if verb == "Update":
        return writer.update(entity, obj_arg(item, entity))
    if verb == "Read":
        return call.org.lookup(entity, item.get("id"))
    if verb in ("Delete", "Undelete"):
        return writer.set_active(entity, item.get("id"), verb == "Undelete")
    raise Fault(UNKNOWN_ERROR, f"Unknown operation {verb}.")


def _bulk(call: Call, verb: str, entity: str) -> dict[str, Any]:
    items = call.data.get("bulk")
    if items is None or items == []:
        raise missing_data("bulk")
    if not isinstance(items, list):
        raise invalid_datatype("bulk")
    if len(items) > BULK_LIMIT:
        raise Fault(UNKNOWN_ERROR, f"A bulk call takes at most {BULK_LIMIT} items.")
    answers = []
    for item in items:
        try:
            if not isinstance(item, Mapping):
                raise invalid_datatype("bulk")
            answers.append(ok_envelope(_one(call, verb, entity, item)))
        except Fault as fault:
            call.state.counters.errors[fault.code] += 1
            answers.append(error_envelope(fault.code, fault.message))
    return {"bulk": answers}


def generic_handler(endpoint: Endpoint) -> Handler | None:
    """The handler for a Crud, List or Bulk row of the endpoint table; None for other rows."""
    entity = endpoint.entity
    if entity is None or entity not in ENTITIES:
        return None
    parts = endpoint.path.removesuffix(".json").split("/")
    if endpoint.shape is Shape.LIST and parts[0] == "List":
        template = ENTITIES[entity].template

        def list_handler(call: Call) -> Any:
            kept = call.state.kept_list(call.org, entity)
            return run_list(call.org.all(entity), call.data, template, kept)

        return list_handler
    if parts[0] == "Crud" and len(parts) == 3:
        verb = parts[1]

        def crud_handler(call: Call) -> Any:
            return _one(call, verb, entity, call.data)

        return crud_handler
    if parts[:2] == ["Bulk", "Crud"] and len(parts) == 4:
        verb = parts[2]

        def bulk_handler(call: Call) -> Any:
            return _bulk(call, verb, entity)

        return bulk_handler
    return None
