"""BILL's limits, enforced by the server: concurrency (BDC_1322), hourly budgets (BDC_1144)."""

from __future__ import annotations

import json

import anyio
import attrs
import httpx
import pytest

from bill_async.emulator import DEMO_DEV_KEY, DEMO_PASSWORD, DEMO_USER_NAME, Emulator
from tests.emulator.rawhttp import SMALL, Raw, refusal_of, wait_until


@pytest.mark.anyio
async def test_a_fourth_request_in_flight_gets_bdc_1322(session: Raw) -> None:
    emulator = session.emulator
    org = emulator.org_ids[0]
    fields = {"devKey": DEMO_DEV_KEY, "sessionId": session.session_id}
    answers: list[dict[str, str]] = []
    async with httpx.AsyncClient(base_url=session.base_url + "/") as http:

        async def one() -> None:
            response = await http.post("GetSessionInfo.json", data=fields)
            assert response.status_code == 200
            envelope = response.json()
            code = envelope["response_data"].get("error_code", "ok")
            answers.append(code)

        emulator.pause()  # admitted requests stay in flight until resume()
        try:
            async with anyio.create_task_group() as group:
                for _ in range(5):
                    group.start_soon(one)
                await wait_until(lambda: emulator.in_flight == 3 and len(answers) == 2)
                assert sorted(answers) == ["BDC_1322", "BDC_1322"]
                emulator.resume()
        finally:
            emulator.resume()
    assert sorted(answers) == ["BDC_1322", "BDC_1322", "ok", "ok", "ok"]
    assert emulator.counters.max_in_flight[org] == 3
    assert emulator.counters.errors["BDC_1322"] == 2
    assert emulator.in_flight == 0


@pytest.mark.anyio
async def test_the_limit_is_per_organization(raw: Raw, emulator: Emulator) -> None:
    emulator.reset(attrs.evolve(SMALL, max_in_flight=1))
    sessions = []
    for org in emulator.org_ids[:2]:
        raw.login(org)
        sessions.append(raw.session_id)
    answers: list[str] = []
    async with httpx.AsyncClient(base_url=raw.base_url + "/") as http:

        async def one(session_id: str) -> None:
            fields = {"devKey": DEMO_DEV_KEY, "sessionId": session_id}
            envelope = (await http.post("GetSessionInfo.json", data=fields)).json()
            answers.append(envelope["response_data"].get("error_code", "ok"))

        emulator.pause()
        try:
            async with anyio.create_task_group() as group:
                for session_id in sessions:
                    group.start_soon(one, session_id)
                await wait_until(lambda: emulator.in_flight == 2)
                emulator.resume()
        finally:
            emulator.resume()
    assert answers == ["ok", "ok"]
    assert emulator.counters.max_in_flight == dict.fromkeys(emulator.org_ids[:2], 1)


def test_the_in_flight_count_drops_before_the_answer_is_sent(session: Raw) -> None:
    # With room for one request only, a client that sends its next call the moment it reads
    # an answer must never be refused.
    session.emulator.reset(attrs.evolve(SMALL, max_in_flight=1))
    session.login()
    for _ in range(150):
        session.ok("GetSessionInfo.json")
    assert session.emulator.counters.errors["BDC_1322"] == 0
    assert session.emulator.counters.max_in_flight == {session.emulator.org_ids[0]: 1}


class WallClock:
    def __init__(self) -> None:
        self.now = 1_722_000_000.0  # 2024-07-26T13:20:00Z

    def __call__(self) -> float:
        return self.now


def test_the_hourly_request_budget_gives_bdc_1144(raw: Raw, emulator: Emulator) -> None:
    wall = WallClock()
    emulator.reset(attrs.evolve(SMALL, hourly_requests=3, wall_clock=wall))
    raw.login()  # logins have their own budget
    for _ in range(3):
        raw.ok("GetSessionInfo.json")
    envelope = raw.call("GetSessionInfo.json")
    assert envelope["response_data"] == {
        "error_code": "BDC_1144",
        "error_message": "Max number of allowed requests per hour reached: 3.",
    }
    assert raw.error("Crud/Read/Vendor.json", {"id": "x"}) == "BDC_1144"
    wall.now += 3600  # the next clock hour
    raw.ok("GetSessionInfo.json")


def test_login_and_list_orgs_share_the_login_budget(raw: Raw, emulator: Emulator) -> None:
    emulator.reset(attrs.evolve(SMALL, hourly_logins=2))
    fields = {"devKey": DEMO_DEV_KEY, "userName": DEMO_USER_NAME, "password": DEMO_PASSWORD}
    assert raw.post("ListOrgs.json", fields).json()["response_status"] == 0
    assert raw.login()["response_status"] == 0
    assert raw.login()["response_data"]["error_code"] == "BDC_1144"
    listed = raw.post("ListOrgs.json", fields).json()
    assert listed["response_data"]["error_code"] == "BDC_1144"
    raw.ok("GetSessionInfo.json")  # other calls are still allowed
    assert emulator.counters.logins == 1


