"""Sessions: lazy single-flight login, idle re-login, BDC_1109 replay, logout, tokens, MFA,
ListOrgs."""

from __future__ import annotations

import anyio
import pytest

import bill_async
from bill_async._core._auth import DEFAULT_IDLE_TIMEOUT, IDLE_SAFETY_MARGIN
from bill_async._core._dialect import SignedIn
from tests.fakebill import (
    BASE_URL,
    DEV_KEY,
    ORG,
    PASSWORD,
    FakeBill,
    ManualClock,
    Seen,
    client,
    credential,
    error,
    fixture,
    ok,
    token,
)

VENDOR = fixture("Crud_Read_Vendor")
FAST = bill_async.RetryPolicy(base_delay=0.001, max_delay=0.002)  # retries that cost no time


def vendor_fake(**options: float) -> FakeBill:
    fake = FakeBill(**options)  # type: ignore[arg-type]
    fake.on("Crud/Read/Vendor.json", ok(VENDOR))
    return fake


@pytest.mark.anyio
async def test_nothing_logs_in_before_the_first_call() -> None:
    fake = vendor_fake()
    async with client(fake):
        pass
    assert fake.seen == []


@pytest.mark.anyio
async def test_100_concurrent_calls_on_a_fresh_client_make_one_login() -> None:
    fake = vendor_fake(latency=0.01)
    slow_login = fake._login

    async def login(seen: Seen) -> object:
        await anyio.sleep(0.05)  # every caller arrives while the login is in flight
        return slow_login(seen)

    fake.login_answer = login
    async with client(fake, max_in_flight=100) as bill, anyio.create_task_group() as group:
        for _ in range(100):
            group.start_soon(bill.vendors.read, "009x")
    assert fake.logins == 1
    assert fake.count("Crud/Read/Vendor.json") == 100
    assert set(fake.sessions_used("Crud/Read/Vendor.json")) == {"!session-SECRET-1"}


@pytest.mark.anyio
async def test_a_failed_login_reaches_every_waiter_as_the_same_error() -> None:
    fake = vendor_fake()

    async def refuse(seen: Seen) -> object:
        await anyio.sleep(0.02)
        return error("BDC_1101", "User name and/or password do not match our records.")

    fake.login_answer = refuse
    errors: list[BaseException] = []

    async def read(bill: bill_async.Client) -> None:
        try:
            await bill.vendors.read("009x")
        except bill_async.BillError as caught:
            errors.append(caught)

    async with client(fake) as bill, anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(read, bill)
    assert fake.logins == 1
    assert len(errors) == 20
    assert all(type(e) is bill_async.AuthenticationError for e in errors)
    assert len({id(e) for e in errors}) == 1
    assert fake.count("Crud/Read/Vendor.json") == 0


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("auth", "code"),
    [
        (
            bill_async.CredentialLogin(
                user_name="ap@example.com", password="wrong", org_id=ORG, dev_key=DEV_KEY
            ),
            "BDC_1101",
        ),
        (
            bill_async.CredentialLogin(
                user_name="ap@example.com", password=PASSWORD, org_id=ORG, dev_key="bad-key"
            ),
            "BDC_1102",
        ),
    ],
)
async def test_bad_credentials_raise_authentication_error(
    auth: bill_async.CredentialLogin, code: str
) -> None:
    fake = vendor_fake()
    async with client(fake, auth) as bill:
        with pytest.raises(bill_async.AuthenticationError) as caught:
            await bill.vendors.read("009x")
        # Not a not-found, not a generic error, and not retried.
        assert caught.value.code == code
        assert caught.value.operation == "Login.json"
        with pytest.raises(bill_async.AuthenticationError):
            await bill.login()
    assert fake.paths() == ["Login.json", "Login.json"]


@pytest.mark.anyio
async def test_idle_session_is_renewed_before_sending() -> None:
    clock = ManualClock()
    fake = vendor_fake()
    async with client(fake, credential(clock=clock)) as bill:
        await bill.vendors.read("009x")
        clock.advance(10 * 60)
        await bill.vendors.read("009x")
        assert fake.logins == 1
        clock.advance(36 * 60)
        await bill.vendors.read("009x")
    # A new login before the call, and no round trip spent on BDC_1109.
    assert fake.paths() == [
        "Login.json",
        "Crud/Read/Vendor.json",
        "Crud/Read/Vendor.json",
        "Login.json",
        "Crud/Read/Vendor.json",
    ]
    assert fake.seen[-1].form["sessionId"] == "!session-SECRET-2"


