"""Document pages: the one part of BILL's document API that is not a ``.json`` operation.

``GetDocumentPages.json`` names each page by a URL on BILL's host (``/is/BillImageServlet?...`` or
``/HtmlServlet?id=...``); the page itself is fetched with a GET that carries the session as a
query parameter. ``client.documents`` gets these methods beside its generated ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from ._exceptions import ProtocolError

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["DocumentPages"]

PAGE_OPERATION = "document page"


class DocumentPages:
    """Downloading document pages, mixed into ``client.documents``."""

    _client: Client

    @asynccontextmanager
    async def stream_page(
        self, file_url: str, *, page_number: int = 1
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """Stream one page: ``async with client.documents.stream_page(url) as chunks:``.

        ``file_url`` is a page URL from ``get_pages()`` (``documentPages.fileUrl``), relative to
        BILL's host or absolute. ``page_number`` selects the page of a multi-page document.
        """
        client = self._client
        session = await client.session_manager.get()
        parts = urlsplit(file_url)
        base = urlsplit(client._shared.base_url)
        url = f"{parts.scheme or base.scheme}://{parts.netloc or base.netloc}{parts.path}"
        params = dict(parse_qsl(parts.query))
        if "BillImageServlet" in parts.path:
            params.setdefault("pageNumber", str(page_number))
        params["sessionId"] = session.session_id
        async with client._shared.sender.stream_get(url, params, PAGE_OPERATION) as (
            status,
            chunks,
        ):
            if status != 200:
                raise ProtocolError(
                    "BILL did not send the page",
                    status_code=status,
                    body="",
                    operation=PAGE_OPERATION,
                )
            yield chunks

    async def download_page(self, file_url: str, *, page_number: int = 1) -> bytes:
        """One page's bytes (a PNG for bills, HTML for some documents)."""
        async with self.stream_page(file_url, page_number=page_number) as chunks:
            return b"".join([chunk async for chunk in chunks])