def test_counters_count_requests_paths_and_errors(session: Raw) -> None:
    emulator = session.emulator
    emulator.reset_counters()
    session.ok("GetSessionInfo.json")
    session.ok("List/Vendor.json", {"max": 1})
    session.error("Crud/Read/Vendor.json", {"id": "nope"})
    session.post("No/Such/Path.json", {})
    counters = emulator.counters
    assert counters.total_requests == 4
    assert counters.paths == {
        "GetSessionInfo.json": 1,
        "List/Vendor.json": 1,
        "Crud/Read/Vendor.json": 1,
        "No/Such/Path.json": 1,
    }
    assert counters.errors == {"BDC_1129": 1, "BDC_1121": 1}
    emulator.reset_counters()
    assert emulator.counters.total_requests == 0


def test_bulk_items_count_their_errors(session: Raw) -> None:
    session.emulator.reset_counters()
    answer = session.ok(
        "Bulk/Crud/Create/Vendor.json",
        {"bulk": [{"obj": {"entity": "Vendor", "name": "ok"}}, {"obj": {"entity": "Vendor"}}]},
    )
    assert [item["response_status"] for item in answer["bulk"]] == [0, 1]
    assert session.emulator.counters.errors == {"BDC_1117": 1}


def test_data_that_is_not_json_is_refused(session: Raw) -> None:
    unparseable = ("BDC_1122", "Error Parsing Json Object. Please check your request.")
    fields = {"devKey": DEMO_DEV_KEY, "sessionId": session.session_id, "data": "{not json"}
    envelope = session.post("Crud/Read/Vendor.json", fields).json()
    assert refusal_of(envelope) == unparseable
    fields["data"] = json.dumps([1, 2])  # JSON, but not the object BILL reads
    envelope = session.post("Crud/Read/Vendor.json", fields).json()
    assert refusal_of(envelope) == unparseable


@pytest.mark.anyio
async def test_the_operation_runs_inside_the_latency_and_its_answer_waits(session: Raw) -> None:
    # The answer comes `latency` after admission with the operation's own time inside it, so
    # a held request has already made its Vendor; a refused one is held the same way.
    emulator = session.emulator
    fields = {"devKey": DEMO_DEV_KEY, "sessionId": session.session_id}
    made = {"obj": {"entity": "Vendor", "name": "Made while held"}}
    refused = {"obj": {"entity": "Vendor", "name": ""}}  # name is required
    answers: dict[str, dict[str, object]] = {}
    async with httpx.AsyncClient(base_url=session.base_url + "/") as http:

        async def create(label: str, data: dict[str, object]) -> None:
            form = {**fields, "data": json.dumps(data)}
            answers[label] = (await http.post("Crud/Create/Vendor.json", data=form)).json()

        emulator.pause()
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(create, "made", made)
                group.start_soon(create, "refused", refused)
                # Admitted and run under one lock: both in flight means both have run.
                await wait_until(lambda: emulator.in_flight == 2)
                names = [v["name"] for v in emulator.objects(emulator.org_ids[0], "Vendor")]
                assert "Made while held" in names  # done, though not yet answered
                assert emulator.counters.errors["BDC_1117"] == 1  # refused, not yet answered
                assert answers == {}
                emulator.resume()
        finally:
            emulator.resume()
    assert answers["made"]["response_status"] == 0
    assert answers["refused"]["response_data"] == {
        "error_code": "BDC_1117",
        "error_message": "Missing required data for: name.",
    }
    assert emulator.in_flight == 0


@pytest.mark.anyio
async def test_an_emulator_failure_is_held_like_any_answer(
    session: Raw, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = session.emulator

    def broken(call: object) -> object:
        raise ZeroDivisionError("a bug in the emulator")

    monkeypatch.setitem(emulator._handlers, "GetSessionInfo.json", broken)
    fields = {"devKey": DEMO_DEV_KEY, "sessionId": session.session_id}
    answers: list[dict[str, object]] = []
    async with httpx.AsyncClient(base_url=session.base_url + "/") as http:

        async def call() -> None:
            answers.append((await http.post("GetSessionInfo.json", data=fields)).json())

        emulator.pause()
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(call)
                await wait_until(lambda: emulator.counters.errors["BDC_1001"] == 1)
                assert emulator.in_flight == 1 and answers == []  # failed, held, unanswered
                emulator.resume()
        finally:
            emulator.resume()
    assert answers[0]["response_data"]["error_code"] == "BDC_1001"  # type: ignore[index]
    assert emulator.in_flight == 0
    assert "a bug in the emulator" in caplog.text
