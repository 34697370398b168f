"""Finding what a call changed: each watched object's ``updatedTime`` and ``isActive``, compared
with what they were after the organization's previous write.

Every write of either face, whatever its path (a Crud call, a bulk item, PayBills, a v3 PATCH,
an action that touches an object directly), sets ``updatedTime`` on what it changes: comparing
the marks finds every change without each write having to announce it. A new id is a created
object; ``isActive`` going from "1" to "2" an archived one, back a restored one; any other new
``updatedTime`` an updated one. An organization is watched only while it has a subscription, so
that the emulator pays for this only when someone listens.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from .._state import OrgData
from .._v3._wire import from_v2_time
from ._catalog import Watched

__all__ = ["Change", "ChangeTracker"]

# What a write leaves on an object: its updatedTime and isActive.
_Mark = tuple[Any, Any]


@attrs.frozen
class Change:
    """One object changed by a call: the event type, and the object as a v3 record."""

    event_type: str
    key: str  # the payload's key: "bill"
    entity_id: str
    record: dict[str, Any] = attrs.field(repr=False)


def _mark(obj: dict[str, Any]) -> _Mark:
    return obj.get("updatedTime"), obj.get("isActive")


def _kind(before: _Mark | None, after: _Mark) -> str | None:
    if before is None:
        return "created"
    if before == after:
        return None
    if before[1] == "1" and after[1] == "2":
        return "archived"
    if before[1] == "2" and after[1] == "1":
        return "restored"
    return "updated"


class ChangeTracker:
    """The marks of the watched objects of each watched organization."""

    def __init__(self) -> None:
        self._marks: dict[str, dict[str, dict[str, _Mark]]] = {}

    def watching(self, org_id: str) -> bool:
        return org_id in self._marks

    def watch(self, org: OrgData, kinds: Iterable[Watched]) -> None:
        """Start watching ``org``: its objects as they are now are the baseline."""
        if org.org_id not in self._marks:
            self._marks[org.org_id] = {
                kind.entity: {obj["id"]: _mark(obj) for obj in org.all(kind.entity)}
                for kind in kinds
            }

    def forget(self, org_id: str) -> None:
        self._marks.pop(org_id, None)

    def changes(self, org: OrgData, kinds: Iterable[Watched]) -> list[Change]:
        """What changed in ``org`` since the last call, in ``kinds`` order and then the
        objects' creation order; the marks move on."""
        marks = self._marks.get(org.org_id)
        if marks is None:
            return []
        found: list[Change] = []
        for kind in kinds:
            seen = marks.setdefault(kind.entity, {})
            for obj in org.all(kind.entity):
                now = _mark(obj)
                change = _kind(seen.get(obj["id"]), now)
                if change is None:
                    continue
                seen[obj["id"]] = now
                record = kind.spec.to_v3(org, obj)
                record.setdefault("updatedTime", from_v2_time(obj.get("updatedTime")))
                found.append(Change(kind.types[change], kind.key, obj["id"], record))
        return found
