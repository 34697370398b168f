"""A FastAPI route that receives BILL's webhook deliveries (``pip install 'bill-async[fastapi]'``).

It reads the raw body, verifies it, stores the event, and only then answers 200: 401 for a bad
signature, 400 for a body that is not an event, 503 when the store failed (BILL delivers
again). Applying the events is the receiver's ``run()``, started with the app::

    receiver = WebhookReceiver(SQLiteEventStore("events.db"), keys=key)

    @asynccontextmanager
    async def lifespan(app):
        async with receiver.running():
            yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(webhook_router(receiver))
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ._events import WebhookPayloadError
from ._receiver import WebhookReceiver
from ._verify import SIGNATURE_HEADER, WebhookSignatureError

__all__ = ["webhook_router"]

logger = logging.getLogger("bill_async.webhooks")


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def webhook_router(receiver: WebhookReceiver, path: str = "/bill/webhooks") -> APIRouter:
    """A router with ``POST path`` receiving deliveries into ``receiver``."""
    router = APIRouter()

    @router.post(path, include_in_schema=False)
    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            fresh = await receiver.receive(body, request.headers.get(SIGNATURE_HEADER))
        except WebhookSignatureError as refused:
            return _problem(401, "Signature refused", str(refused))
        except WebhookPayloadError as refused:
            return _problem(400, "Not a BILL event", str(refused))
        except Exception:
            logger.exception("a webhook delivery could not be stored")
            return _problem(503, "Not stored", "the delivery could not be stored; send it again")
        return JSONResponse({"accepted": True, "duplicate": not fresh})

    return router
