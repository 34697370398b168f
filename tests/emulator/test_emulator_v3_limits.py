"""BILL's limits on the v3 face, counted with the v2 face's: 3 in flight per devKey and
organization (BDC_1322), the hourly request and login budgets (BDC_1144)."""

from __future__ import annotations

import anyio
import attrs
import httpx
import pytest

from bill_async.emulator import DEMO_DEV_KEY, Emulator, RunningEmulator
from tests.emulator.rawhttp import SMALL, Raw, wait_until
from tests.emulator.rawv3 import RawV3, refusal_of
from tests.emulator.test_emulator_limits import WallClock


@pytest.mark.anyio
async def test_three_in_flight_per_organization_across_both_faces(
    raw: Raw, v3: RawV3, emulator: Emulator, served: RunningEmulator
) -> None:
    assert raw.login()["response_status"] == 0
    assert v3.login().status_code == 200
    org = emulator.org_ids[0]
    answers: list[str] = []
    async with httpx.AsyncClient() as http:

        async def v2_call() -> None:
            fields = {"devKey": DEMO_DEV_KEY, "sessionId": raw.session_id}
            envelope = (
                await http.post(served.base_url + "/GetSessionInfo.json", data=fields)
            ).json()
            answers.append(envelope["response_data"].get("error_code", "ok"))

        async def v3_call() -> None:
            headers = {"devKey": DEMO_DEV_KEY, "sessionId": v3.session_id}
            response = await http.get(v3.base_url + "/v3/login/session", headers=headers)
            if response.status_code == 200:
                answers.append("ok")
            else:
                answers.append(str(refusal_of(response, 429)[0]))

        emulator.pause()  # admitted requests stay in flight until resume()
        try:
            async with anyio.create_task_group() as group:
                for call in (v2_call, v3_call, v2_call):
                    group.start_soon(call)
                await wait_until(lambda: emulator.in_flight == 3)
                group.start_soon(v3_call)
                group.start_soon(v2_call)
                await wait_until(lambda: len(answers) == 2)
                assert answers == ["BDC_1322", "BDC_1322"]
                emulator.resume()
        finally:
            emulator.resume()
    assert sorted(answers) == ["BDC_1322", "BDC_1322", "ok", "ok", "ok"]
    assert emulator.counters.max_in_flight[org] == 3
    assert emulator.in_flight == 0


def test_a_refused_v3_call_says_bdc_1322_with_429(v3: RawV3, emulator: Emulator) -> None:
    emulator.reset(attrs.evolve(SMALL, max_in_flight=1))
    assert v3.login().status_code == 200
    org = emulator.org_ids[0]
    emulator.state.in_flight[(DEMO_DEV_KEY, org)] = 1  # another call holds the one place
    try:
        code, message = v3.refused("GET", "/v3/vendors", 429)
    finally:
        emulator.state.in_flight.pop((DEMO_DEV_KEY, org))
    assert (code, message) == (
        "BDC_1322",
        "Max number of concurrent requests per organization reached.",
    )
    v3.ok("GET", "/v3/vendors")


def test_the_hourly_request_budget_is_counted_over_both_faces(
    raw: Raw, v3: RawV3, emulator: Emulator
) -> None:
    wall = WallClock()
    emulator.reset(attrs.evolve(SMALL, hourly_requests=3, wall_clock=wall))
    assert raw.login()["response_status"] == 0  # sign-ins have their own budget
    assert v3.login().status_code == 200
    raw.ok("GetSessionInfo.json")
    v3.ok("GET", "/v3/login/session")
    raw.ok("GetSessionInfo.json")
    code, message = v3.refused("GET", "/v3/login/session", 429)
    assert (code, message) == ("BDC_1144", "Max number of allowed requests per hour reached: 3.")
    assert raw.error("GetSessionInfo.json") == "BDC_1144"
    wall.now += 3600
    v3.ok("GET", "/v3/login/session")


def test_the_login_budget_is_counted_over_both_faces(
    raw: Raw, v3: RawV3, emulator: Emulator
) -> None:
    emulator.reset(attrs.evolve(SMALL, hourly_logins=2))
    assert raw.login()["response_status"] == 0
    assert v3.login().status_code == 200
    assert refusal_of(v3.login(), 429)[0] == "BDC_1144"
    assert raw.login()["response_data"]["error_code"] == "BDC_1144"
    assert emulator.counters.logins == 2
