"""The narrow seam between v2's generated groups and the client: ``Requester``.

A group knows nothing of the client but this interface (as openai-python's resources know only
``_base_client.request``): each generated method is one call of one of these methods with the
row of the endpoint table it stands for. ``V2Requester`` implements it over a ``Pipeline``: it
marshals the arguments (``_marshal``), makes the dialect's call (``_dialect``), sends it through
the pipeline, and reads the answer into the row's models. Document pages, pagination, bulk
calls and the export go through it too.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

from .._core._pipeline import Pipeline
from .._core._retry import RetryPolicy
from .._exceptions import ProtocolError
from . import _marshal as marshal
from . import _wire as wire
from ._bulk import BulkResults, run_bulk
from ._convert import Model
from ._dialect import PageCall, UploadCall, V2Dialect
from ._documents import PAGE_ENDPOINT, page_request
from ._endpoints import Endpoint, Shape
from ._pagination import Filter, Pager, Sort, list_data, updated_since

__all__ = ["Requester", "V2Requester"]

M = TypeVar("M", bound=Model)


class Requester(Protocol):
    """What a v2 group (and the export) may ask of a client: every method takes the endpoint
    table's row for the operation."""

    async def call(
        self,
        endpoint: Endpoint,
        data: Any = None,
        /,
        *,
        extra: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Any:
        """``response_data`` as BILL sent it. ``data`` in wire names; ``fields`` are the row's
        named arguments in Python names (left out when None); ``extra`` is sent as given."""

    async def fetch(
        self,
        endpoint: Endpoint,
        model: type[M],
        data: Any = None,
        /,
        *,
        extra: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> M:
        """``call``, with the answer as one ``model``."""

    async def fetch_all(
        self,
        endpoint: Endpoint,
        model: type[M],
        data: Any = None,
        /,
        *,
        extra: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> list[M]:
        """``call``, with the answer as a list of ``model``."""

    async def save(
        self,
        endpoint: Endpoint,
        model: type[M],
        obj: M | Mapping[str, Any] | None,
        fields: Mapping[str, Any],
        extra: Mapping[str, Any] | None = None,
    ) -> M:
        """Create or Update: the object's fields that were set, and the model BILL answers with."""

    def paginate(
        self,
        endpoint: Endpoint,
        model: type[M],
        *,
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        nested: bool,
        show_audit: bool,
        start: int,
        limit: int | None,
    ) -> Pager[M]:
        """A lazy pager over a List operation (checked before anything is sent)."""

    def updated_since(
        self,
        endpoint: Endpoint,
        model: type[M],
        since: _dt.datetime | _dt.date,
        *,
        page_size: int,
        nested: bool,
    ) -> Pager[M]:
        """Records updated at or after ``since``, oldest first (ties by id)."""

    async def bulk(
        self, endpoint: Endpoint, model: type[M], items: Iterable[Any]
    ) -> BulkResults[M]:
        """A Bulk operation in chunks: one result per item, in order."""

    async def upload(
        self,
        endpoint: Endpoint,
        file_name: str,
        content: bytes,
        *,
        object_id: str | None,
        content_type: str,
    ) -> dict[str, Any]:
        """UploadAttachment: a file, attached to ``object_id`` or left in the inbox."""

    def stream_page(
        self, file_url: str, page_number: int
    ) -> AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """One document page's bytes, streamed."""


class V2Requester:
    """``Requester`` over one organization's pipeline, in BILL v2's dialect."""

    def __init__(self, pipeline: Pipeline, dialect: V2Dialect) -> None:
        self._pipeline = pipeline
        self._dialect = dialect
        self._dev_key = pipeline.auth.dev_key

    def __repr__(self) -> str:
        return f"<V2Requester org={self._pipeline.auth.org_id}>"

    async def send(self, endpoint: Endpoint, data: Any, policy: RetryPolicy | None = None) -> Any:
        """``data`` (JSON-able, or None for no ``data`` field) to ``endpoint``: its answer."""
        call = self._dialect.call(endpoint, self._dev_key, data)
        return await self._pipeline.request(endpoint, call, policy=policy)

    def _refuse_early(self, endpoint: Endpoint) -> None:
        """What the pipeline refuses, refused before the arguments are even looked at: a closed
        client, and what the permission map and the MFA requirement forbid."""
        self._pipeline.shared.check_usable()
        self._pipeline.check_allowed(endpoint)

    async def call(
        self,
        endpoint: Endpoint,
        data: Any = None,
        /,
        *,
        extra: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Any:
        if endpoint.shape is Shape.DATA:
            self._refuse_early(endpoint)
            data = marshal.action_data(endpoint, data, fields, extra)
        return await self.send(endpoint, data)

    async def fetch(
        self,
        endpoint: Endpoint,
        model: type[M],
        data: Any = None,
        /,
        *,
        extra: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> M:
        answer = await self.call(endpoint, data, extra=extra, **fields)
        return marshal.model_result(endpoint, model, answer)

    async def fetch_all(
        self,
        endpoint: Endpoint,
        model: type[M],
        data: Any = None,
        /,
        *,
        extra: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> list[M]:
        answer = await self.call(endpoint, data, extra=extra, **fields)
        return marshal.models_result(endpoint, model, answer)

    async def save(
        self,
        endpoint: Endpoint,
        model: type[M],
        obj: M | Mapping[str, Any] | None,
        fields: Mapping[str, Any],
        extra: Mapping[str, Any] | None = None,
    ) -> M:
        self._refuse_early(endpoint)
        data = {"obj": marshal.object_data(endpoint, model, obj, fields, extra)}
        return marshal.model_result(endpoint, model, await self.send(endpoint, data))

    def paginate(
        self,
        endpoint: Endpoint,
        model: type[M],
        *,
        filters: Iterable[Filter | Mapping[str, Any]],
        sort: Iterable[Sort | Mapping[str, Any]],
        page_size: int,
        nested: bool,
        show_audit: bool,
        start: int,
        limit: int | None,
        keyset: bool = False,
    ) -> Pager[M]:
        if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < page_size:
            page_size = limit  # a page of 999 records to keep 5 would cost 200 times the bytes
        data = list_data(
            model,
            filters=filters,
            sort=sort,
            page_size=page_size,
            nested=nested,
            show_audit=show_audit,
            start=start,
        )

        async def fetch(page_data: dict[str, Any]) -> Any:
            return await self.send(endpoint, page_data)

        return Pager(fetch, model, data, limit, keyset=keyset, operation=endpoint.path)

    def updated_since(
        self,
        endpoint: Endpoint,
        model: type[M],
        since: _dt.datetime | _dt.date,
        *,
        page_size: int,
        nested: bool,
    ) -> Pager[M]:
        filters, sort = updated_since(since)
        return self.paginate(
            endpoint,
            model,
            filters=filters,
            sort=sort,
            page_size=page_size,
            nested=nested,
            show_audit=False,
            start=0,
            limit=None,
            keyset=True,
        )

    async def bulk(
        self, endpoint: Endpoint, model: type[M], items: Iterable[Any]
    ) -> BulkResults[M]:
        pipeline = self._pipeline
        self._refuse_early(endpoint)
        wire_items = [
            marshal.bulk_item(endpoint, model, item, index) for index, item in enumerate(items)
        ]
        url = self._dialect.base_url + endpoint.path

        async def send_chunk(chunk: list[Any], data_json: str) -> Any:
            call = self._dialect.encoded_call(
                url, endpoint, self._dev_key, {"bulk": chunk}, data_json
            )
            return await pipeline.request(endpoint, call)

        return await run_bulk(
            send_chunk, model, wire_items, endpoint.path, secrets=pipeline.secrets_now
        )

    async def upload(
        self,
        endpoint: Endpoint,
        file_name: str,
        content: bytes,
        *,
        object_id: str | None,
        content_type: str,
    ) -> dict[str, Any]:
        data = {"id": object_id or "", "fileName": file_name}
        call = UploadCall(
            self._dialect.base_url + endpoint.path,
            endpoint.path,
            self._dev_key,
            data,
            wire.dumps(data),
            file_name,
            content,
            content_type,
        )
        answer = await self._pipeline.request(endpoint, call)
        if not isinstance(answer, dict):
            raise ProtocolError(
                "UploadAttachment answered without an object",
                status_code=200,
                body=wire.body_excerpt(repr(answer).encode()),
                operation=endpoint.path,
            )
        return answer

    @asynccontextmanager
    async def stream_page(
        self, file_url: str, page_number: int
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        url, params = page_request(self._dialect.base_url, file_url, page_number)
        call = PageCall(url, PAGE_ENDPOINT.path, params)
        async with self._pipeline.stream(PAGE_ENDPOINT, call) as chunks:
            yield chunks
