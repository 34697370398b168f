"""Documents: upload to an object or the inbox, list a document's pages, download a page."""

from __future__ import annotations

import httpx
import pytest

from tests.fakebill import BASE_URL, FakeBill, client, ok

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000


@pytest.mark.anyio
async def test_upload_get_pages_and_download_a_page() -> None:
    fake = FakeBill()
    fake.on("UploadAttachment.json", ok({"id": "00h02UPLOADED000001"}))
    fake.on(
        "GetDocumentPages.json",
        ok({"documentPages": {"numPages": 2, "fileUrl": "/is/BillImageServlet?entityId=00n1"}}),
    )
    pages_seen: list[httpx.Request] = []
    base = fake.handle

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/is/BillImageServlet":
            pages_seen.append(request)
            return httpx.Response(200, content=PNG)
        return await base(request)

    fake.transport = httpx.MockTransport(handle)
    async with client(fake) as bill:
        to_inbox = await bill.documents.upload("scan.pdf", b"%PDF-1.4")
        await bill.documents.upload("bill.pdf", b"%PDF-1.4", object_id="00n1")
        pages = await bill.documents.get_pages(id="00n1")
        url = pages["documentPages"]["fileUrl"]
        first = await bill.documents.download_page(url)
        chunks = []
        async with bill.documents.stream_page(url, page_number=2) as stream:
            async for chunk in stream:
                chunks.append(chunk)
    assert to_inbox == {"id": "00h02UPLOADED000001"}
    uploads = [s for s in fake.seen if s.path == "UploadAttachment.json"]
    assert b'{"id":"","fileName":"scan.pdf"}' in uploads[0].body  # no object: to the inbox
    assert b'{"id":"00n1","fileName":"bill.pdf"}' in uploads[1].body
    assert first == PNG and b"".join(chunks) == PNG
    assert [dict(r.url.params) for r in pages_seen] == [
        {"entityId": "00n1", "pageNumber": "1", "sessionId": "!session-SECRET-1"},
        {"entityId": "00n1", "pageNumber": "2", "sessionId": "!session-SECRET-1"},
    ]
    assert str(pages_seen[0].url).startswith(BASE_URL.split("/api/")[0] + "/is/BillImageServlet")
    assert all(r.method == "GET" for r in pages_seen)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "url",
    [
        "http://attacker.example/is/BillImageServlet?entityId=00n1",
        "https://attacker.example/HtmlServlet?id=00h1",
        "http://bill.test/is/BillImageServlet?entityId=00n1",  # BILL's host, but not https
        "is/BillImageServlet",
    ],
)
async def test_a_page_url_off_bills_host_is_refused_and_nothing_is_sent(url: str) -> None:
    import bill_async

    fake = FakeBill()
    async with client(fake) as bill:
        with pytest.raises(bill_async.InvalidRequestError):
            await bill.documents.download_page(url)
    assert fake.seen == []


@pytest.mark.anyio
async def test_a_download_after_close_is_refused() -> None:
    import bill_async

    fake = FakeBill()
    bill = client(fake)
    async with bill:
        pass
    with pytest.raises(bill_async.ClientStateError):
        await bill.documents.download_page("/is/BillImageServlet?entityId=00n1")
    assert fake.seen == []