@pytest.mark.anyio
async def test_the_idle_window_slides_with_each_call_and_keeps_a_margin() -> None:
    clock = ManualClock()
    fake = vendor_fake()
    async with client(fake, credential(clock=clock)) as bill:
        for _ in range(5):  # 5 x 30 idle minutes, each under the limit: one session
            await bill.vendors.read("009x")
            clock.advance(30 * 60)
        assert fake.logins == 1
        # Inside the safety margin before 35 minutes: renewed before sending.
        clock.advance(DEFAULT_IDLE_TIMEOUT - IDLE_SAFETY_MARGIN - 30 * 60)
        await bill.vendors.read("009x")
    assert fake.logins == 2


@pytest.mark.anyio
async def test_token_session_never_idles_out() -> None:
    clock = ManualClock()
    fake = vendor_fake()
    async with client(fake, token(clock=clock)) as bill:
        await bill.vendors.read("009x")
        clock.advance(10 * 3600)
        await bill.vendors.read("009x")
    assert fake.logins == 1
    assert fake.seen[0].form["userName"] == "nightly-sync"


@pytest.mark.anyio
@pytest.mark.parametrize("make_auth", [credential, token])
async def test_bdc_1109_mid_run_means_one_relogin_and_one_replay(make_auth: object) -> None:
    fake = vendor_fake()
    expired = {"!session-SECRET-1"}
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: (
            error("BDC_1109", "Session is invalid. Please log in.")
            if seen.form["sessionId"] in expired
            else ok(VENDOR)
        ),
    )
    async with client(fake, make_auth()) as bill:  # type: ignore[operator]
        vendor = await bill.vendors.read("009x")
    assert vendor.id == VENDOR["id"]
    assert fake.paths() == [
        "Login.json",
        "Crud/Read/Vendor.json",
        "Login.json",
        "Crud/Read/Vendor.json",
    ]


@pytest.mark.anyio
async def test_bdc_1109_twice_in_a_row_raises_session_expired() -> None:
    fake = vendor_fake()
    fake.on("Crud/Create/Vendor.json", error("BDC_1109", "Session is invalid. Please log in."))
    async with client(fake) as bill:
        with pytest.raises(bill_async.SessionExpiredError) as caught:
            await bill.vendors.create(name="x")
    assert caught.value.code == "BDC_1109"
    assert fake.paths() == [
        "Login.json",
        "Crud/Create/Vendor.json",
        "Login.json",
        "Crud/Create/Vendor.json",
    ]


@pytest.mark.anyio
async def test_two_1109s_not_in_a_row_are_each_replayed() -> None:
    fake = FakeBill()
    answers = iter(
        [error("BDC_1109", "x"), error("BDC_1322", "busy"), error("BDC_1109", "x"), ok(VENDOR)]
    )
    fake.on("Crud/Read/Vendor.json", lambda seen: next(answers))
    events: list[bill_async.CallEvent] = []
    async with client(fake, retry=FAST, event_hooks={"retry": [events.append]}) as bill:
        assert (await bill.vendors.read("009x")).id == VENDOR["id"]
    assert fake.count("Crud/Read/Vendor.json") == 4
    assert fake.logins == 3
    assert [type(e.error).__name__ for e in events] == [
        "SessionExpiredError",
        "ConcurrencyLimitError",
        "SessionExpiredError",
    ]


@pytest.mark.anyio
async def test_an_old_session_failure_does_not_discard_a_newer_session() -> None:
    fake = vendor_fake()
    async with client(fake) as bill:
        manager = bill.session_manager
        old = await manager.get()
        await manager.invalidate(old)
        new = await manager.get()
        assert new is not old
        await manager.invalidate(old)  # a late BDC_1109 seen with the old session
        assert manager.current is new
        assert await manager.get() is new
    assert fake.logins == 2


@pytest.mark.anyio
async def test_the_client_never_logs_out_on_its_own() -> None:
    fake = vendor_fake()
    fake.on("Logout.json", ok({}))
    async with client(fake) as bill:
        await bill.vendors.read("009x")
    assert "Logout.json" not in fake.paths()
    async with client(fake) as bill:
        await bill.vendors.read("009x")
        await bill.aclose(logout=True)
    assert fake.paths()[-1] == "Logout.json"


@pytest.mark.anyio
async def test_logout_of_a_session_bill_forgot_does_not_log_in_again() -> None:
    fake = FakeBill()
    fake.on("Logout.json", error("BDC_1109", "Session is invalid."))
    fake.on("GetSessionInfo.json", ok({}))
    async with client(fake) as bill:
        await bill.session.get_info()
        await bill.logout()
    assert fake.paths() == ["Login.json", "GetSessionInfo.json", "Logout.json"]


