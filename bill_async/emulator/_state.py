"""The emulator's mutable state: organizations and their objects, sessions, limits, counters.

One ``State`` belongs to one ``Emulator``; every change happens under the emulator's lock, so a
test thread may inspect it while a server thread serves.
"""

from __future__ import annotations

import contextlib
import math
import random
import secrets
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ._config import EmulatorConfig
from ._entities import ENTITIES, IdMaker, format_ms, is_id_of
from ._errors import NO_DATA, Fault, invalid_data_key, invalid_field_value, missing_data
from ._sorted import KeptList, SortedLists

__all__ = ["Counters", "Document", "OrgData", "Session", "State", "WebhookCounters"]


@attrs.define
class WebhookCounters:
    """What the emulator's webhook sender did (``emulator.counters.webhooks``).

    Attributes:
        events: events made for a subscription (one change, one event per subscription that
            asked for its type).
        attempts: deliveries sent (first attempts, retries and duplicates; a test event or a
            resend is one each).
        delivered: attempts the subscriber answered with HTTP 200 (BILL's word: not any 2xx).
        retried: attempts that were retries of a failed one.
        failed: attempts that got no 200 (another status, a refused connection, a timeout, or
            lost by ``lose_next``).
        gave_up: deliveries whose last retry failed too.
        disabled: subscriptions disabled because a delivery's retries ran out.
        duplicated: extra copies sent by the duplicate knobs.
        reordered: deliveries held and released in a shuffled order by ``reorder_next``.
        corrupted: attempts sent with a wrong signature or a changed byte.
    """

    events: int = 0
    attempts: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    gave_up: int = 0
    disabled: int = 0
    duplicated: int = 0
    reordered: int = 0
    corrupted: int = 0


@attrs.define
class Counters:
    """What the emulator has seen since it started or was last reset (``emulator.counters``).

    Attributes:
        total_requests: every HTTP request, answered or not.
        logins: sign-ins that opened a session (Login.json and ``POST /v3/login``).
        paths: requests per operation: v2's by path (``"List/Vendor.json"``), v3's by the
            table row's name (``"GET /v3/vendors/{vendorId}"``); unknown paths under their own
            name.
        errors: error answers per BDC code (in bulk answers, per item).
        max_in_flight: the most requests seen in flight at once, per organization id (both
            faces together).
        injected_failures: HTTP 5xx answers sent by ``fail_next``.
        dropped: connections dropped by ``drop_next``.
        webhooks: what the webhook sender did.
    """

    total_requests: int = 0
    logins: int = 0
    paths: Counter[str] = attrs.field(factory=Counter)
    errors: Counter[str] = attrs.field(factory=Counter)
    max_in_flight: dict[str, int] = attrs.field(factory=dict)
    injected_failures: int = 0
    dropped: int = 0
    webhooks: WebhookCounters = attrs.field(factory=WebhookCounters)


@attrs.define(eq=False)
class Session:
    """One session: a credential or token sign-in to one organization."""

    session_id: str = attrs.field(repr=False)
    org_id: str
    user_id: str
    dev_key: str = attrs.field(repr=False)
    is_token: bool
    last_used: float
    trusted: bool = False
    challenges: set[str] = attrs.field(factory=set, repr=False)
    # The face that opened it: a v2 session is unknown to the v3 face and the other way round.
    api: str = "v2"


@attrs.define(eq=False)
class Document:
    """An uploaded file."""

    id: str
    file_name: str
    content_type: str
    content: bytes = attrs.field(repr=False)
    object_id: str | None
    created_time: str


