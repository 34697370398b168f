"""Sessions: what a client holds once signed in, where sessions are shared, and the manager
that owns one organization's session.

- Lazy: nothing logs in until the first call that needs a session.
- Single flight: any number of concurrent callers that need a session cause one Login.json; the
  others wait for it and get its session, or the same error if it fails.
- Compare-and-swap: a caller that saw BDC_1109 with an old session invalidates only that session;
  a newer one that another caller already got is kept. A session BILL called invalid is marked
  ``ended`` at once (calls already holding it go back for the new one instead of sending on it),
  removed from the shared store by compare-and-delete before it is forgotten here, and never
  adopted from the store again (a sign-in that started before the delete reached the store
  would otherwise read it back).
- A failed sign-in reaches every caller that waited for it as ``LoginFailed``; each decides by
  its own retry policy and deadline whether to start another (the pipeline does). A caller that
  comes back after a newer attempt has already failed takes that failure as its own instead of
  signing in again, so that a crowd of callers costs one Login.json per round, not one each.
- Idle expiry (credential sessions only): BILL ends a session after 35 idle minutes. The manager
  logs in again *before* sending when the session has been idle for ``idle_timeout`` less
  ``IDLE_SAFETY_MARGIN`` (two minutes, to allow for clock drift and for the time a request spends
  on the way), rather than spending a round trip on BDC_1109.
"""

from __future__ import annotations

import abc
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import attrs

from .._exceptions import AuthenticationError
from ._auth import AuthStrategy, Clock
from ._dialect import SignedIn

__all__ = [
    "InProcessSessionStore",
    "LoginFailed",
    "Session",
    "SessionManager",
    "SessionStore",
    "StoredSession",
]


@attrs.define(eq=False)
class Session:
    """One signed-in BILL session. Owned by a ``SessionManager``; its id is never shown."""

    session_id: str = attrs.field(repr=False)
    org_id: str
    user_id: str | None
    api_endpoint: str | None
    last_used: float
    mfa_trusted: bool = False
    # What the dialect makes of the session once for all its calls (v2: the form fields every
    # call starts with, "devKey=...&sessionId=..."). Secret.
    cached_wire: Any = attrs.field(default=None, repr=False)
    # BILL called it invalid (or it was logged out): a call that still holds it must not send.
    ended: bool = False


@attrs.frozen
class StoredSession:
    """A session as a ``SessionStore`` keeps it for every worker that shares it."""

    session_id: str = attrs.field(repr=False)
    org_id: str
    user_id: str | None
    api_endpoint: str | None
    last_used: float  # POSIX seconds: comparable across processes and machines
    mfa_trusted: bool = False


class SessionStore(abc.ABC):
    """Where sessions are shared between clients (for example by every worker of a fleet).

    Keys are ``AuthStrategy.session_key`` values: they name a (devKey, org, user) without
    revealing any secret. Without a store, each client keeps its own session.
    """

    @abc.abstractmethod
    async def get(self, key: str) -> StoredSession | None:
        """The shared session for ``key``, if any."""

    @abc.abstractmethod
    async def put(self, key: str, session: StoredSession) -> None:
        """Share ``session`` as the one for ``key``."""

    @abc.abstractmethod
    async def delete(self, key: str, session_id: str) -> None:
        """Forget the session for ``key`` if it is still ``session_id`` (compare-and-delete)."""

    @abc.abstractmethod
    async def touch(self, key: str, session_id: str, last_used: float) -> None:
        """Record a use of ``session_id`` (if it is still the one for ``key``)."""

    @abc.abstractmethod
    def login_lock(self, key: str) -> AbstractAsyncContextManager[None]:
        """Held while one worker logs in for ``key``, so that the others wait and share."""


class InProcessSessionStore(SessionStore):
    """Shares sessions between the clients of one process (for example one per request)."""

    def __init__(self) -> None:
        self._sessions: dict[str, StoredSession] = {}
        # Locks belong to one event loop: per loop, forgotten with it.
        self._locks: weakref.WeakKeyDictionary[object, dict[str, anyio.Lock]] = (
            weakref.WeakKeyDictionary()
        )

    async def get(self, key: str) -> StoredSession | None:
        return self._sessions.get(key)

    async def put(self, key: str, session: StoredSession) -> None:
        self._sessions[key] = session

    async def delete(self, key: str, session_id: str) -> None:
        current = self._sessions.get(key)
        if current is not None and current.session_id == session_id:
            del self._sessions[key]

    async def touch(self, key: str, session_id: str, last_used: float) -> None:
        current = self._sessions.get(key)
        if current is not None and current.session_id == session_id:
            self._sessions[key] = attrs.evolve(current, last_used=max(current.last_used, last_used))

    def login_lock(self, key: str) -> AbstractAsyncContextManager[None]:
        from ._limits import current_loop

        per_loop = self._locks.setdefault(current_loop(), {})
        lock = per_loop.get(key)
        if lock is None:
            lock = per_loop[key] = anyio.Lock()
        return lock


