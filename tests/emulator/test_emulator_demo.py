"""The demo account and its data, and the ``bill-async emulator`` command served for real."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_ORG_NAMES,
    DEMO_PASSWORD,
    DEMO_USER_NAME,
    Emulator,
    EmulatorConfig,
    add_cli_arguments,
    run_cli,
)

ROOT = Path(__file__).parent.parent.parent


def test_the_same_seed_gives_the_same_data_whatever_org_is_used_first() -> None:
    one = Emulator(EmulatorConfig(scale=0.02, seed=7))
    two = Emulator(EmulatorConfig(scale=0.02, seed=7))
    assert one.org_ids == two.org_ids
    for org in reversed(two.org_ids):  # seed the other way round
        two.objects(org, "Vendor")
    for org in one.org_ids:
        for entity in ("Vendor", "Bill", "Invoice", "SentPay", "ReceivedPay"):
            assert one.objects(org, entity) == two.objects(org, entity), (org, entity)
    other = Emulator(EmulatorConfig(scale=0.02, seed=8))
    assert other.objects(other.org_ids[0], "Vendor") != one.objects(one.org_ids[0], "Vendor")


def test_the_default_demo_is_realistic() -> None:
    emulator = Emulator()
    assert [org.name for org in emulator.state.orgs.values()] == list(DEMO_ORG_NAMES)
    smallest = emulator.org_ids[-1]
    counts = {
        entity: len(emulator.objects(smallest, entity))
        for entity in ("Vendor", "Customer", "Bill", "Invoice", "SentPay", "ReceivedPay")
    }
    assert counts["Vendor"] >= 100 and counts["Customer"] >= 100
    assert counts["Bill"] >= 1000 and counts["Invoice"] >= 1000
    assert counts["SentPay"] >= 300 and counts["ReceivedPay"] >= 300
    bills = emulator.objects(smallest, "Bill")
    assert {bill["paymentStatus"] for bill in bills} == {"0", "1", "2", "4"}
    assert {"0", "1", "3", "5"} <= {bill["approvalStatus"] for bill in bills}
    assert all(bill["updatedTime"] >= bill["createdTime"] for bill in bills)
    vendor_ids = {vendor["id"] for vendor in emulator.objects(smallest, "Vendor")}
    assert {bill["vendorId"] for bill in bills} <= vendor_ids
    org = emulator.state.orgs[smallest]

    def next_approver(bill: dict[str, str]) -> str | None:
        pending = (r for r in org.approvers[bill["id"]] if r["approvalStatus"] == "0")
        return next((r["usersId"] for r in pending), None)

    waiting = [
        bill
        for bill in bills
        if bill["approvalStatus"] in ("1", "4") and next_approver(bill) == org.user_id
    ]
    assert waiting  # the demo login has bills waiting for its approval
    assert not emulator.state.orgs[emulator.org_ids[0]].seeded  # seeded only when used


def test_the_public_api_is_listed_and_sorted() -> None:
    import bill_async.emulator as package

    assert package.__all__ == sorted(set(package.__all__))
    public = {name for name in vars(package) if not name.startswith("_")} - {"annotations"}
    modules = {name for name in public if isinstance(getattr(package, name), type(package))}
    assert public - modules == set(package.__all__)


def test_cli_arguments() -> None:
    parser = argparse.ArgumentParser()
    add_cli_arguments(parser)
    args = parser.parse_args(["--port", "0", "--latency-ms", "5-20", "--idle-timeout", "3"])
    assert args.latency_ms == (0.005, 0.02) and args.idle_timeout == 3
    assert parser.parse_args(["--latency-ms", "7"]).latency_ms == 0.007
    for bad in (["--latency-ms", "-3"], ["--latency-ms", "9-2"], ["--idle-timeout", "0"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


def test_run_cli_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        parser = argparse.ArgumentParser()
        add_cli_arguments(parser)
        args = parser.parse_args(["--port", str(taken.getsockname()[1])])
        assert run_cli(args) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_importing_the_emulator_does_not_import_uvicorn() -> None:
    code = "import sys, bill_async.emulator; assert 'uvicorn' not in sys.modules, 'uvicorn'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


@pytest.mark.parametrize("command", ["python -m bill_async.emulator", "bill-async emulator"])
def test_the_command_serves_bill_over_plain_http(command: str) -> None:
    if command == "bill-async emulator":
        argv = [
            sys.executable,
            "-c",
            "import sys; from bill_async._cli import main; sys.exit(main())",
            "emulator",
        ]
    else:
        argv = [sys.executable, "-m", "bill_async.emulator"]
    process = subprocess.Popen(
        [*argv, "--port", "0", "--scale", "0.01", "--log-level", "warning"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("BILL v2 emulator listening on http://127.0.0.1:"), first
        base_url = first.split()[-1]
        assert base_url.endswith("/api/v2")
        banner = [process.stdout.readline() for _ in range(6)]
        assert any(DEMO_DEV_KEY in line for line in banner)
        assert any(DEMO_USER_NAME in line for line in banner)
        assert any(DEMO_PASSWORD in line for line in banner)
        with httpx.Client(base_url=base_url + "/", timeout=10) as http:
            listed = http.post(
                "ListOrgs.json",
                data={
                    "devKey": DEMO_DEV_KEY,
                    "userName": DEMO_USER_NAME,
                    "password": DEMO_PASSWORD,
                },
            ).json()
            org = listed["response_data"][0]["orgId"]
            login = http.post(
                "Login.json",
                data={
                    "userName": DEMO_USER_NAME,
                    "password": DEMO_PASSWORD,
                    "orgId": org,
                    "devKey": DEMO_DEV_KEY,
                },
            )
            assert login.status_code == 200
            envelope = login.json()
            assert envelope["response_status"] == 0
            session = {"devKey": DEMO_DEV_KEY, "sessionId": envelope["response_data"]["sessionId"]}

            def call(path: str, data: object) -> dict[str, object]:
                response = http.post(path, data={**session, "data": json.dumps(data)})
                assert response.status_code == 200
                answer: dict[str, object] = response.json()
                assert answer["response_status"] == 0, answer
                assert answer["response_message"] == "Success"
                return answer

            created = call("Crud/Create/Vendor.json", {"obj": {"entity": "Vendor", "name": "CLI"}})
            vendor = created["response_data"]
            assert isinstance(vendor, dict) and vendor["name"] == "CLI"
            read = call("Crud/Read/Vendor.json", {"id": vendor["id"]})
            assert read["response_data"] == vendor
            listed_vendors = call(
                "List/Vendor.json", {"filters": [{"field": "name", "op": "=", "value": "CLI"}]}
            )
            assert listed_vendors["response_data"] == [vendor]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, errors = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
    assert process.returncode == 0, errors