@attrs.define(eq=False)
class OrgData:
    """One organization: its objects by entity and id, and what hangs off them."""

    org_id: str
    name: str
    index: int
    user_id: str
    seeded: bool = False
    objects: dict[str, dict[str, dict[str, Any]]] = attrs.field(factory=dict, repr=False)
    kinds: dict[str, str] = attrs.field(factory=dict, repr=False)
    approvers: dict[str, list[dict[str, Any]]] = attrs.field(factory=dict, repr=False)
    documents: dict[str, Document] = attrs.field(factory=dict, repr=False)
    invites: dict[str, dict[str, Any]] = attrs.field(factory=dict, repr=False)
    # What only the v3 face knows of an object, by its id (a credit memo's lines: v2's
    # CreditMemo has none).
    v3_only: dict[str, dict[str, Any]] = attrs.field(factory=dict, repr=False)
    bank_balance: float = 0.0
    # While a page of records is made (``grouped``): the page's ids, and the objects of an
    # entity that name one of them by a key, found in one pass for the page rather than in one
    # pass per record.
    _group_ids: frozenset[str] = attrs.field(default=frozenset(), init=False, repr=False)
    _groups: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = attrs.field(
        factory=dict, init=False, repr=False
    )

    def table(self, entity: str) -> dict[str, dict[str, Any]]:
        """The objects of ``entity`` by id, in creation order."""
        table = self.objects.get(entity)
        if table is None:
            table = self.objects[entity] = {}
        return table

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        entity = obj["entity"]
        self.table(entity)[obj["id"]] = obj
        self.kinds[obj["id"]] = entity
        return obj

    def get(self, entity: str, object_id: Any) -> dict[str, Any] | None:
        if not isinstance(object_id, str):
            return None
        table = self.objects.get(entity)
        return None if table is None else table.get(object_id)

    def require(
        self, entity: str, object_id: Any, field: str = "id", *, active: bool = False
    ) -> dict[str, Any]:
        """The object a field of an object names (a Bill's ``vendorId``), or BILL's refusal of
        the field's value (BDC_1119), whatever is wrong with it."""
        obj = self.get(entity, object_id)
        if obj is None or (active and obj.get("isActive") != "1"):
            raise invalid_field_value(field, object_id)
        return obj

    def lookup(
        self, entity: str, object_id: Any, key: str = "id", *, active: bool = False
    ) -> dict[str, Any]:
        """The object a key of ``data`` names (Crud/Read's ``id``, PayBills' ``vendorId``).

        Refused as BILL refuses it: nothing given, "Missing required data for" (BDC_1117); an
        id of this entity's form that this organization has no object for (none, or another
        organization's), "No data found." (BDC_1120); anything else (not an id, another
        entity's id, an inactive object), "Invalid value for data key,value".
        """
        obj = self.get(entity, object_id)
        if obj is not None and (not active or obj.get("isActive") == "1"):
            return obj
        if object_id is None or object_id == "":
            raise missing_data(key)
        if obj is None and is_id_of(entity, object_id):
            raise Fault(NO_DATA)
        raise invalid_data_key(key, object_id)

    def all(self, entity: str) -> Iterator[dict[str, Any]]:
        return iter(self.table(entity).values())

    def naming(self, entity: str, key: str, object_id: str) -> list[dict[str, Any]]:
        """The objects of ``entity`` whose ``key`` is ``object_id`` (an invoice's payments),
        in creation order."""
        if object_id not in self._group_ids:
            return [obj for obj in self.all(entity) if obj[key] == object_id]
        groups = self._groups.get((entity, key))
        if groups is None:
            groups = self._groups[entity, key] = {}
            for obj in self.all(entity):
                named = obj[key]
                # Only text equals an id: anything else is in no group, as it equals none.
                if isinstance(named, str) and named in self._group_ids:
                    groups.setdefault(named, []).append(obj)
        return groups.get(object_id, [])

    @contextlib.contextmanager
    def grouped(self, object_ids: Iterable[str]) -> Iterator[None]:
        """Within it, ``naming`` finds what names any of ``object_ids`` (the records of a
        list's page) in one pass over each (entity, key). For reads that write nothing: a
        write within would not be seen."""
        self._group_ids, self._groups = frozenset(object_ids), {}
        try:
            yield
        finally:
            self._group_ids, self._groups = frozenset(), {}