@pytest.mark.anyio
async def test_logout_with_no_session_open_sends_nothing_by_either_path() -> None:
    fake = FakeBill()
    fake.on("Logout.json", ok({}))
    fake.on("GetSessionInfo.json", ok({}))
    async with client(fake) as bill:
        await bill.session.logout()  # the generated method: it used to sign in, then log out
        await bill.logout()
        assert fake.paths() == []
        await bill.session.get_info()
        await bill.session.logout()
        assert bill.session_manager.current is None
        await bill.logout()  # ended already: nothing more is sent
    assert fake.paths() == ["Login.json", "GetSessionInfo.json", "Logout.json"]


@pytest.mark.anyio
async def test_list_orgs_needs_no_session() -> None:
    fake = FakeBill()
    fake.on(
        "ListOrgs.json", ok([{"orgId": ORG, "orgName": "Acme"}, {"orgId": "008b", "orgName": "B"}])
    )
    async with client(fake) as bill:
        orgs = await bill.list_orgs()
    assert [(o.org_id, o.org_name) for o in orgs] == [(ORG, "Acme"), ("008b", "B")]
    assert fake.paths() == ["ListOrgs.json"]
    assert fake.seen[0].form == {
        "devKey": DEV_KEY,
        "userName": "ap@example.com",
        "password": PASSWORD,
    }
    orgs = await bill_async.list_orgs(
        dev_key=DEV_KEY,
        user_name="ap@example.com",
        password=PASSWORD,
        base_url=BASE_URL,
        transport=fake.transport,
    )
    assert len(orgs) == 2


# -- MFA ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_mfa_operations_need_a_trusted_session() -> None:
    fake = FakeBill()
    fake.on("MFAChallenge.json", ok(fixture("MFAChallenge")))
    fake.on("MFAAuthenticate.json", ok(fixture("MFAAuthenticate")))
    fake.on("PayBills.json", ok({"sentPays": [{"entity": "SentPay", "id": "stp1"}]}))
    async with client(fake) as bill:
        with pytest.raises(bill_async.MfaRequiredError) as caught:
            await bill.payments.pay_bills(vendor_id="009x", bill_pays=[])
        assert caught.value.operation == "PayBills.json"
        assert fake.seen == []  # refused before sending, not even a login
        challenge = await bill.mfa.challenge(use_backup=False)
        answer = await bill.mfa.authenticate(
            challenge_id=challenge["challengeId"],
            token="123456",
            device_id="laptop-1",
            machine_name="laptop",
            remember_me=True,
        )
        assert answer["mfaId"].startswith("!b_")
        paid = await bill.payments.pay_bills(vendor_id="009x", bill_pays=[])
    assert [p.id for p in paid] == ["stp1"]
    assert fake.seen[2].data == {
        "challengeId": challenge["challengeId"],
        "token": "123456",
        "deviceId": "laptop-1",
        "machineName": "laptop",
        "rememberMe": True,
    }
    assert fake.paths() == [
        "Login.json",
        "MFAChallenge.json",
        "MFAAuthenticate.json",
        "PayBills.json",
    ]


@pytest.mark.anyio
async def test_remembered_mfa_id_gives_a_trusted_login() -> None:
    fake = FakeBill()
    fake.on("SendVendorInvite.json", ok({"requestId": "nrr1"}))
    auth = credential(mfa_id="!mfa-SECRET-4", device_id="laptop-1")
    async with client(fake, auth) as bill:
        await bill.network.send_vendor_invite(vendor_id="009x", email="v@x.com")
    assert fake.seen[0].form["mfaId"] == "!mfa-SECRET-4"
    assert fake.seen[0].form["deviceId"] == "laptop-1"
    assert fake.paths() == ["Login.json", "SendVendorInvite.json"]


@pytest.mark.anyio
async def test_a_new_session_after_idle_is_not_assumed_trusted() -> None:
    clock = ManualClock()
    fake = FakeBill()
    fake.on("MFAChallenge.json", ok(fixture("MFAChallenge")))
    fake.on("MFAAuthenticate.json", ok({"mfaId": None}))
    fake.on("PayBills.json", ok({"sentPays": []}))
    async with client(fake, credential(clock=clock)) as bill:
        await bill.mfa.challenge(use_backup=False)
        await bill.mfa.authenticate(challenge_id="!c", token="1", device_id="d")
        await bill.payments.pay_bills(bill_pays=[])
        clock.advance(40 * 60)
        with pytest.raises(bill_async.MfaRequiredError):
            await bill.payments.pay_bills(bill_pays=[])
    assert fake.count("PayBills.json") == 1