# Signs in (one request through the pipeline) and says what the answer said of the session.
Login = Callable[[], Awaitable[SignedIn]]

# How many sessions BILL called invalid are remembered, so that none is adopted again.
_ENDED_REMEMBERED = 32


class LoginFailed(Exception):  # a signal between two layers, never shown
    """The sign-in a caller needed failed: ``error``, in attempt number ``attempt``.

    Raised to every caller of ``SessionManager.get`` that needed that sign-in; the pipeline
    unwraps it and decides, by the caller's own retry policy, whether to try again."""

    def __init__(self, error: Exception, attempt: int) -> None:
        super().__init__(f"sign-in attempt {attempt} failed: {type(error).__name__}")
        self.error = error
        self.attempt = attempt


class _LoginAttempt:
    """One Login.json in flight, awaited by every caller that needs a session meanwhile.

    The callers wake one after another when it ends, each waking the next as it goes on, not
    all at once: a batch job may have thousands waiting, and woken at once, every one of them
    would run up to its governor slot before any other organization's first call went out."""

    def __init__(self, number: int) -> None:
        self.number = number  # the manager's count of attempts, this one included
        self.ended = False
        self.session: Session | None = None
        self.error: Exception | None = None
        # In order of arrival; a dict, since a task group cancelled at once leaves in any order.
        self._waiting: OrderedDict[anyio.Event, None] = OrderedDict()

    async def wait(self) -> None:
        """Until the attempt ends (however it ends)."""
        if self.ended:
            return
        woken = anyio.Event()
        self._waiting[woken] = None
        try:
            await woken.wait()
        finally:
            if woken.is_set():
                self._wake_next()  # even when cancelled as it woke: the rest must not hang
            else:
                del self._waiting[woken]  # cancelled while waiting

    def end(self) -> None:
        self.ended = True
        self._wake_next()

    def _wake_next(self) -> None:
        if self._waiting:
            self._waiting.popitem(last=False)[0].set()


