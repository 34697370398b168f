"""The knobs for tests and benchmarks, and the routing of every path of the endpoint table."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

import bill_async
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    ConnectionDropped,
    Emulator,
    EmulatorConfig,
    create_app,
)
from tests.emulator.rawhttp import SMALL, Raw


def create_vendor_fields(raw: Raw, name: str) -> dict[str, str]:
    data = {"obj": {"entity": "Vendor", "name": name}}
    return {"devKey": DEMO_DEV_KEY, "sessionId": raw.session_id, "data": json.dumps(data)}


def vendors_named(emulator: Emulator, name: str) -> int:
    return sum(v["name"] == name for v in emulator.objects(emulator.org_ids[0], "Vendor"))


def test_fail_next_answers_http_5xx_without_running_the_call(session: Raw) -> None:
    emulator = session.emulator
    emulator.fail_next(2, status=502, paths=["Crud/Create/Vendor.json"])
    assert (
        session.post("GetSessionInfo.json", create_vendor_fields(session, "x")).status_code == 200
    )
    for _ in range(2):
        response = session.post("Crud/Create/Vendor.json", create_vendor_fields(session, "Five"))
        assert response.status_code == 502
        assert response.headers["content-type"] == "text/html"
    assert vendors_named(emulator, "Five") == 0
    response = session.post("Crud/Create/Vendor.json", create_vendor_fields(session, "Five"))
    assert response.status_code == 200
    assert vendors_named(emulator, "Five") == 1
    assert emulator.counters.injected_failures == 2


@pytest.mark.parametrize(("when", "created"), [("before", 0), ("after", 1)])
def test_drop_next_closes_the_connection_before_or_after_the_call_runs(
    session: Raw, when: str, created: int, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = session.emulator
    emulator.drop_next("Crud/Create/Vendor.json", when=when)  # type: ignore[arg-type]
    session.ok("GetSessionInfo.json")  # another path: not dropped
    with (
        caplog.at_level(logging.DEBUG, logger="uvicorn.error"),
        pytest.raises(httpx.RemoteProtocolError),
    ):
        session.post("Crud/Create/Vendor.json", create_vendor_fields(session, "Dropped"))
    assert vendors_named(emulator, "Dropped") == created
    assert emulator.counters.dropped == 1
    assert emulator.counters.paths["Crud/Create/Vendor.json"] == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # uvicorn kept quiet
    session.post("Crud/Create/Vendor.json", create_vendor_fields(session, "Dropped"))
    assert vendors_named(emulator, "Dropped") == created + 1


@pytest.mark.anyio
async def test_in_process_drops_look_like_a_dropped_connection() -> None:
    emulator = create_app(SMALL)
    emulator.drop_next("Login.json")
    transport = httpx.ASGITransport(app=emulator)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        fields = {
            "userName": DEMO_USER_NAME,
            "password": DEMO_PASSWORD,
            "orgId": emulator.org_ids[0],
            "devKey": DEMO_DEV_KEY,
        }
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await http.post("/api/v2/Login.json", data=fields)
        assert isinstance(caught.value, ConnectionDropped)
        answer = await http.post("/api/v2/Login.json", data=fields)
        assert answer.json()["response_status"] == 0
    assert emulator.counters.logins == 2  # the dropped login ran


def test_latency_knob_is_checked(emulator: Emulator) -> None:
    emulator.set_latency((0.001, 0.002))
    emulator.set_latency(0)
    with pytest.raises(ValueError, match="latency"):
        emulator.set_latency((0.5, 0.1))
    with pytest.raises(ValueError, match="latency"):
        EmulatorConfig(latency=-1)
    with pytest.raises(ValueError, match="5xx"):
        emulator.fail_next(status=404)
    with pytest.raises(ValueError, match="when"):
        emulator.drop_next(when="during")  # type: ignore[arg-type]


def test_reset_clears_knobs_sessions_and_data(session: Raw) -> None:
    emulator = session.emulator
    session.create("Vendor", name="Gone after reset")
    emulator.fail_next(5)
    emulator.reset()
    assert session.error("GetSessionInfo.json") == "BDC_1109"
    session.login()
    assert vendors_named(emulator, "Gone after reset") == 0
    assert emulator.counters.injected_failures == 0


def test_every_path_of_the_endpoint_table_is_routed(session: Raw) -> None:
    for endpoint in bill_async.ENDPOINTS:
        if endpoint.path in ("Login.json", "ListOrgs.json", "Logout.json"):
            continue
        response = session.post(
            endpoint.path,
            {"devKey": DEMO_DEV_KEY, "sessionId": session.session_id, "data": "{}"},
        )
        assert response.status_code == 200, endpoint.path
        envelope = response.json()
        assert envelope["response_status"] in (0, 1), endpoint.path
        if envelope["response_status"] == 1:
            assert envelope["response_data"]["error_code"] not in ("BDC_1121", "BDC_1001"), (
                endpoint.path,
                envelope,
            )
    assert session.emulator.counters.errors["BDC_1001"] == 0


def test_unknown_paths_get_http_404_and_bdc_1121(raw: Raw) -> None:
    for path in ("Crud/Read/Vendors.json", "crud/read/vendor.json", "Nope"):
        response = raw.post(path, {"devKey": DEMO_DEV_KEY})
        assert response.status_code == 404
        assert response.json()["response_data"]["error_code"] == "BDC_1121"
    response = raw.http.post(raw.base_url.removesuffix("/api/v2") + "/Login.json")
    assert response.status_code == 404


def test_only_post_is_served(raw: Raw) -> None:
    response = raw.http.get("GetSessionInfo.json")
    assert response.status_code == 405
    assert response.json()["response_data"]["error_code"] == "BDC_1121"