def test_strategies_are_immutable_configuration() -> None:
    auth = credential()
    with pytest.raises(AttributeError):
        auth.org_id = "other"  # type: ignore[misc]
    other = auth.for_org("00802OTHER0000000000")
    assert (other.org_id, auth.org_id) == ("00802OTHER0000000000", ORG)
    assert isinstance(other, bill_async.CredentialLogin)
    assert bill_async.TokenLogin("n", "v", ORG, DEV_KEY).is_token
    assert not bill_async.CredentialLogin("u", "p", ORG, DEV_KEY).is_token
    with pytest.raises(ValueError, match="idle_timeout"):
        credential(idle_timeout=0)


def test_base_url_of_the_fake_is_not_production() -> None:
    assert BASE_URL != bill_async.PRODUCTION_URL


# -- a shared session store -----------------------------------------------------------------------


@pytest.mark.anyio
async def test_clients_sharing_a_session_store_log_in_once() -> None:
    fake = vendor_fake(latency=0.005)
    store = bill_async.InProcessSessionStore()
    clients = [client(fake, session_store=store) for _ in range(5)]
    async with anyio.create_task_group() as group:
        for bill in clients:
            for _ in range(4):
                group.start_soon(bill.vendors.read, "009x")
    assert fake.logins == 1
    assert set(fake.sessions_used("Crud/Read/Vendor.json")) == {"!session-SECRET-1"}
    shared = await store.get(credential().session_key)
    assert shared is not None and shared.org_id == ORG
    assert "SECRET" not in repr(shared)
    for bill in clients:
        await bill.aclose()


@pytest.mark.anyio
async def test_an_invalid_shared_session_is_replaced_once_for_everyone() -> None:
    fake = vendor_fake()
    expired = {"!session-SECRET-1"}
    fake.on(
        "Crud/Read/Vendor.json",
        lambda seen: (
            error("BDC_1109", "Session is invalid.")
            if seen.form["sessionId"] in expired
            else ok(VENDOR)
        ),
    )
    store = bill_async.InProcessSessionStore()
    async with (
        client(fake, session_store=store) as first,
        client(fake, session_store=store) as second,
    ):
        await first.login()
        await second.vendors.read("009x")  # shares session 1, finds it invalid, replaces it
        await first.vendors.read("009x")  # its session 1 fails too: it adopts session 2
    assert fake.logins == 2
    assert fake.sessions_used("Crud/Read/Vendor.json") == [
        "!session-SECRET-1",
        "!session-SECRET-2",
        "!session-SECRET-1",
        "!session-SECRET-2",
    ]


@pytest.mark.anyio
async def test_a_shared_session_idle_for_too_long_is_not_adopted() -> None:
    wall = [1_000_000.0]
    clock = ManualClock()
    fake = vendor_fake()
    store = bill_async.InProcessSessionStore()
    auth = credential(clock=clock)
    async with client(fake, auth, session_store=store, wall_clock=lambda: wall[0]) as first:
        await first.vendors.read("009x")
    clock.advance(40 * 60)
    wall[0] += 40 * 60
    async with client(fake, auth, session_store=store, wall_clock=lambda: wall[0]) as second:
        await second.vendors.read("009x")
    assert fake.logins == 2


@pytest.mark.anyio
async def test_refused_credentials_are_not_tried_again_until_login() -> None:
    # Every Login.json with refused credentials spends the hourly login budget, and repeated
    # ones may lock the account: later calls raise the refusal again without sending.
    fake = vendor_fake()
    refusal = error("BDC_1101", "User name and/or password do not match our records.")
    fake.login_answer = lambda seen: refusal
    async with client(fake) as bill:
        for _ in range(5):
            with pytest.raises(bill_async.AuthenticationError) as caught:
                await bill.vendors.read("009x")
            assert caught.value.code == "BDC_1101" and caught.value.operation == "Login.json"
        assert fake.paths() == ["Login.json"]
        with pytest.raises(bill_async.AuthenticationError):
            await bill.login()  # asked for: one more try
        assert fake.paths() == ["Login.json", "Login.json"]
        fake.login_answer = None  # the credentials work again (say, an account unlocked)
        await bill.login()
        await bill.vendors.read("009x")
    assert fake.logins == 3


