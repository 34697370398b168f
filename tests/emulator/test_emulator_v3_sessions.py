"""The v3 face's routing, sign-in, sessions, MFA and refusals, over raw HTTP."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import attrs
import httpx
import pytest

from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_MFA_CODE,
    TOKEN_REFUSED,
    Emulator,
    EmulatorConfig,
    ManualClock,
    RunningEmulator,
)
from bill_async.v3 import _endpoints
from tests.emulator.rawhttp import SMALL, Raw
from tests.emulator.rawv3 import RawV3, refusal_of

# -- routing --------------------------------------------------------------------------------------


def test_a_path_no_row_has_is_bdc_1121_404(v3_session: RawV3) -> None:
    code, message = v3_session.refused("GET", "/v3/no-such-thing", 404)
    assert (code, message) == ("BDC_1121", "API not supported.")
    assert v3_session.emulator.counters.errors["BDC_1121"] == 1


def test_another_method_on_a_known_path_is_405(v3_session: RawV3) -> None:
    code, _ = v3_session.refused("DELETE", "/v3/vendors", 405)
    assert code == "BDC_1121"


def test_the_webhooks_api_is_served_on_its_own_root_with_the_same_sessions(
    v3_session: RawV3, served: RunningEmulator
) -> None:
    url = served.v3_base_url.removesuffix("/connect") + "/connect-events/v3/subscriptions"
    response = v3_session.http.get(url, headers={"devKey": DEMO_DEV_KEY})
    assert refusal_of(response, 401)[0] == "BDC_1109"
    headers = {"devKey": DEMO_DEV_KEY, "sessionId": v3_session.session_id}
    response = v3_session.http.get(url, headers=headers)
    assert (response.status_code, response.json()) == (200, {"results": []})
    # Not on the AP & AR root: BILL serves it on .../connect-events only.
    assert v3_session.refused("GET", "/v3/subscriptions", 404)[0] == "BDC_1121"


def test_a_row_added_to_the_table_without_a_handler_is_bdc_1121(
    monkeypatch: pytest.MonkeyPatch,
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    new_row = _endpoints.Operation(
        "GET", "/v3/brand-new", "brand_new", "get", _endpoints.READ, _endpoints.GET, None
    )
    monkeypatch.setattr(_endpoints, "OPERATIONS", (*_endpoints.OPERATIONS, new_row))
    with serve_emulator(SMALL) as running, httpx.Client() as http:  # after the patch
        raw = RawV3(running.v3_base_url, running.emulator, http)
        assert raw.login().status_code == 200
        assert raw.refused("GET", "/v3/brand-new", 404)[0] == "BDC_1121"
        assert raw.refused("POST", "/v3/brand-new", 405)[0] == "BDC_1121"
        assert raw.ok("GET", "/v3/vendors")["results"]  # the rest is served as before


def test_health_needs_no_session(v3: RawV3) -> None:
    answer = v3.http.get(v3.base_url + "/v3/health")
    assert answer.status_code == 200
    assert set(answer.json()) == {"appId", "appEnv", "appVersion", "bdcRegion"}
    assert v3.emulator.counters.logins == 0


# -- sign-in ----------------------------------------------------------------------------------


def test_login_answers_bills_four_keys(v3: RawV3, emulator: Emulator) -> None:
    response = v3.login()
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["organizationId", "sessionId", "trusted", "userId"]
    assert body["organizationId"] == emulator.org_ids[0]
    assert body["trusted"] is False
    assert body["userId"] == emulator.user_id(emulator.org_ids[0])
    assert emulator.counters.logins == 1


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"password": "wrong"}, 401, "BDC_1101"),
        ({"devKey": "someone-else"}, 401, "BDC_1102"),
        ({"devKey": ""}, 400, "BDC_1178"),
        ({"organizationId": "00802NOSUCHORGxxxxxx"}, 400, "BDC_1129"),
        ({"organizationId": ""}, 400, "BDC_1108"),
    ],
)
def test_refused_sign_ins(
    v3: RawV3, emulator: Emulator, change: dict[str, str], status: int, code: str
) -> None:
    assert refusal_of(v3.login(extra=change), status)[0] == code
    assert emulator.counters.logins == 0


def test_a_login_body_that_is_not_a_json_object_is_bdc_1122(v3: RawV3) -> None:
    response = v3.http.post(v3.base_url + "/v3/login", content=b"userName=x")
    assert refusal_of(response, 400)[0] == "BDC_1122"


def test_calls_need_the_devkey_header_and_a_live_session(v3_session: RawV3) -> None:
    no_key = v3_session.http.get(
        v3_session.base_url + "/v3/vendors", headers={"sessionId": v3_session.session_id}
    )
    assert refusal_of(no_key, 400)[0] == "BDC_1178"
    assert v3_session.refused("GET", "/v3/vendors", 401, headers={"devKey": "x"})[0] == "BDC_1102"
    code, message = v3_session.refused("GET", "/v3/vendors", 401, session_id="!unknown")
    assert (code, message) == ("BDC_1109", "Session is invalid. Please log in.")


def test_the_faces_do_not_share_sessions(v3: RawV3, raw: Raw) -> None:
    assert raw.login()["response_status"] == 0
    assert v3.login().status_code == 200
    assert v3.refused("GET", "/v3/login/session", 401, session_id=raw.session_id)[0] == ("BDC_1109")
    assert raw.error("GetSessionInfo.json", session_id=v3.session_id) == "BDC_1109"


def test_session_details_and_logout(v3_session: RawV3, emulator: Emulator) -> None:
    details = v3_session.ok("GET", "/v3/login/session")
    assert details == {
        "organizationId": emulator.org_ids[0],
        "userId": emulator.user_id(emulator.org_ids[0]),
        "mfaStatus": "ENABLED",
        "mfaBypass": False,
    }
    response = v3_session.send("POST", "/v3/logout")
    assert (response.status_code, response.content) == (200, b"")
    assert v3_session.refused("GET", "/v3/login/session", 401)[0] == "BDC_1109"


def test_an_idle_session_expires_with_the_v2_faces_timeout(
    served: RunningEmulator, emulator: Emulator, v3: RawV3
) -> None:
    clock = ManualClock()
    emulator.reset(attrs.evolve(SMALL, clock=clock))
    assert v3.login().status_code == 200
    clock.advance(35 * 60 - 1)
    v3.ok("GET", "/v3/login/session")  # a call resets the idle timer
    clock.advance(35 * 60 - 1)
    v3.ok("GET", "/v3/login/session")
    clock.advance(35 * 60 + 1)
    assert v3.refused("GET", "/v3/login/session", 401)[0] == "BDC_1109"
    token = RawV3(served.v3_base_url, emulator, v3.http)
    assert token.login(emulator.token_org_id, token=True).status_code == 200
    clock.advance(10 * 3600)
    token.ok("GET", "/v3/login/session")  # token sessions do not idle out


# -- MFA --------------------------------------------------------------------------------------


def _trust(raw: RawV3, *, remember: bool = False) -> dict[str, str]:
    challenge = raw.ok("POST", "/v3/mfa/challenge", {"useBackup": False})["challengeId"]
    body = {
        "challengeId": challenge,
        "token": DEMO_MFA_CODE,
        "device": "ci",
        "rememberMe": remember,
    }
    answer: dict[str, str] = raw.ok("POST", "/v3/mfa/challenge/validate", body)
    return answer


def test_mfa_protected_calls_need_a_trusted_session(v3_session: RawV3, emulator: Emulator) -> None:
    org = emulator.org_ids[0]
    bill = next(b for b in emulator.objects(org, "Bill") if b["dueAmount"] > 0)
    bank = emulator.objects(org, "BankAccount")[0]
    payment = {
        "billId": bill["id"],
        "amount": 1,
        "fundingAccount": {"type": "BANK_ACCOUNT", "id": bank["id"]},
    }
    code, message = v3_session.refused("POST", "/v3/payments", 403, payment)
    assert (code, message) == ("BDC_1361", "Untrusted session.")
    # An MFA-protected option (a vendor's autoPay) likewise, and nothing is written.
    vendors = len(emulator.objects(org, "Vendor"))
    auto_pay = {"name": "Auto", "autoPay": {"enabled": True}}
    assert v3_session.refused("POST", "/v3/vendors", 403, auto_pay)[0] == "BDC_1361"
    assert len(emulator.objects(org, "Vendor")) == vendors
    assert _trust(v3_session) == {}
    paid = v3_session.ok("POST", "/v3/payments", payment)
    assert paid["billId"] == bill["id"] and paid["status"] == "SCHEDULED"
    assert v3_session.ok("POST", "/v3/vendors", auto_pay)["autoPay"] == {"enabled": True}


def test_a_wrong_mfa_code_is_bdc_1356(v3_session: RawV3) -> None:
    challenge = v3_session.ok("POST", "/v3/mfa/challenge", {})["challengeId"]
    body = {"challengeId": challenge, "token": "000000"}
    assert v3_session.refused("POST", "/v3/mfa/challenge/validate", 400, body)[0] == "BDC_1356"


def test_a_remembered_device_signs_in_trusted_on_both_faces(
    v3_session: RawV3, raw: Raw, served: RunningEmulator
) -> None:
    remember_me = _trust(v3_session, remember=True)["rememberMeId"]
    again = RawV3(served.v3_base_url, v3_session.emulator, v3_session.http)
    trusted = again.login(extra={"rememberMeId": remember_me, "device": "ci"})
    assert trusted.json()["trusted"] is True
    assert (
        again.login(extra={"rememberMeId": remember_me, "device": "other"}).json()["trusted"]
        is False
    )
    # The remembered id is the v2 face's mfaId too.
    assert raw.login(extra={"mfaId": remember_me, "deviceId": "ci"})["response_status"] == 0
    assert raw.ok("MFAStatus.json", {"mfaId": remember_me, "deviceId": "ci"}) == {"isTrusted": True}
    # Step-up trusts an open session with it.
    fresh = RawV3(served.v3_base_url, v3_session.emulator, v3_session.http)
    assert fresh.login().json()["trusted"] is False
    step = {"rememberMeId": remember_me, "device": "ci"}
    assert fresh.ok("POST", "/v3/mfa/step-up", step) == {"trusted": True}
    assert fresh.refused("POST", "/v3/mfa/step-up", 400, {**step, "device": "x"})[0] == ("BDC_1356")


def test_token_sessions_are_refused_what_the_table_forbids(v3: RawV3, emulator: Emulator) -> None:
    assert v3.login(emulator.token_org_id, token=True).status_code == 200
    code, message = v3.refused("POST", "/v3/mfa/challenge", 403, {})
    assert code == TOKEN_REFUSED == "BDC_1160"
    assert "MFA" in message
    assert v3.refused("POST", "/v3/payments", 403, {})[0] == TOKEN_REFUSED
    auto_pay = {"name": "Auto", "autoPay": {"enabled": True}}
    assert v3.refused("POST", "/v3/vendors", 403, auto_pay)[0] == TOKEN_REFUSED
    assert v3.ok("POST", "/v3/vendors", {"name": "Token-made"})["name"] == "Token-made"


def test_five_messages_a_minute(v3_session: RawV3, emulator: Emulator) -> None:
    clock = ManualClock()
    emulator.reset(attrs.evolve(SMALL, clock=clock))
    assert v3_session.login().status_code == 200
    for _ in range(5):
        v3_session.ok("POST", "/v3/mfa/challenge", {})
    code, message = v3_session.refused("POST", "/v3/mfa/challenge", 429, {})
    assert code is None
    assert message == "Max number of messages per minute reached: 5."
    v3_session.ok("GET", "/v3/mfa/phones")  # other calls are not counted
    clock.advance(60)
    v3_session.ok("POST", "/v3/mfa/challenge", {})


def test_the_config_sets_the_message_limit() -> None:
    assert EmulatorConfig().messages_per_minute == 5


def test_the_banner_and_the_served_emulator_name_the_v3_base(
    emulator: Emulator, served: RunningEmulator
) -> None:
    from bill_async.emulator._server import banner

    lines = banner(emulator, "http://127.0.0.1:8089/api/v2").splitlines()
    assert lines[1] == "BILL v3 (the same data) on http://127.0.0.1:8089/connect"
    webhooks = "  webhooks     http://127.0.0.1:8089/connect-events/v3 (delivers to http:// on"
    assert [line for line in lines if line.startswith(webhooks)]
    assert served.v3_base_url == served.base_url.removesuffix("/api/v2") + "/connect"
