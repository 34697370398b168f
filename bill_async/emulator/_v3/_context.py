"""One v3 call being answered (``V3Call``), what a handler returns (``Answer``), and the
shared steps of handlers: the JSON body, a record by id, a v2 action run for v3.

Handlers run under the emulator's lock and never await, so each call is atomic, as on the v2
face; they raise ``V3Fault`` for an error answer.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..._v2._endpoints import ENDPOINTS_BY_PATH
from ...v3._endpoints import Operation
from .._actions import ACTIONS
from .._errors import BAD_JSON, Fault
from .._objects import Writer
from .._ops import Call
from .._state import OrgData, Session, State
from ._convert import shared_rule
from ._records import RecordSpec
from ._wire import fault_of, no_record

__all__ = ["Answer", "Handler", "Outgoing", "V3Call", "reraise_shared"]


@attrs.frozen
class Outgoing:
    """A webhook delivery a handler needs made before it can answer (a test event, a resend:
    BILL answers them with the subscriber's status). The face sends it without the lock, then
    calls ``finish`` with the status (None: no answer) under the lock for the answer."""

    url: str
    body: bytes = attrs.field(repr=False)
    headers: tuple[tuple[str, str], ...] = attrs.field(repr=False)
    finish: Callable[[int | None], Answer]


@attrs.frozen
class Answer:
    """A handler's answer: an HTTP status and a JSON payload (None: an empty body); or, with
    ``outgoing``, the delivery to make first and the answer ``outgoing.finish`` gives."""

    status: int = 200
    payload: Any = None
    outgoing: Outgoing | None = None


@attrs.define
class V3Call:
    """One v3 operation being answered, by a session allowed to call it."""

    state: State
    org: OrgData
    session: Session
    op: Operation
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes = attrs.field(repr=False)
    headers: Mapping[str, str] = attrs.field(repr=False)
    base_url: str  # ".../connect"
    _writer: Writer | None = None

    @property
    def writer(self) -> Writer:
        """The v2 face's writer: one timestamp for all of the call's writes."""
        if self._writer is None:
            self._writer = Writer(self.state, self.org, self.session.user_id, self.state.stamp())
        return self._writer

    def json(self) -> Any:
        """The body as JSON; BDC_1122 (400) when it is not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except (ValueError, UnicodeDecodeError):
            raise fault_of(BAD_JSON) from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; BDC_1122 when it is anything else."""
        data = self.json()
        if not isinstance(data, dict):
            raise fault_of(BAD_JSON)
        return data

    def record(self, spec: RecordSpec, param: str) -> dict[str, Any]:
        """The v2 object the path parameter names; 404 BDC_1205 when the organization has no
        record of ``spec`` by that id."""
        record_id = self.params[param]
        found = self.org.get(spec.entity, record_id)
        if found is None:
            raise no_record(record_id)
        return found

    def today(self) -> _dt.date:
        """The emulator's today (its wall clock, UTC)."""
        return _dt.datetime.fromtimestamp(self.state.config.wall_clock(), _dt.UTC).date()

    def run_v2(self, v2_path: str, data: dict[str, Any]) -> Any:
        """Run one of the v2 face's operations on this call's state with v2 ``data`` (a v3
        payment is a v2 PayBills, ...); its refusals become v3's."""
        call = Call(
            state=self.state,
            org=self.org,
            session=self.session,
            endpoint=ENDPOINTS_BY_PATH[v2_path],
            data=data,
            fields={},
            base_url=self.base_url,
            writer=self.writer,
        )
        try:
            return ACTIONS[v2_path](call)
        except Fault as fault:
            raise shared_rule(fault) from None


Handler = Callable[[V3Call], Answer]


def reraise_shared(run: Callable[[], Any]) -> Any:
    """``run()``, with a refusal of the shared rules (a ``Fault``) as v3's."""
    try:
        return run()
    except Fault as fault:
        raise shared_rule(fault) from None
