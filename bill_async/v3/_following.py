"""What v3 finishes later, followed to its end: mass payments (BILL pays up to 2,000 bills
asynchronously) and bill documents (processed after the upload, under a temporary ``0du`` id).
Mixed into ``client.payments`` and ``client.documents`` beside their generated methods."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from .._exceptions import InvalidRequestError, ProtocolError, RequestTimeoutError
from ._endpoints import OPERATIONS_BY_KEY

if TYPE_CHECKING:
    from ._requester import Requester

__all__ = ["DocumentUploads", "MassPayments", "PENDING_UPLOAD"]

_MASS = OPERATIONS_BY_KEY[("GET", "/v3/payments/mass/{paymentBatchId}")]
_UPLOAD_STATUS = OPERATIONS_BY_KEY[("GET", "/v3/documents/upload-status")]
# A bill document's upload statuses that BILL has not finished with (seen in BILL's examples).
PENDING_UPLOAD = frozenset({"IN_PROGRESS", "IVA_PROCESSING"})


async def _poll(what: str, every: float, give_up_after: float, done: Any, read: Any) -> Any:
    if every <= 0 or give_up_after <= 0:
        raise InvalidRequestError("every and give_up_after must be positive")
    with anyio.move_on_after(give_up_after):
        while True:
            answer = await read()
            if done(answer):
                return answer
            await anyio.sleep(every)
    raise RequestTimeoutError(f"{what} was not finished after {give_up_after:.0f} s")


class MassPayments:
    """Following a mass payment (``create_mass``) to its end."""

    _requester: Requester

    async def wait_for_mass(
        self, payment_batch_id: str, *, every: float = 5.0, give_up_after: float = 600.0
    ) -> dict[str, Any]:
        """Ask for a mass payment's status every ``every`` seconds until BILL says the batch is
        ``COMPLETED``; return its last status (``count`` says how many were scheduled, failed
        and completed). Raises ``RequestTimeoutError`` after ``give_up_after`` seconds."""

        async def read() -> Any:
            answer = await self._requester.call(_MASS, payment_batch_id)
            if not isinstance(answer, dict):
                raise ProtocolError(
                    "a mass payment's status is not an object",
                    status_code=200,
                    body="",
                    operation=_MASS.name,
                )
            return answer

        def done(answer: dict[str, Any]) -> bool:
            return answer.get("batchStatus") == "COMPLETED"

        result: dict[str, Any] = await _poll(
            f"mass payment {payment_batch_id}", every, give_up_after, done, read
        )
        return result


class DocumentUploads:
    """Following bill documents that BILL processes after their upload."""

    _requester: Requester

    async def wait_for_uploads(
        self, upload_ids: Iterable[str], *, every: float = 2.0, give_up_after: float = 300.0
    ) -> list[dict[str, Any]]:
        """Ask for the uploads' status every ``every`` seconds until none is still being
        processed (``IN_PROGRESS``, ``IVA_PROCESSING``); return the last statuses
        (``{documentId, uploadId, status}`` each). Raises ``RequestTimeoutError`` after
        ``give_up_after`` seconds."""
        ids = ",".join(upload_ids)
        if not ids:
            raise InvalidRequestError("wait_for_uploads needs at least one upload id")

        async def read() -> Sequence[Any]:
            return await self._requester.fetch_all(_UPLOAD_STATUS, query={"ids": ids})

        def done(statuses: Sequence[Any]) -> bool:
            return not any(
                isinstance(s, dict) and s.get("status") in PENDING_UPLOAD for s in statuses
            )

        result: list[dict[str, Any]] = await _poll(
            f"uploads {ids}", every, give_up_after, done, read
        )
        return result
