"""A bare ASGI app that receives BILL's webhook deliveries, for servers without FastAPI.

``POST path`` reads the raw body, verifies and stores the event, and only then answers 200; 401
for a bad signature, 400 for a body that is not an event, 503 when the store failed or no
receiver is ready yet (BILL delivers again), 404 and 405 elsewhere. Bodies are
``application/problem+json`` as the FastAPI route's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ._events import WebhookPayloadError
from ._receiver import WebhookReceiver
from ._verify import SIGNATURE_HEADER, WebhookSignatureError

__all__ = ["MAX_BODY", "webhook_app"]

logger = logging.getLogger("bill_async.webhooks")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1 << 20  # an event is a record or two: a megabyte is far more than BILL sends
_SIGNATURE = SIGNATURE_HEADER.lower().encode()


async def _answer(send: Send, status: int, body: dict[str, Any], problem: bool = True) -> None:
    data = json.dumps(body).encode()
    kind = b"application/problem+json" if problem else b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    await _answer(send, status, body)


async def _read_body(receive: Receive) -> bytes | None:
    """The request's body; None when it is larger than ``MAX_BODY``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def webhook_app(
    receiver: WebhookReceiver | Callable[[], WebhookReceiver | None],
    path: str = "/bill/webhooks",
) -> App:
    """An ASGI app with ``POST path`` receiving deliveries into ``receiver`` (or into what a
    function returns when called, None while none is ready: answered 503)."""

    def current() -> WebhookReceiver | None:
        return receiver if isinstance(receiver, WebhookReceiver) else receiver()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        if scope["path"] != path:
            await _problem(send, 404, "Not found", "deliveries are received at one path only")
            return
        if scope["method"] != "POST":
            await _problem(send, 405, "Method not allowed", "deliveries are POSTed")
            return
        body = await _read_body(receive)
        if body is None:
            await _problem(send, 413, "Too large", "a delivery is at most a megabyte")
            return
        signature = dict(scope["headers"]).get(_SIGNATURE)
        target = current()
        if target is None:
            await _problem(send, 503, "Not ready", "the receiver is starting; send it again")
            return
        try:
            text = None if signature is None else signature.decode("latin-1")
            fresh = await target.receive(body, text)
        except WebhookSignatureError as refused:
            await _problem(send, 401, "Signature refused", str(refused))
        except WebhookPayloadError as refused:
            await _problem(send, 400, "Not a BILL event", str(refused))
        except Exception:
            logger.exception("a webhook delivery could not be stored")
            await _problem(send, 503, "Not stored", "the delivery could not be stored; send again")
        else:
            await _answer(send, 200, {"accepted": True, "duplicate": not fresh}, problem=False)

    return app
