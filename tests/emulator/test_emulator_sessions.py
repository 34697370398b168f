"""Sign-in, sessions, idle timeouts, MFA and token sessions, as the server enforces them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import attrs
import httpx
import pytest

from bill_async import TOKEN_PERMISSIONS
from bill_async.emulator import (
    DEMO_DEV_KEY,
    DEMO_MFA_CODE,
    DEMO_ORG_NAMES,
    DEMO_PASSWORD,
    DEMO_TOKEN_NAME,
    DEMO_TOKEN_VALUE,
    DEMO_USER_NAME,
    MFA_REQUIRED,
    TOKEN_REFUSED,
    Emulator,
    ManualClock,
    RunningEmulator,
)
from tests.emulator.rawhttp import SMALL, Raw, bill_obj, refusal_of


def test_login_answers_bill_envelope(raw: Raw) -> None:
    envelope = raw.login()
    assert envelope["response_status"] == 0 and envelope["response_message"] == "Success"
    data = envelope["response_data"]
    assert set(data) == {"sessionId", "orgId", "apiEndPoint", "usersId"}
    assert data["sessionId"].startswith("!")
    assert data["orgId"] == raw.emulator.org_ids[0]
    assert data["apiEndPoint"] == raw.base_url
    assert data["usersId"].startswith("006")
    assert raw.emulator.counters.logins == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"password": "wrong"}, "BDC_1101"),
        ({"userName": "nobody@example.com"}, "BDC_1101"),
        ({"devKey": "not-the-dev-key"}, "BDC_1102"),
        ({"orgId": "00802NOSUCHORGANIZAT"}, "BDC_1129"),
        ({"devKey": ""}, "BDC_1178"),
        ({"orgId": ""}, "BDC_1108"),
    ],
)
def test_bad_sign_ins_get_error_envelopes_with_http_200(
    raw: Raw, fields: dict[str, str], code: str
) -> None:
    form = {
        "userName": DEMO_USER_NAME,
        "password": DEMO_PASSWORD,
        "orgId": raw.emulator.org_ids[0],
        "devKey": DEMO_DEV_KEY,
        **fields,
    }
    response = raw.post("Login.json", form)
    assert response.status_code == 200
    envelope = response.json()
    assert envelope["response_status"] == 1
    assert envelope["response_data"]["error_code"] == code
    assert raw.emulator.counters.logins == 0
    assert not raw.emulator.state.sessions


def test_session_info_logout_and_unknown_sessions(session: Raw) -> None:
    org = session.emulator.org_ids[0]
    info = session.ok("GetSessionInfo.json")
    assert info == {"organizationId": org, "userId": session.emulator.user_id(org)}
    assert session.ok("Logout.json") == {}
    assert session.error("GetSessionInfo.json") == "BDC_1109"
    assert session.error("GetSessionInfo.json", session_id="!made-up") == "BDC_1109"


def test_a_session_is_tied_to_its_dev_key(session: Raw) -> None:
    response = session.post(
        "GetSessionInfo.json", {"devKey": "another-key", "sessionId": session.session_id}
    )
    assert response.json()["response_data"]["error_code"] == "BDC_1102"


def test_the_session_cookie_is_accepted_instead_of_the_field(session: Raw) -> None:
    response = session.http.post(
        "GetSessionInfo.json",
        data={"devKey": DEMO_DEV_KEY},
        headers={"Cookie": f"sid={session.session_id}"},
    )
    assert response.json()["response_status"] == 0


def test_list_orgs_lists_every_org_for_the_user_and_one_for_the_token(raw: Raw) -> None:
    def list_orgs(user: str, password: str) -> Any:
        fields = {"devKey": DEMO_DEV_KEY, "userName": user, "password": password}
        return raw.post("ListOrgs.json", fields).json()

    orgs = list_orgs(DEMO_USER_NAME, DEMO_PASSWORD)["response_data"]
    assert [org["orgName"] for org in orgs] == list(DEMO_ORG_NAMES)
    assert [org["orgId"] for org in orgs] == raw.emulator.org_ids
    assert all(org["orgId"].startswith("008") for org in orgs)
    token = list_orgs(DEMO_TOKEN_NAME, DEMO_TOKEN_VALUE)["response_data"]
    assert token == [{"orgId": raw.emulator.token_org_id, "orgName": DEMO_ORG_NAMES[0]}]
    wrong = list_orgs(DEMO_USER_NAME, "nope")
    assert wrong["response_data"]["error_code"] == "BDC_1101"


@pytest.fixture
def clock(emulator: Emulator) -> ManualClock:
    """The emulator with a 5 s idle timeout on a clock moved by hand."""
    clock = ManualClock()
    emulator.reset(attrs.evolve(SMALL, idle_timeout=5.0, clock=clock))
    return clock


def test_idle_credential_sessions_die_with_bdc_1109(raw: Raw, clock: ManualClock) -> None:
    raw.login()
    clock.advance(4)
    raw.ok("GetSessionInfo.json")  # the timeout slides: 4 s idle, then a call
    clock.advance(4)
    raw.ok("GetSessionInfo.json")
    clock.advance(5.5)
    assert raw.error("GetSessionInfo.json") == "BDC_1109"
    clock.advance(0.1)
    assert raw.error("GetSessionInfo.json") == "BDC_1109"  # dead for good
    assert raw.login()["response_status"] == 0
    raw.ok("GetSessionInfo.json")


def test_token_sessions_never_idle_out(raw: Raw, clock: ManualClock) -> None:
    raw.login(raw.emulator.token_org_id, token=True)
    clock.advance(10 * 24 * 3600)
    assert raw.ok("GetSessionInfo.json")["organizationId"] == raw.emulator.token_org_id


def test_token_sign_in_only_to_its_organization(raw: Raw) -> None:
    other = raw.emulator.org_ids[1]
    assert refusal_of(raw.login(other, token=True)) == (
        "BDC_1129",
        f"Invalid parameter value for parameter,value: orgId, {other}.",
    )


def test_token_sessions_get_the_permission_maps_refusals_from_the_server(raw: Raw) -> None:
    raw.login(raw.emulator.token_org_id, token=True)
    assert TOKEN_PERMISSIONS  # the map forbids something
    for path in TOKEN_PERMISSIONS:
        raw.emulator.reset_counters()
        assert raw.error(path, {}) == TOKEN_REFUSED, path
        assert raw.emulator.counters.errors == {TOKEN_REFUSED: 1}
    # Allowed operations work, including MFA-protected ones the token page grants.
    vendor = raw.create("Vendor", name="Token Vendor")
    account = raw.create(
        "VendorBankAccount",
        vendorId=vendor["id"],
        nameOnAcct="Token Vendor",
        accountNumber="123456789",
        routingNumber="021000021",
    )
    assert account["accountNumber"] == "******6789"


def test_token_refusal_changes_nothing(raw: Raw) -> None:
    raw.login(raw.emulator.token_org_id, token=True)
    vendor = raw.create("Vendor", name="Approved Vendor")
    bill = raw.ok("Crud/Create/Bill.json", {"obj": bill_obj(vendor["id"])})
    user = raw.emulator.user_id(raw.emulator.token_org_id)
    code = raw.error(
        "SetApprovers.json", {"objectId": bill["id"], "entity": "Bill", "approvers": [user]}
    )
    assert code == TOKEN_REFUSED
    assert raw.ok("Crud/Read/Bill.json", {"id": bill["id"]})["approvalStatus"] == "0"


def test_mfa_protected_operations_need_a_trusted_session(session: Raw) -> None:
    vendor = session.create("Vendor", name="Bank Vendor")
    account = {
        "entity": "VendorBankAccount",
        "vendorId": vendor["id"],
        "nameOnAcct": "Bank Vendor",
        "accountNumber": "000123456789",
        "routingNumber": "021000021",
    }
    assert session.error("Crud/Create/VendorBankAccount.json", {"obj": account}) == MFA_REQUIRED
    assert session.error("PayBills.json", {"billPays": []}) == MFA_REQUIRED
    challenge = session.ok("MFAChallenge.json", {"useBackup": False})["challengeId"]
    assert challenge.startswith("!")
    wrong = {"challengeId": challenge, "token": "000000", "deviceId": "d1", "rememberMe": False}
    assert session.error("MFAAuthenticate.json", wrong) == "BDC_1356"
    right = {**wrong, "token": DEMO_MFA_CODE}
    assert session.ok("MFAAuthenticate.json", right) == {}
    assert session.error("MFAAuthenticate.json", right) == "BDC_1356"  # a challenge is used once
    created = session.ok("Crud/Create/VendorBankAccount.json", {"obj": account})
    assert created["status"] == "1"
    assert session.ok("Crud/Read/Vendor.json", {"id": vendor["id"]})["payBy"] == "1"


def test_remember_me_gives_an_mfa_id_for_trusted_logins(session: Raw) -> None:
    challenge = session.ok("MFAChallenge.json", {"useBackup": True})["challengeId"]
    answer = session.ok(
        "MFAAuthenticate.json",
        {
            "challengeId": challenge,
            "token": DEMO_MFA_CODE,
            "deviceId": "laptop",
            "rememberMe": True,
        },
    )
    mfa_id = answer["mfaId"]
    assert session.ok("MFAStatus.json", {"mfaId": mfa_id, "deviceId": "laptop"}) == {
        "isTrusted": True
    }
    assert session.ok("MFAStatus.json", {"mfaId": mfa_id, "deviceId": "phone"}) == {
        "isTrusted": False
    }
    session.login(extra={"mfaId": mfa_id, "deviceId": "laptop"})
    assert session.error("PayBills.json", {"billPays": []}) != MFA_REQUIRED
    session.login(extra={"mfaId": mfa_id, "deviceId": "another"})
    assert session.error("PayBills.json", {"billPays": []}) == MFA_REQUIRED


def test_errors_json_needs_no_authentication(raw: Raw) -> None:
    response = raw.post("Errors.json", {})
    codes = {item["error_code"] for item in response.json()["response_data"]}
    assert {"BDC_1109", "BDC_1144", "BDC_1322", TOKEN_REFUSED, MFA_REQUIRED} <= codes


def test_a_host_that_is_not_the_emulators_own_is_refused(
    served: RunningEmulator, emulator: Emulator
) -> None:
    # DNS rebinding: a web page's own name, pointed at 127.0.0.1, must not reach the emulator.
    fields = {
        "userName": DEMO_USER_NAME,
        "password": DEMO_PASSWORD,
        "orgId": emulator.org_ids[0],
        "devKey": DEMO_DEV_KEY,
    }
    with httpx.Client(base_url=served.base_url + "/", timeout=10) as http:
        refused = http.post("Login.json", data=fields, headers={"Host": "evil.test:8089"})
        assert refused.status_code == 421
        assert "evil.test" not in refused.text  # nothing reflected
        assert emulator.counters.logins == 0
        for host in (f"127.0.0.1:{served.port}", f"localhost:{served.port}", "localhost"):
            answer = http.post("Login.json", data=fields, headers={"Host": host})
            assert answer.json()["response_status"] == 0, host
            assert answer.json()["response_data"]["apiEndPoint"].startswith(f"http://{host}/")


def test_a_name_given_in_allowed_hosts_is_answered(
    serve_emulator: Callable[..., AbstractContextManager[RunningEmulator]],
) -> None:
    config = attrs.evolve(SMALL, allowed_hosts=("Emulator.Internal",))
    fields = {"devKey": DEMO_DEV_KEY, "userName": DEMO_USER_NAME, "password": DEMO_PASSWORD}
    with (
        serve_emulator(config) as served,
        httpx.Client(base_url=served.base_url + "/", timeout=10) as http,
    ):
        ok_host = http.post("ListOrgs.json", data=fields, headers={"Host": "emulator.internal"})
        other = http.post("ListOrgs.json", data=fields, headers={"Host": "other.internal"})
    assert ok_host.json()["response_status"] == 0
    assert other.status_code == 421


def test_a_cross_site_form_post_gets_no_cookie_session(session: Raw) -> None:
    cookie = {"Cookie": f"sid={session.session_id}"}
    for cross_site in (
        {"Origin": "http://evil.test", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://evil.test"},  # an older browser: the Origin alone says it
        {"Sec-Fetch-Site": "same-site"},  # another port or name of the same site
    ):
        answer = session.http.post(
            "GetSessionInfo.json", data={"devKey": DEMO_DEV_KEY}, headers={**cookie, **cross_site}
        )
        assert answer.json()["response_data"]["error_code"] == "BDC_1109", cross_site
    # The session itself, sent as BILL's field, still works from anywhere.
    answer = session.http.post(
        "GetSessionInfo.json",
        data={"devKey": DEMO_DEV_KEY, "sessionId": session.session_id},
        headers={"Origin": "http://evil.test"},
    )
    assert answer.json()["response_status"] == 0


def test_the_session_cookie_is_same_site_only(raw: Raw) -> None:
    response = raw.post(
        "Login.json",
        {
            "userName": DEMO_USER_NAME,
            "password": DEMO_PASSWORD,
            "orgId": raw.emulator.org_ids[0],
            "devKey": DEMO_DEV_KEY,
        },
    )
    assert "SameSite=Strict" in response.headers["set-cookie"]
