"""The webhooks API on ``/connect-events/v3/...`` (reference §6.1): subscriptions, their security
keys, the event catalogue, each subscription's event history, resending an event and sending a
test event. Sessions, limits and knobs are the v3 face's; ``X-Idempotent-Key`` is checked by
the face (``_webhooks._idempotency``) for the two rows that take it.

A subscription needs ``name``, ``status.enabled``, ``events`` (each a catalogue ``type`` and
its ``version``) and ``notificationUrl``, which must be ``http`` on loopback (BILL requires
HTTPS on the internet; the emulator sends nowhere else). Create answers 200, as BILL's example
does, with the one-time ``securityKey``; no other answer holds a key but the rotation's. At
most 10 subscriptions per organization, and none asking for the same events at the same URL
as another: both refused with 400 (BILL's status and words are not documented).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from .._webhooks import (
    MAX_SUBSCRIPTIONS,
    EventRecord,
    Subscription,
    WebhookState,
    catalog,
    delivery_headers,
    is_loopback_url,
    offered,
    signature,
)
from .._webhooks._catalog import VERSIONS
from .._webhooks._records import NO_ANSWER
from ._context import Answer, Handler, Outgoing, V3Call
from ._crud import required_message
from ._lists import Page, page_size, slice_page
from ._wire import bad_request, no_record

__all__ = ["EVENT_HANDLERS", "ROTATE_PATHS"]

EVENT_HANDLERS: dict[tuple[str, str], Handler] = {}
# The rotation's path: the SDK's table (BILL's collection) writes ``security_key``, BILL's rules
# page ``security-key``; both are served (docs/decisions.md).
ROTATE_PATHS = (
    "/v3/subscriptions/{subscriptionId}/security_key",
    "/v3/subscriptions/{subscriptionId}/security-key",
)
_FIELDS = ("name", "status", "events", "notificationUrl")


def _handles(method: str, *paths: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for path in paths:
            EVENT_HANDLERS[(method, path)] = handler
        return handler

    return register


def _book(call: V3Call) -> WebhookState:
    book: WebhookState = call.state.webhooks
    return book


def _subscription(call: V3Call) -> Subscription:
    """The subscription the path names: 404 BDC_1205 if it is not one of this organization's."""
    subscription_id = call.params["subscriptionId"]
    found = _book(call).subscriptions.get(subscription_id)
    if found is None or found.org_id != call.org.org_id:
        raise no_record(subscription_id)
    return found


def _new_key() -> str:
    return secrets.token_urlsafe(32)


# -- reading a subscription's body -----------------------------------------------------------


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request(required_message("name"))
    return value


def _enabled(value: Any) -> bool:
    enabled = value.get("enabled") if isinstance(value, Mapping) else None
    if not isinstance(enabled, bool):
        raise bad_request(required_message("status.enabled"))
    return enabled


