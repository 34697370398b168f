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

from .._core._operation import Kind
from .._exceptions import InvalidRequestError
from ._endpoints import Endpoint, Shape

if TYPE_CHECKING:
    from ._requester import Requester

__all__ = ["PAGE_ENDPOINT", "DocumentPages", "page_request"]

# Not a .json operation, but a read through the same pipeline as every call: it takes a governor
# slot, counts against the hourly budget, is retried like a read, and is seen by hooks and logs.
PAGE_ENDPOINT = Endpoint("document page", "documents", "download_page", Kind.READ, Shape.NONE, None)


class DocumentPages:
    """Downloading document pages, mixed into ``client.documents``."""

    _requester: Requester

    @asynccontextmanager
    async def stream_page(
        self, file_url: str, *, page_number: int = 1
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """Stream one page: ``async with client.documents.stream_page(url) as chunks:``.

        ``file_url`` is a page URL from ``get_pages()`` (``documentPages.fileUrl``), relative to
        BILL's host or absolute on that same host: the session goes with the request, so no
        other host is accepted. ``page_number`` selects the page of a multi-page document. The
        download takes a governor slot and counts against the hourly budget like any call, and
        is sent again after a failure that may pass, as reads are.
        """
        async with self._requester.stream_page(file_url, page_number) as chunks:
            yield chunks

    async def download_page(self, file_url: str, *, page_number: int = 1) -> bytes:
        """One page's bytes (a PNG for bills, HTML for some documents)."""
        async with self.stream_page(file_url, page_number=page_number) as chunks:
            return b"".join([chunk async for chunk in chunks])


def page_request(base_url: str, file_url: str, page_number: int) -> tuple[str, dict[str, str]]:
    """The URL and query of a page on BILL's own host; refuses any other host."""
    parts = urlsplit(file_url)
    base = urlsplit(base_url)
    if parts.netloc and (parts.netloc.lower(), parts.scheme) != (base.netloc.lower(), base.scheme):
        raise InvalidRequestError(
            f"a page URL must be on BILL's host ({base.scheme}://{base.netloc}): the session "
            "would be sent with it"
        )
    if not parts.path.startswith("/"):
        raise InvalidRequestError(f"{file_url!r} is not a page URL from get_pages()")
    params = dict(parse_qsl(parts.query))
    if "BillImageServlet" in parts.path:
        params.setdefault("pageNumber", str(page_number))
    return f"{base.scheme}://{base.netloc}{parts.path}", params
