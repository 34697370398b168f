"""The pipeline every request goes through, in layers, the same for every wire dialect.

    request(op, call)                 the client is usable; the permission map (token sessions)
    │                                 and the MFA requirement: refused here, nothing is sent
    └ _with_retries                   loop over attempts; ``_retry.next_step`` decides what a
      │                               failure means (raise, renew the session, wait, back off)
      └ _in_session                   the hourly budget, then the session (single-flight sign-in);
        │                             touched, trusted, ended or invalidated by the answer
        └ _limited                    a governor slot (3 in flight per devKey and org);
          │                           BDC_1322 lowers it, BDC_1144 spends the budget
          └ _send_once                one request through the transport, within the call's
                                      deadline; hooks and logging; the dialect reads the answer

A call whose session BILL called invalid while it waited for its slot goes back for the new
session before sending (``_SessionEnded``); a sign-in that failed for everyone waiting for it
(``LoginFailed``) is tried again by each caller's own policy and deadline.

What is special about an operation is a column of its table row (``_operation``): the pipeline
never asks which operation it sends. Nothing is sent before the first checks pass: a refused
operation costs no request, not even a login.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, cast

import anyio
import attrs
import httpx
import sniffio

from .._exceptions import (
    AmbiguousWriteError,
    ApiError,
    BudgetExhaustedError,
    ClientStateError,
    ConcurrencyLimitError,
    MfaRequiredError,
    PoolTimeoutError,
    ProtocolError,
    RateLimitError,
    SessionExpiredError,
    TokenPermissionError,
    TransportError,
)
from .._transports._base import WireAnswer, WireRequest
from .._transports._sender import Sender
from ._auth import AuthStrategy
from ._dialect import Call, Dialect, SignedIn, StreamCall
from ._hooks import CAPTURED, CallEvent, Hooks, RawResponse
from ._limits import Budget, Governor, Limits, LimitStore, current_loop, top_of_next_hour
from ._operation import Count, Operation, Resend, SessionUse
from ._redact import fingerprint, redact_data
from ._retry import RetryPolicy, Step, next_step, retry_after
from ._sessions import LoginFailed, Session, SessionManager, SessionStore

__all__ = ["MESSAGES_PER_MINUTE", "Pipeline", "Settings", "Shared"]

MESSAGES_PER_MINUTE = 5  # BILL v3: calls that text or email someone

logger = logging.getLogger("bill_async")

# An answer came, good or bad, or none did: the failures the retry layer weighs.
_FAILURES = (ApiError, TransportError, ProtocolError)


class _SessionEnded(Exception):  # a signal between two layers, never shown
    """The call's session ended while the call waited for its slot: it was not sent."""


@attrs.frozen
class Settings:
    """A client family's configuration, fixed when the client is made."""

    retry: RetryPolicy
    limit_store: LimitStore
    session_store: SessionStore | None
    max_in_flight: int
    hourly_requests: int
    hourly_logins: int
    hooks: Hooks
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    rng: random.Random


class Shared:
    """What a client shares with the clients it makes (for other organizations, with other
    options): its settings, its connections, and the state they own."""

    def __init__(self, settings: Settings, sender: Sender) -> None:
        self.settings = settings
        self.sender = sender
        self.closed = False
        self.loop: object | None = None  # the event loop it was first used on
        self.requests_sent = 0  # every attempt sent, logins included, by this client family
        self.logins = 0  # sign-ins that gave a session, by this client family

    def check_usable(self) -> object:
        """Raises ClientStateError if closed or on another event loop; returns the loop."""
        if self.closed:
            raise ClientStateError("the client is closed")
        loop = current_loop()
        if self.loop is None:
            self.loop = loop
        elif self.loop is not loop:
            raise ClientStateError(
                "this client was opened on another event loop; create one client per event loop "
                "(its connections belong to the loop that opened them)"
            )
        return loop


@attrs.define
class _Tries:
    """One call's attempts so far."""

    started: float
    ends_at: float | None  # the policy's deadline, on the settings' clock
    login_seen: int  # the last sign-in attempt whose failure this call has seen (or outlived)
    attempt: int = 0  # every send, for hooks and logs
    retries: int = 0  # sends after a failure that may pass, counted against the policy
    renewed: bool = False  # the last attempt was a replay after BDC_1109
    had_session: bool = False  # the last attempt was sent in a session
    sent_at: float = 0.0  # when the last attempt was sent, on the strategy's clock