def _events(value: Any, known: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise bad_request(required_message("events"))
    events: list[tuple[str, str]] = []
    for item in value:
        kind = item.get("type") if isinstance(item, Mapping) else None
        version = item.get("version") if isinstance(item, Mapping) else None
        if kind not in known:
            raise bad_request(f"events: {kind!r} is not an event of GET /v3/events/catalog")
        if version not in VERSIONS:
            raise bad_request(f"events: {kind} has no version {version!r}")
        if any(kind == seen for seen, _ in events):
            raise bad_request(f"events: {kind} is listed twice")
        events.append((kind, version))
    return tuple(events)


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise bad_request(required_message("notificationUrl"))
    if not is_loopback_url(value):
        raise bad_request(
            "notificationUrl: the emulator delivers only to http:// on 127.0.0.1, localhost "
            "or [::1]"
        )
    return value


def _read(call: V3Call, *, whole: bool) -> dict[str, Any]:
    """The subscription keys of the body, checked; ``whole``: all four are required."""
    body = call.json_object()
    readers: dict[str, Callable[[Any], Any]] = {
        "name": _name,
        "status": _enabled,
        "events": lambda value: _events(value, offered(call.state.config)),
        "notificationUrl": _url,
    }
    given: dict[str, Any] = {}
    for key in _FIELDS:
        if key in body:
            given[key] = readers[key](body[key])
        elif whole:
            raise bad_request(required_message(key))
    return given


def _check_unique(
    book: WebhookState,
    org_id: str,
    events: tuple[tuple[str, str], ...],
    url: str,
    itself: Subscription | None,
) -> None:
    for other in book.of_org(org_id):
        if other is not itself and other.same_as(events, url):
            raise bad_request(
                f"A subscription to these events at this notificationUrl exists: {other.id}"
            )


# -- subscriptions ---------------------------------------------------------------------------


@_handles("GET", "/v3/events/catalog")
def get_catalog(call: V3Call) -> Answer:
    return Answer(200, catalog(call.state.config))


@_handles("GET", "/v3/subscriptions")
def list_subscriptions(call: V3Call) -> Answer:
    rows = _book(call).of_org(call.org.org_id)
    page = slice_page(rows, page_size(call.query), call.query.get("page"), "subscriptions")
    return Answer(200, _page([sub.answer() for sub in page.rows], page))


@_handles("POST", "/v3/subscriptions")
def create_subscription(call: V3Call) -> Answer:
    book, org_id = _book(call), call.org.org_id
    given = _read(call, whole=True)
    if len(book.of_org(org_id)) >= MAX_SUBSCRIPTIONS:
        limit = MAX_SUBSCRIPTIONS
        raise bad_request(f"An organization may have at most {limit} subscriptions.")
    _check_unique(book, org_id, given["events"], given["notificationUrl"], None)
    now = book.now_text()
    subscription = Subscription(
        id=book.new_id(),
        org_id=org_id,
        name=given["name"],
        enabled=given["status"],
        events=given["events"],
        url=given["notificationUrl"],
        key=_new_key(),
        created_time=now,
        updated_time=now,
    )
    book.add(call.org, subscription)
    return Answer(200, {**subscription.answer(), "securityKey": subscription.key})


@_handles("GET", "/v3/subscriptions/{subscriptionId}")
def get_subscription(call: V3Call) -> Answer:
    return Answer(200, _subscription(call).answer())


def _change(call: V3Call, *, whole: bool) -> Answer:
    """PUT (``whole``) or PATCH: what the body gives replaces what the subscription had; a
    ``status.enabled`` of true enables one the sender disabled."""
    book, subscription = _book(call), _subscription(call)
    given = _read(call, whole=whole)
    events = given.get("events", subscription.events)
    url = given.get("notificationUrl", subscription.url)
    _check_unique(book, subscription.org_id, events, url, subscription)
    subscription.name = given.get("name", subscription.name)
    subscription.events, subscription.url = events, url
    if "status" in given:
        book.set_enabled(subscription, given["status"])
    subscription.updated_time = book.now_text()
    return Answer(200, subscription.answer())


@_handles("PUT", "/v3/subscriptions/{subscriptionId}")
def replace_subscription(call: V3Call) -> Answer:
    return _change(call, whole=True)


@_handles("PATCH", "/v3/subscriptions/{subscriptionId}")
def update_subscription(call: V3Call) -> Answer:
    return _change(call, whole=False)


@_handles("DELETE", "/v3/subscriptions/{subscriptionId}")
def delete_subscription(call: V3Call) -> Answer:
    _book(call).remove(_subscription(call))
    return Answer(200, None)


@_handles("POST", *ROTATE_PATHS)
def rotate_security_key(call: V3Call) -> Answer:
    """A new key, answered once; deliveries from now on (retries of older events included) are
    signed with it, and the old one signs nothing more."""
    subscription = _subscription(call)
    subscription.key = _new_key()
    subscription.updated_time = _book(call).now_text()
    return Answer(200, {"securityKey": subscription.key})


# -- events -----------------------------------------------------------------------------------


@_handles("GET", "/v3/events/subscription/{subscriptionId}")
def list_events(call: V3Call) -> Answer:
    """The subscription's events of the last 180 days, oldest first; ``entityId`` keeps those
    of one object."""
    subscription = _subscription(call)
    rows = _book(call).events_of(subscription)
    entity_id = call.query.get("entityId")
    if entity_id:
        rows = [record for record in rows if record.entity_id == entity_id]
    scope = f"events:{subscription.id}:{entity_id or ''}"
    page = slice_page(rows, page_size(call.query), call.query.get("page"), scope)
    return Answer(200, _page([record.answer() for record in page.rows], page))


@_handles("POST", "/v3/events/subscription/{subscriptionId}/event/{eventId}")
def resend_event(call: V3Call) -> Answer:
    """Send an event of the history again now (signed with the current key); answered with
    the subscriber's status."""
    subscription = _subscription(call)
    event_id = call.params["eventId"]
    found = [r for r in _book(call).events_of(subscription) if r.id == event_id]
    if not found:
        raise no_record(event_id)
    return _send_now(call, subscription, found[0])


@_handles("POST", "/v3/subscriptions/{subscriptionId}/test")
def send_test_event(call: V3Call) -> Answer:
    """``{eventType, version, <object key>: {...}}``: an event of that type with that object,
    sent now (to a disabled subscription too) and answered with the subscriber's status. It is
    not kept in the history."""
    subscription = _subscription(call)
    body = call.json_object()
    event_type = body.get("eventType")
    if event_type not in offered(call.state.config):
        raise bad_request(required_message("eventType"))
    version = body.get("version", VERSIONS[0])
    if version not in VERSIONS:
        raise bad_request(f"version: {event_type} has no version {version!r}")
    objects = [(k, v) for k, v in body.items() if isinstance(v, dict)]
    if len(objects) != 1:
        raise bad_request('The test event needs exactly one object ("bill": {...}, ...)')
    key, entity = objects[0]
    record = _book(call).event(subscription, event_type, version, key, entity)
    return _send_now(call, subscription, record)


def _send_now(call: V3Call, subscription: Subscription, record: EventRecord) -> Answer:
    book = _book(call)
    body = book.body_of(record)
    headers = delivery_headers(signature(body, subscription.key))

    def finish(status: int | None) -> Answer:
        record.status_code = NO_ANSWER if status is None else status
        book.count_direct(status)
        return Answer(200, record.answer())

    return Answer(outgoing=Outgoing(subscription.url, body, headers, finish))


def _page(results: list[dict[str, Any]], page: Page) -> dict[str, Any]:
    answer: dict[str, Any] = {"results": results}
    if page.next_page is not None:
        answer["nextPage"] = page.next_page
    if page.prev_page is not None:
        answer["prevPage"] = page.prev_page
    return answer