class State:
    """Everything that changes while the emulator runs."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.issued: set[str] = set()
        self.counters = Counters()
        self.sessions: dict[str, Session] = {}
        # mfaId -> (deviceId, user name, expiry in wall-clock seconds)
        self.remembered: dict[str, tuple[str, str, float]] = {}
        self.in_flight: dict[tuple[str, str], int] = {}
        # devKey -> (clock hour, count)
        self.hourly_requests: dict[str, tuple[int, int]] = {}
        self.hourly_logins: dict[str, tuple[int, int]] = {}
        # devKey -> the clock times of its recent calls that text or email someone (v3)
        self.messages: dict[str, deque[float]] = {}
        self._last_ms = 0
        # Moved by every call that may write (``wrote``): what is kept sorted for lists is
        # good for one generation only.
        self.generation = 0
        self.sorted_lists = SortedLists()
        self.runtime_ids = IdMaker(random.Random(f"runtime:{config.seed}"), self.issued)
        names = IdMaker(random.Random(f"orgs:{config.seed}"), self.issued)
        self.orgs: dict[str, OrgData] = {}
        for index, name in enumerate(config.org_names):
            org_id = names("Organization")
            self.orgs[org_id] = OrgData(org_id, name, index, names("User"))
        self.token_org_id = list(self.orgs)[config.token_org]
        # Imported here: the webhooks read v3 records, which read this module.
        from ._webhooks import WebhookState

        self.webhooks = WebhookState(self)

    # -- organizations ------------------------------------------------------------------------

    def org(self, org_id: str) -> OrgData:
        """The organization, seeded with its demo data on first use."""
        org = self.orgs[org_id]
        if not org.seeded:
            from ._seed import seed_org

            seed_org(self, org)
            org.seeded = True
            self.wrote()
        return org

    def find(self, object_id: str) -> tuple[OrgData, str] | None:
        """The seeded organization and entity of an id, wherever it lives."""
        for org in self.orgs.values():
            entity = org.kinds.get(object_id)
            if entity is not None:
                return org, entity
        return None

    # -- writes -------------------------------------------------------------------------------

    def wrote(self) -> None:
        """Something may have changed: an object made, deleted, archived or changed, by any
        path. Every call of either face that is not a read says so when it is done, and so
        does every write's timestamp (``stamp``), so that a read never sees a list kept
        sorted from before a change."""
        self.generation += 1

    def kept_list(self, org: OrgData, entity: str) -> KeptList:
        """``org``'s objects of ``entity``, with their sorted orders kept until the next
        write. Read under the lock, as every list is: no write can run in between."""
        return KeptList(
            self.sorted_lists, self.generation, (org.org_id, entity), lambda: org.all(entity)
        )

    # -- time ---------------------------------------------------------------------------------

    def stamp(self) -> str:
        """A timestamp for a write: the wall clock, but always after the previous write's.
        Taking one marks a write (``wrote``)."""
        self.wrote()
        ms = max(int(self.config.wall_clock() * 1000), self._last_ms + 1)
        self._last_ms = ms
        return format_ms(ms)

    def hour(self) -> int:
        return math.floor(self.config.wall_clock() / 3600)

    # -- sessions -----------------------------------------------------------------------------

    def open_session(
        self, org: OrgData, dev_key: str, *, is_token: bool, trusted: bool, api: str = "v2"
    ) -> Session:
        session = Session(
            session_id="!" + secrets.token_urlsafe(32),
            org_id=org.org_id,
            user_id=org.user_id,
            dev_key=dev_key,
            is_token=is_token,
            last_used=self.config.clock(),
            trusted=trusted,
            api=api,
        )
        self.sessions[session.session_id] = session
        return session

    def session(self, session_id: str, dev_key: str, api: str = "v2") -> Session | None:
        """The live session of ``api`` for ``session_id``, touched; None if unknown, another
        API's, or idled out."""
        session = self.sessions.get(session_id)
        if session is None or session.dev_key != dev_key or session.api != api:
            return None
        now = self.config.clock()
        if not session.is_token and now - session.last_used > self.config.idle_timeout:
            del self.sessions[session_id]
            return None
        session.last_used = max(session.last_used, now)
        return session

    # -- limits -------------------------------------------------------------------------------

    def take_budget(self, dev_key: str, *, login: bool) -> bool:
        """Count one request in the devKey's hourly budget; False (not counted) if spent."""
        table = self.hourly_logins if login else self.hourly_requests
        limit = self.config.hourly_logins if login else self.config.hourly_requests
        hour = self.hour()
        current, used = table.get(dev_key, (hour, 0))
        if current != hour:
            used = 0
        if used >= limit:
            table[dev_key] = (hour, used)
            return False
        table[dev_key] = (hour, used + 1)
        return True

    def take_message(self, dev_key: str) -> bool:
        """Count one call that texts or emails someone (v3: 5 a minute per devKey, over a
        sliding minute of ``clock``); False (not counted) when the minute's are spent."""
        now = self.config.clock()
        recent = self.messages.setdefault(dev_key, deque())
        while recent and now - recent[0] >= 60.0:
            recent.popleft()
        if len(recent) >= self.config.messages_per_minute:
            return False
        recent.append(now)
        return True

    def enter(self, key: tuple[str, str]) -> bool:
        """One more request in flight for (devKey, org); False (not counted) when over."""
        count = self.in_flight.get(key, 0) + 1
        if count > self.config.max_in_flight:
            return False
        self.in_flight[key] = count
        seen = self.counters.max_in_flight
        if key[1] in self.orgs and count > seen.get(key[1], 0):
            seen[key[1]] = count
        return True

    def leave(self, key: tuple[str, str]) -> None:
        count = self.in_flight.get(key, 0) - 1
        if count > 0:
            self.in_flight[key] = count
        else:
            self.in_flight.pop(key, None)


def entity_of(object_id: str) -> str | None:
    """The entity whose prefix ``object_id`` has."""
    for name, spec in ENTITIES.items():
        if object_id.startswith(spec.prefix):
            return name
    return None