@pytest.mark.anyio
async def test_a_lockout_is_not_remembered_the_next_call_signs_in_again() -> None:
    # A locked organization or login passes: remembering it would refuse every later call
    # until someone called login(), long after BILL had lifted the lock.
    fake = vendor_fake()
    fake.login_answer = lambda seen: error("BDC_1107", "Organization is locked out.")
    async with client(fake) as bill:
        with pytest.raises(bill_async.LockedOutError) as caught:
            await bill.vendors.read("009x")
        assert caught.value.code == "BDC_1107" and not caught.value.permanent
        assert fake.paths() == ["Login.json"]
        fake.login_answer = lambda seen: error("BDC_1110", "Login is locked.")
        with pytest.raises(bill_async.LockedOutError):
            await bill.vendors.read("009x")
        assert fake.paths() == ["Login.json", "Login.json"]  # sent again, not replayed
        fake.login_answer = None  # the lock has passed
        await bill.vendors.read("009x")
    assert fake.paths() == ["Login.json", "Login.json", "Login.json", "Crud/Read/Vendor.json"]


@pytest.mark.anyio
async def test_an_inactive_dev_key_is_remembered_like_any_refused_sign_in() -> None:
    fake = vendor_fake()
    fake.login_answer = lambda seen: error("BDC_1103", "Developer key is inactive.")
    async with client(fake) as bill:
        for _ in range(3):
            with pytest.raises(bill_async.InactiveDevKeyError):
                await bill.vendors.read("009x")
    assert fake.paths() == ["Login.json"]


@pytest.mark.anyio
async def test_a_login_to_an_unreachable_organization_is_an_authentication_error() -> None:
    fake = vendor_fake()
    message = "Invalid parameter value for parameter,value: orgId, 00802NOTMINE."
    fake.login_answer = lambda seen: error("BDC_1129", message)
    async with client(fake) as bill:
        with pytest.raises(bill_async.AuthenticationError) as caught:
            await bill.vendors.read("009x")
        assert caught.value.message == message
        with pytest.raises(bill_async.AuthenticationError):
            await bill.vendors.read("009x")
    assert fake.paths() == ["Login.json"]  # remembered: not sent again


def _manager(org: str, answered: anyio.Event) -> bill_async._core._sessions.SessionManager:
    async def login() -> SignedIn:
        await answered.wait()
        return SignedIn(session_id=f"session-{org}", org_id=org)

    return bill_async._core._sessions.SessionManager(credential(org), login)


@pytest.mark.anyio
async def test_callers_waiting_for_a_login_wake_in_turn_across_organizations() -> None:
    # Woken all at once, every waiter of the first organization would run before the first
    # waiter of the second: thousands of calls ahead of the other organizations' first ones.
    answered = anyio.Event()
    managers = {"A": _manager("00801A", answered), "B": _manager("00801B", answered)}
    got: list[tuple[str, int, str]] = []

    async def get(name: str, index: int) -> None:
        session = await managers[name].get()
        got.append((name, index, session.session_id))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            for name in managers:
                for index in range(50):
                    group.start_soon(get, name, index)
            await anyio.wait_all_tasks_blocked()
            answered.set()
    assert len(got) == 100 and all(m.logins == 1 for m in managers.values())
    assert {s for name, _, s in got if name == "A"} == {"session-00801A"}
    names = [name for name, _, _ in got]
    # Each leader returns as its login answers; then B's first waiter comes before A's ninth.
    second_of_b = [i for i, name in enumerate(names) if name == "B"][1]
    tenth_of_a = [i for i, name in enumerate(names) if name == "A"][9]
    assert second_of_b < tenth_of_a


@pytest.mark.anyio
async def test_a_caller_cancelled_while_waiting_for_the_login_leaves_the_others_their_turn() -> (
    None
):
    answered = anyio.Event()
    manager = _manager(ORG, answered)
    got: list[int] = []
    scopes = [anyio.CancelScope() for _ in range(6)]

    async def get(index: int) -> None:
        with scopes[index]:
            await manager.get()
            got.append(index)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            for index in range(6):
                group.start_soon(get, index)
            await anyio.wait_all_tasks_blocked()
            scopes[2].cancel()  # waiting, not yet woken
            await anyio.wait_all_tasks_blocked()
            answered.set()
            await anyio.lowlevel.checkpoint()  # the leader (0) signs in and wakes 1
            scopes[3].cancel()  # woken or about to be: it must still wake the next
    assert 2 not in got and 0 in got and 1 in got and 5 in got
    assert manager.logins == 1