class SessionManager:
    """The mutable half of an ``AuthStrategy``: one per client (per organization)."""

    # A shared store hears of a session's use at most this often (seconds): the idle check
    # keeps a two-minute margin, so a touch now and then keeps every worker's view fresh.
    SHARED_TOUCH_INTERVAL = 30.0

    def __init__(
        self,
        strategy: AuthStrategy,
        login: Login,
        *,
        store: SessionStore | None = None,
        wall_clock: Clock = time.time,
        key: str | None = None,
    ) -> None:
        self._strategy = strategy
        self._login = login
        self._key = strategy.session_key if key is None else key
        self._store = store
        self._wall_clock = wall_clock
        self._session: Session | None = None
        self._attempt: _LoginAttempt | None = None
        self._attempts = 0  # sign-in attempts started
        self._failed: LoginFailed | None = None  # the last attempt, if it failed
        # Ids of sessions BILL called invalid, the newest last: never adopted again.
        self._ended: OrderedDict[str, None] = OrderedDict()
        # BILL refused these credentials: every later sign-in would be refused too, and would
        # spend the hourly login budget (and may lock the account). See forget_refusal().
        self._refused: AuthenticationError | None = None
        self._shared_touch = 0.0
        self.logins = 0

    def __repr__(self) -> str:
        return f"<SessionManager org={self._strategy.org_id} signed_in={self._session is not None}>"

    @property
    def current(self) -> Session | None:
        """The session in use, if any (it may have idled out)."""
        return self._session

    def is_trusted(self) -> bool:
        """Whether the next session is known to be MFA-trusted."""
        if self._session is not None and not self._is_stale(self._session):
            return self._session.mfa_trusted
        return self._strategy.trusted_at_login

    def _is_stale(self, session: Session) -> bool:
        return self._strategy.is_idle(self._strategy.clock() - session.last_used)

    @property
    def login_attempts(self) -> int:
        """Sign-in attempts started so far: a caller passes the count it started at to
        ``get`` (as ``seen``), and so is not failed by an attempt that ended before it came."""
        return self._attempts

    async def get(self, *, seen: int | None = None) -> Session:
        """A usable session: the current one, or a new one from a single Login.json.

        Raises ``LoginFailed`` when the sign-in it waited for (or led) failed, or when one
        numbered above ``seen`` failed since (the caller backs off again rather than sign in
        at once; ``seen=None`` takes every earlier failure as seen). Raises the
        ``AuthenticationError`` of a refused sign-in again, without sending anything, until
        ``forget_refusal()``."""
        seen = self._attempts if seen is None else seen
        while True:
            refused = self._refused
            if refused is not None:
                raise type(refused)(refused.code, refused.message, refused.operation)
            session = self._session
            if session is not None and not session.ended and not self._is_stale(session):
                return session
            attempt = self._attempt
            if attempt is None:
                failed = self._failed
                if failed is not None and failed.attempt > seen:
                    raise failed  # a newer attempt failed while this caller backed off
                return await self._lead_login()
            await attempt.wait()
            if attempt.error is not None:
                raise LoginFailed(attempt.error, attempt.number)
            if attempt.session is not None:
                return attempt.session
            # The leader was cancelled before it finished: try again, perhaps as the leader.

    async def _lead_login(self) -> Session:
        self._attempts += 1
        attempt = self._attempt = _LoginAttempt(self._attempts)
        try:
            session = await self._sign_in()
        except Exception as error:
            attempt.error = error
            self._failed = LoginFailed(error, attempt.number)
            # A lockout passes (``permanent`` False): the next call may sign in again.
            if isinstance(error, AuthenticationError) and error.permanent:
                self._refused = error
            raise self._failed from error
        else:
            self._failed = None
            attempt.session = self._session = session
            return session
        finally:
            # On cancellation neither is set, and the waiters start over.
            self._attempt = None
            attempt.end()

    async def _sign_in(self) -> Session:
        store = self._store
        if store is None:
            return await self._log_in()
        key = self._key
        async with store.login_lock(key):
            shared = await store.get(key)
            if shared is not None and shared.session_id not in self._ended:
                idle_for = self._wall_clock() - shared.last_used
                if not self._strategy.is_idle(idle_for):
                    return Session(  # another worker signed in: share its session
                        session_id=shared.session_id,
                        org_id=shared.org_id,
                        user_id=shared.user_id,
                        api_endpoint=shared.api_endpoint,
                        last_used=self._strategy.clock() - max(0.0, idle_for),
                        mfa_trusted=shared.mfa_trusted,
                    )
            session = await self._log_in()
            await store.put(key, self._stored(session))
            self._shared_touch = self._strategy.clock()
            return session

    def _stored(self, session: Session) -> StoredSession:
        idle_for = self._strategy.clock() - session.last_used
        return StoredSession(
            session_id=session.session_id,
            org_id=session.org_id,
            user_id=session.user_id,
            api_endpoint=session.api_endpoint,
            last_used=self._wall_clock() - idle_for,
            mfa_trusted=session.mfa_trusted,
        )

    async def _log_in(self) -> Session:
        started = self._strategy.clock()
        signed_in = await self._login()
        self.logins += 1
        trusted = signed_in.mfa_trusted
        return Session(
            session_id=signed_in.session_id,
            org_id=signed_in.org_id,
            user_id=signed_in.user_id,
            api_endpoint=signed_in.api_endpoint,
            last_used=started,
            mfa_trusted=self._strategy.trusted_at_login if trusted is None else trusted,
        )

    def forget_refusal(self) -> None:
        """Let the next call sign in again after BILL refused the credentials."""
        self._refused = None

    async def touch(self, session: Session, sent_at: float) -> None:
        """Record that BILL answered a call sent at ``sent_at`` on ``session``."""
        if sent_at > session.last_used:
            session.last_used = sent_at
        store = self._store
        if store is not None and sent_at - self._shared_touch >= self.SHARED_TOUCH_INTERVAL:
            self._shared_touch = sent_at
            wall = self._wall_clock() - (self._strategy.clock() - sent_at)
            await store.touch(self._key, session.session_id, wall)

    async def invalidate(self, session: Session) -> None:
        """Forget ``session`` (BILL called it invalid) unless a newer one has replaced it.

        It is marked ended at once, so that no call sends on it any more and no sign-in adopts
        it; the shared store forgets it (compare-and-delete) before this manager does."""
        session.ended = True
        self._ended[session.session_id] = None
        while len(self._ended) > _ENDED_REMEMBERED:
            self._ended.popitem(last=False)
        try:
            if self._store is not None:
                await self._store.delete(self._key, session.session_id)
        finally:
            if self._session is session:
                self._session = None

    async def mark_trusted(self, session: Session) -> None:
        """Record that ``session`` passed MFA."""
        session.mfa_trusted = True
        if self._store is not None and not session.ended:
            await self._store.put(self._key, self._stored(session))