class Pipeline:
    """One organization's calls through one dialect: what a client delegates every call to."""

    def __init__(
        self,
        auth: AuthStrategy,
        dialect: Dialect,
        shared: Shared,
        *,
        sessions: SessionManager | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        settings = shared.settings
        self.auth = auth
        self.dialect = dialect
        self.shared = shared
        self.retry = retry if retry is not None else settings.retry
        self.timeout = timeout  # None: the client's
        # Masked wherever an error would show them, in whatever shape a server echoes them.
        self.secrets = auth.credentials().secrets
        self.sessions = sessions or SessionManager(
            auth,
            self._sign_in,
            store=settings.session_store,
            wall_clock=settings.wall_clock,
            key=dialect.session_key(auth),
        )
        dev = fingerprint(auth.dev_key)
        # BILL counts per devKey whatever the API: these keys are the same for every dialect.
        self._governor_key = f"{dev}:{auth.org_id}"
        self._budget_keys = {Count.REQUEST: f"{dev}:requests", Count.LOGIN: f"{dev}:logins"}
        self._message_key = f"{dev}:messages"
        self._governor_cache: tuple[object, Governor] | None = None

    def with_options(
        self, *, retry: RetryPolicy | None = None, timeout: httpx.Timeout | None = None
    ) -> Pipeline:
        """This pipeline with another retry policy or timeout, sharing its session."""
        return Pipeline(
            self.auth,
            self.dialect,
            self.shared,
            sessions=self.sessions,
            retry=retry or self.retry,
            timeout=timeout or self.timeout,
        )

    # -- what is checked before anything is sent ---------------------------------------------

    def check_allowed(self, op: Operation) -> None:
        """The permission map and the MFA requirement: refused here, nothing is sent."""
        if self.auth.is_token:
            if op.token_rule is not None:
                raise TokenPermissionError(op.name, op.token_rule.text)
        elif op.needs_mfa and not self.sessions.is_trusted():
            raise MfaRequiredError(op.name)

    # -- entry points ------------------------------------------------------------------------

    async def request(self, op: Operation, call: Call, *, policy: RetryPolicy | None = None) -> Any:
        """Send ``call`` of ``op`` through every layer; returns what the dialect decoded."""
        self.shared.check_usable()
        self.check_allowed(op)
        return await self._with_retries(op, call, policy or self.retry)

    @asynccontextmanager
    async def stream(
        self, op: Operation, call: StreamCall, *, policy: RetryPolicy | None = None
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        """``request`` for a streamed answer: yields its chunks; the governor slot and the
        response are held until the block ends."""
        async with call.keep_open:
            chunks: AsyncIterator[bytes] = await self.request(op, call, policy=policy)
            yield chunks

    async def _sign_in(self) -> SignedIn:
        credentials = self.auth.credentials()
        call = self.dialect.sign_in_call(credentials)
        # One attempt: its failure reaches every caller waiting for the session, and each
        # tries again by its own policy (``_with_retries``); retrying here as well would
        # multiply the logins (and the hourly login budget) by the retries of both.
        once = attrs.evolve(self.retry, max_retries=0)
        result = await self._with_retries(self.dialect.sign_in, call, once)
        signed_in = self.dialect.signed_in(result, credentials)
        self.shared.logins += 1
        return signed_in

    async def sign_in(self) -> None:
        """Sign in now (``client.login()``), trying again by this pipeline's policy."""
        self.shared.check_usable()
        self.sessions.forget_refusal()
        tries = self._tries(self.retry)
        while True:
            try:
                await self.sessions.get(seen=tries.login_seen)
                return
            except LoginFailed as failed:
                failure, step = self._login_failure(failed, self.retry, tries)
            delay = self._delay(step, failure, self.retry, tries)
            await self._pause(step, self.dialect.sign_in, delay)

    # -- the layers --------------------------------------------------------------------------

    def _tries(self, policy: RetryPolicy) -> _Tries:
        started = self.shared.settings.clock()
        ends_at = None if policy.deadline is None else started + policy.deadline
        return _Tries(started=started, ends_at=ends_at, login_seen=self.sessions.login_attempts)

    async def _with_retries(self, op: Operation, call: Call, policy: RetryPolicy) -> Any:
        tries = self._tries(policy)
        while True:
            try:
                return await self._in_session(op, call, policy, tries)
            except LoginFailed as failed:
                # The call was not sent: whatever it is, it may try again once signed in.
                failure, step = self._login_failure(failed, policy, tries)
                delay = self._delay(step, failure, policy, tries)
            except _FAILURES as failed:
                failure = failed
                step = next_step(
                    failure,
                    op.resend,
                    had_session=tries.had_session,
                    renewed=tries.renewed,
                    wait_on_hourly_limit=policy.wait_on_hourly_limit,
                )
                tries.renewed = step is Step.RENEW_SESSION
                if step is Step.RAISE:
                    raise
                if step is Step.RAISE_AMBIGUOUS:
                    reason = f"{type(failure).__name__}: {failure}"
                    raise AmbiguousWriteError(op.name, redact_data(call.data), reason) from failed
                delay = self._delay(step, failure, policy, tries)
            if self.shared.settings.hooks.any:
                await self._emit("retry", op, tries, error=failure, delay=delay)
            await self._pause(step, op, delay)

    def _login_failure(
        self, failed: LoginFailed, policy: RetryPolicy, tries: _Tries
    ) -> tuple[Exception, Step]:
        """What a failed sign-in means for a call that needed it: raises a final failure
        (refused credentials, a spent budget), or says how to wait before trying again."""
        tries.login_seen = failed.attempt
        failure = failed.error
        step = Step.RAISE
        if isinstance(failure, _FAILURES):
            step = next_step(
                failure,
                Resend.AFTER_ANY_FAILURE,  # Login.json runs nothing: it may always be resent
                had_session=False,
                renewed=False,
                wait_on_hourly_limit=policy.wait_on_hourly_limit,
            )
        if step is Step.RAISE:
            raise failure from failure.__cause__  # as the sign-in raised it, for every waiter
        return failure, step

    async def _pause(self, step: Step, op: Operation, delay: float) -> None:
        if step is Step.WAIT_FOR_HOUR:
            await self._wait_for_hour(op)
        elif delay:
            await anyio.sleep(delay)

    def _delay(self, step: Step, failure: Exception, policy: RetryPolicy, tries: _Tries) -> float:
        """Seconds to wait before the next attempt; raises ``failure`` when none may follow."""
        if step is Step.RENEW_SESSION:
            return 0.0  # BILL refused the call, so it did not run: replay it at once
        if step is Step.WAIT_FOR_HOUR:
            assert isinstance(failure, RateLimitError) and failure.reset_at is not None
            return failure.reset_at.timestamp() - self.shared.settings.wall_clock()
        tries.retries += 1
        if tries.retries > policy.max_retries:
            raise failure
        delay = policy.backoff(tries.retries, self.shared.settings.rng)
        asked = getattr(failure, "retry_after", None)  # an HTTP 429's (or 503's) Retry-After
        if asked is not None:
            delay = max(delay, asked)
        if tries.ends_at is not None and delay >= tries.ends_at - self.shared.settings.clock():
            raise failure  # the next attempt would start at or after the deadline
        return delay

    async def _in_session(
        self, op: Operation, call: Call, policy: RetryPolicy, tries: _Tries
    ) -> Any:
        if self.shared.closed:
            raise ClientStateError("the client was closed while the call was in progress")
        session: Session | None = None
        if op.session is SessionUse.ENDS:
            session = self.sessions.current
            if session is None:
                return None  # nothing is signed in: nothing to end, and nothing is sent
        await self._take_budget(op, policy)
        while True:
            if op.session is SessionUse.IN_SESSION or op.session is SessionUse.TRUSTS:
                session = await self.sessions.get(seen=tries.login_seen)
                self.check_allowed(op)  # a new session may not be MFA-trusted
            tries.had_session = session is not None
            try:
                result = await self._limited(op, call, session, tries)
            except _SessionEnded:
                if op.session is SessionUse.ENDS:
                    return None  # another call learnt it had ended: nothing left to end
                continue  # not sent: go on with the session that replaces it
            except SessionExpiredError:
                if session is not None:
                    await self.sessions.invalidate(session)
                    if op.session is SessionUse.ENDS:
                        return None  # BILL no longer knows the session: nothing left to end
                raise
            except ApiError:
                if session is not None:
                    await self.sessions.touch(session, tries.sent_at)  # BILL answered: alive
                raise
            break
        if session is not None:
            await self.sessions.touch(session, tries.sent_at)
            if op.session is SessionUse.TRUSTS:
                await self.sessions.mark_trusted(session)
            elif op.session is SessionUse.ENDS:
                await self.sessions.invalidate(session)
        return result

    async def _limited(
        self, op: Operation, call: Call, session: Session | None, tries: _Tries
    ) -> Any:
        governor = self._governor()
        try:
            if call.streams:
                result = await self._send_keeping_slot(op, call, session, tries)
            else:
                async with governor.slot():
                    self._check_sendable(session)
                    request = call.request(session)
                    result = await self._send_once(op, call, request, session, tries)
        except ConcurrencyLimitError:
            governor.refused()
            raise
        except RateLimitError as error:
            governor.succeeded()
            now = self.shared.settings.wall_clock()
            error.reset_at = top_of_next_hour(now)
            await self._budget(op.counts_as).exhaust(now)
            raise
        except ApiError:
            governor.succeeded()
            raise
        governor.succeeded()
        return result

    async def _send_keeping_slot(
        self, op: Operation, call: Call, session: Session | None, tries: _Tries
    ) -> Any:
        """``_send_once`` for a streamed answer: the slot is held until the caller is done."""
        async with AsyncExitStack() as slot:
            await slot.enter_async_context(self._governor().slot())
            self._check_sendable(session)
            request = call.request(session)
            result = await self._send_once(op, call, request, session, tries)
            await cast(StreamCall, call).keep_open.enter_async_context(slot.pop_all())
        return result

    def _check_sendable(self, session: Session | None) -> None:
        """What may have changed while the call waited for its slot."""
        if self.shared.closed:
            raise ClientStateError(
                "the client was closed while the call was in progress; it was not sent"
            )
        if session is not None and session.ended:
            raise _SessionEnded  # BILL called it invalid meanwhile: sending would be refused

    async def _send_once(
        self,
        op: Operation,
        call: Call,
        request: WireRequest,
        session: Session | None,
        tries: _Tries,
    ) -> Any:
        shared = self.shared
        hooks = shared.settings.hooks.any
        time_left = self._time_left(tries)
        if time_left is not None and time_left <= 0:
            # Waiting for the session or the slot took it all: nothing was sent.
            raise PoolTimeoutError(f"{op.name}: the call's deadline passed before it was sent")
        tries.attempt += 1
        if hooks:
            await self._emit("request", op, tries)
        shared.requests_sent += 1
        tries.sent_at = self.auth.clock()  # the session's idle time runs on the strategy's clock
        status: int | None = None
        secrets = self._secrets_with(session)
        try:
            if call.streams:
                opened = cast(StreamCall, call).open(shared.sender, request, secrets)
                status, result = await opened
            else:
                answer = await shared.sender.send(request, op.name, self.timeout, time_left)
                status = answer.status
                capture = CAPTURED.get()
                if capture is not None:
                    capture.append(RawResponse.of(op.name, tries.attempt, answer, secrets))
                result = self._decode(op, call, answer, secrets)
        except _FAILURES as failure:
            self._log(op, tries, status, failure)
            if hooks:
                await self._emit("response", op, tries, status, failure)
            raise
        self._log(op, tries, status, None)
        if hooks:
            await self._emit("response", op, tries, status)
        return result

    def _time_left(self, tries: _Tries) -> float | None:
        """Seconds the attempt may take in all, by the policy's deadline (None: no deadline)."""
        if tries.ends_at is None:
            return None
        return max(0.0, tries.ends_at - self.shared.settings.clock())

    def _decode(self, op: Operation, call: Call, answer: WireAnswer, secrets: Sequence[str]) -> Any:
        """The dialect's reading of ``answer``, with what the core knows of HTTP added."""
        try:
            return call.decode(answer, secrets)
        except ProtocolError as error:
            if answer.status in (429, 503):  # a gateway's "busy": it may say for how long
                error.retry_after = retry_after(answer.headers, self.shared.settings.wall_clock())
            raise
        except RecursionError:  # a hostile or broken server's nesting, in any dialect
            raise ProtocolError(
                "the answer is nested too deeply to read",
                status_code=answer.status,
                body="",
                operation=op.name,
            ) from None

    # -- limits ------------------------------------------------------------------------------

    def _governor(self) -> Governor:
        # The family's loop, which every request checked it runs on (``check_usable``).
        loop = self.shared.loop or current_loop()
        cached = self._governor_cache
        if cached is not None and cached[0] is loop:
            return cached[1]
        settings = self.shared.settings
        governor = settings.limit_store.governor(self._governor_key, settings.max_in_flight)
        self._governor_cache = (loop, governor)
        return governor

    def _budget(self, count: Count) -> Budget:
        settings = self.shared.settings
        limit = settings.hourly_logins if count is Count.LOGIN else settings.hourly_requests
        return settings.limit_store.budget(self._budget_keys[count], limit)

    async def _take_budget(self, op: Operation, policy: RetryPolicy) -> None:
        if op.sends_message:
            await self._take_message(op, policy)
        budget = self._budget(op.counts_as)
        wall_clock = self.shared.settings.wall_clock
        while not await budget.take(wall_clock()):
            if not policy.wait_on_hourly_limit:
                raise BudgetExhaustedError(
                    "BDC_1144",
                    f"the hourly budget of {budget.limit} {op.counts_as.value} for this devKey "
                    "is spent (as counted here, or as BILL said with BDC_1144)",
                    op.name,
                    top_of_next_hour(wall_clock()),
                )
            await self._wait_for_hour(op)

    async def _take_message(self, op: Operation, policy: RetryPolicy) -> None:
        """One of BILL's 5 a minute for calls that text or email: waited for, within the
        policy's deadline."""
        settings = self.shared.settings
        window = settings.limit_store.window_budget(self._message_key, MESSAGES_PER_MINUTE, 60.0)
        started = settings.clock()
        while wait := window.take(settings.wall_clock()):
            deadline = policy.deadline
            if deadline is not None and settings.clock() - started + wait > deadline:
                raise BudgetExhaustedError(
                    "BDC_1144",
                    f"BILL allows {MESSAGES_PER_MINUTE} calls a minute that text or email, and "
                    f"the next is {wait:.0f} s away, past the retry policy's deadline",
                    op.name,
                )
            logger.info("%s: waiting %.1f s for BILL's limit on messages", op.name, wait)
            await anyio.sleep(wait)

    async def _wait_for_hour(self, op: Operation) -> None:
        now = self.shared.settings.wall_clock()
        wait = top_of_next_hour(now).timestamp() - now + 1.0
        logger.warning(
            "%s: BILL's hourly limit is reached; waiting %.0f s for the next hour", op.name, wait
        )
        await anyio.sleep(wait)

    def limits(self) -> Limits:
        """In flight for this organization, and this hour's use of the devKey's budgets."""
        settings = self.shared.settings
        now = settings.wall_clock()
        requests, logins = self._budget(Count.REQUEST), self._budget(Count.LOGIN)
        try:
            governor: Governor | None = self._governor()
        except sniffio.AsyncLibraryNotFoundError:  # read outside the event loop
            governor = None
        requests_used, logins_used = requests.used(now), logins.used(now)
        return Limits(
            in_flight=governor.in_flight if governor else 0,
            max_in_flight=governor.limit if governor else settings.max_in_flight,
            requests_used=requests_used,
            requests_remaining=max(0, requests.limit - requests_used),
            logins_used=logins_used,
            logins_remaining=max(0, logins.limit - logins_used),
            reset_at=top_of_next_hour(now),
        )

    # -- what is shown -----------------------------------------------------------------------

    def _secrets_with(self, session: Session | None) -> Sequence[str]:
        """The values an error made of BILL's answer must not show."""
        return self.secrets if session is None else (*self.secrets, session.session_id)

    def secrets_now(self) -> Sequence[str]:
        """The values to mask in errors made outside a request (bulk items, pages)."""
        return self._secrets_with(self.sessions.current)

    def _log(
        self, op: Operation, tries: _Tries, status: int | None, error: BaseException | None
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        outcome = "ok" if error is None else f"{type(error).__name__}: {error}"
        logger.debug(
            "%s org=%s attempt=%d status=%s time=%.1fms %s",
            op.name,
            self.auth.org_id,
            tries.attempt,
            status,
            (self.shared.settings.clock() - tries.started) * 1000,
            outcome,
        )

    async def _emit(
        self,
        event: str,
        op: Operation,
        tries: _Tries,
        status: int | None = None,
        error: BaseException | None = None,
        delay: float | None = None,
    ) -> None:
        await self.shared.settings.hooks.emit(
            CallEvent(
                event=event,
                operation=op.name,
                org_id=self.auth.org_id,
                attempt=tries.attempt,
                elapsed=self.shared.settings.clock() - tries.started,
                status_code=status,
                error=error,
                delay=delay,
            )
        )
