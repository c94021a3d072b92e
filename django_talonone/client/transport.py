"""The HTTP layer under every operation: configuration, auth, one pooled session, retries.

Kept apart from the operation methods so the hot path is easy to read and to keep cheap:
header dicts are built once, the ``tenacity`` controller is built once per client (its
per-call state lives in a ``CallState`` passed through it), and logging is guarded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception

from django_talonone import __version__

from .body import ACCEPT_ENCODING, BodyLimits, read_body
from .config import check_base_url, check_secret, non_negative, positive, timeout_pair
from .encoding import dumps, query_string
from .errors import (
    TalonOneConfigurationError,
    TalonOneError,
    TalonOneResponseError,
    TalonOneTimeoutError,
)
from .outcomes import api_error, parse_reply, transport_error
from .retry import (
    CallState,
    DeadlineStop,
    RetryAfterWait,
    is_retryable_error,
)
from .secrets import Credential
from .watchdog import Watchdog, watched_adapter

__all__ = ["NO_BODY", "Operation", "Timeout", "Transport"]

logger = logging.getLogger("django_talonone.client")

Timeout = float | tuple[float, float]
_T = TypeVar("_T", bound="Transport")
NO_BODY: Final = object()
_NO_CONTENT = frozenset({204, 205})
#: Bounds of a reply: decoded size (Talon.One's largest, a big inventory, is far below)
#: and JSON nesting (its deepest is about ten levels).
MAX_REPLY_BYTES: Final = 4 * 1024 * 1024
MAX_REPLY_DEPTH: Final = 64


@dataclass(frozen=True, slots=True)
class Operation:
    """Static facts about one API operation.

    ``idempotent``: repeating it after a maybe-applied failure cannot apply it twice
    (GET/PUT/DELETE, set-like POSTs, or POSTs whose Idempotency-Key Talon.One honours).
    ``management``: documented with manager auth, so a management credential is preferred.
    ``keyed``: Talon.One honours an ``Idempotency-Key`` on it (24 h), so with a key even a
    non-idempotent write may be repeated.
    """

    name: str
    method: str
    idempotent: bool
    management: bool = False
    keyed: bool = False


class Transport:
    """Sends one operation's request with auth, timeouts, retries and logging."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        management_key: str | None = None,
        *,
        management_token: str | None = None,
        timeout: Timeout = (3.05, 10.0),
        max_attempts: int = 4,
        deadline: float = 20.0,
        backoff: float = 0.25,
        backoff_max: float = 4.0,
        session: requests.Session | None = None,
        user_agent: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        max_reply_depth: int = MAX_REPLY_DEPTH,
    ) -> None:
        self.base_url = check_base_url(base_url)
        api_auth = Credential(f"ApiKey-v1 {check_secret('api_key', api_key)}")
        if management_key is not None and management_token is not None:
            raise TalonOneConfigurationError("give management_key or management_token, not both")
        if management_key is not None:
            manager_auth = Credential(
                f"ManagementKey-v1 {check_secret('management_key', management_key)}"
            )
        elif management_token is not None:
            manager_auth = Credential(
                f"Bearer {check_secret('management_token', management_token)}"
            )
        else:
            manager_auth = api_auth
        del api_key, management_key, management_token  # only the masking form stays in scope
        self._manager_scheme = manager_auth.scheme
        self.timeout = timeout_pair(timeout)
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise TalonOneConfigurationError(
                f"max_attempts must be an int >= 1, got {max_attempts!r}"
            )
        self.max_attempts = max_attempts
        self.deadline = positive("deadline", deadline)
        self.max_reply_bytes = _limit("max_reply_bytes", max_reply_bytes, 1024)
        self.max_reply_depth = _limit("max_reply_depth", max_reply_depth, 8)
        if non_negative("backoff_max", backoff_max) < non_negative("backoff", backoff):
            raise TalonOneConfigurationError("backoff_max must be >= backoff")
        if session is not None and not isinstance(session, requests.Session):
            raise TalonOneConfigurationError("session must be a requests.Session")
        agent = f"django-talonone/{__version__}"
        if user_agent is not None:
            if not isinstance(user_agent, str) or not user_agent.isprintable():
                raise TalonOneConfigurationError("user_agent must be a printable string")
            agent = f"{user_agent} {agent}"
        self._owns_session = session is None
        self._session = session if session is not None else _pinned_session(self.base_url)
        self._watchdog = Watchdog()
        self._clock = clock
        self._wall_clock = wall_clock
        self._headers = self._header_sets(api_auth, manager_auth, agent)
        self._retrying = Retrying(
            retry=retry_if_exception(is_retryable_error),
            stop=DeadlineStop(max_attempts, self.deadline, clock),
            wait=RetryAfterWait(float(backoff), float(backoff_max)),
            sleep=sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )

    @staticmethod
    def _header_sets(
        api_auth: Credential, manager_auth: Credential, agent: str
    ) -> dict[tuple[bool, bool], dict[str, str]]:
        """Header dicts keyed by (management operation, has body), built once."""
        sets = {}
        for management in (False, True):
            base = {
                "Authorization": manager_auth if management else api_auth,
                "User-Agent": agent,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            }
            sets[management, False] = base
            sets[management, True] = {**base, "Content-Type": "application/json"}
        return sets

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Release pooled connections (an injected session stays the caller's to close)."""
        self._watchdog.close()
        if self._owns_session:
            self._session.close()

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} base_url={self.base_url!r} auth='ApiKey-v1 ***' "
            f"manager_auth='{self._manager_scheme} ***'>"
        )

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} holds credentials and cannot be pickled")

    # -- calls -----------------------------------------------------------------------------

    def _call(
        self,
        op: Operation,
        path: str,
        body: Any = NO_BODY,
        query: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Send ``op`` and return the decoded reply (None for 204), retrying per policy."""
        data = None if body is NO_BODY else dumps(body)
        headers = self._headers[op.management, data is not None]
        if idempotency_key is not None:
            headers = {**headers, "Idempotency-Key": idempotency_key}
        call = CallState(
            operation=op.name,
            method=op.method,
            path=path,
            url=self.base_url + path + query_string(query) if query else self.base_url + path,
            data=data,
            headers=headers,
            idempotent=op.idempotent or (op.keyed and idempotency_key is not None),
            started=self._clock(),
        )
        try:
            return self._retrying(self._attempt, call)
        except TalonOneError as error:
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "Talon.One %s %s failed on attempt %d (%s, %.1f ms): not retrying",
                    *_log_args(call),
                    extra=_log_extra(call),
                )
            error.attempts = call.attempts
            raise

    def _attempt(self, call: CallState) -> Any:
        call.attempts += 1
        call.retry_after = None
        began = self._clock()
        failure: TalonOneError | None = None
        with self._watchdog.attempt(call.started + self.deadline - began) as watch:
            try:
                response = self._session.request(
                    call.method,
                    call.url,
                    data=call.data,
                    headers=call.headers,
                    timeout=self._attempt_timeout(call, began),
                    # A redirect means BASE_URL is wrong; following it would resend the body
                    # (and the key, to the same host) somewhere nobody configured.
                    allow_redirects=False,
                    stream=True,  # the body is read within bounds, see _read
                )
            except requests.RequestException as exc:
                failure = transport_error(exc, call)
        if watch.fired and failure is not None:
            failure = TalonOneTimeoutError(
                "the reply's headers did not arrive within the call's deadline (DEADLINE), "
                "though they kept trickling in",
                maybe_applied=True,
                method=call.method,
                path=call.path,
                attempts=call.attempts,
                retryable=call.idempotent,
            )
        call.last_duration_ms = (self._clock() - began) * 1000.0
        if failure is not None:
            # Raised outside the ``except`` so no requests object (which holds the
            # Authorization header) is chained as __context__.
            call.last_status = type(failure).__name__
            raise failure
        status = call.last_status = response.status_code
        if 200 <= status < 300:
            result = self._decode(response, call)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "Talon.One %s %s -> %s in %.1f ms (attempt %d)",
                    call.method,
                    call.path,
                    status,
                    call.last_duration_ms,
                    call.attempts,
                    extra=_log_extra(call),
                )
            return result
        raise self._api_error(response, call)

    def _attempt_timeout(self, call: CallState, now: float) -> tuple[float, float]:
        """The configured timeouts, shortened so an attempt cannot outlive the deadline."""
        remaining = call.started + self.deadline - now
        connect, read = self.timeout
        if remaining >= read and remaining >= connect:
            return self.timeout
        remaining = max(remaining, 0.001)
        return min(connect, remaining), min(read, remaining)

    def _read(self, response: requests.Response, call: CallState) -> bytes:
        """The body, read within the size bound and what is left of the call's deadline."""
        limits = BodyLimits(
            max_bytes=self.max_reply_bytes,
            deadline_at=call.started + self.deadline,
            read_timeout=self.timeout[1],
            clock=self._clock,
        )
        context = {
            "status_code": response.status_code,
            "method": call.method,
            "path": call.path,
            "attempts": call.attempts,
            "response_headers": response.headers,
            "retryable": call.idempotent,
        }
        return read_body(response, limits, context)

    def _decode(self, response: requests.Response, call: CallState) -> Any:
        if response.status_code in _NO_CONTENT:
            response.close()
            return None
        content = self._read(response, call)
        return parse_reply(content, response, call, max_depth=self.max_reply_depth)

    def _api_error(self, response: requests.Response, call: CallState) -> TalonOneError:
        try:
            content: bytes | TalonOneResponseError = self._read(response, call)
        except TalonOneResponseError as unreadable:  # too large, or an unknown encoding
            content = unreadable
        return api_error(response, content, call, self._wall_clock)

    def _log_retry(self, retry_state: RetryCallState) -> None:
        call: CallState = retry_state.args[0]
        if logger.isEnabledFor(logging.WARNING):
            logger.warning(
                "Talon.One %s %s failed on attempt %d (%s, %.1f ms): retrying in %.2f s",
                *_log_args(call),
                retry_state.upcoming_sleep,
                extra=_log_extra(call),
            )


def _limit(name: str, value: int, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise TalonOneConfigurationError(f"{name} must be an int >= {least}, got {value!r}")
    return value


def _pinned_session(base_url: str) -> requests.Session:
    """A session whose environment settings (proxies, CA bundle) are resolved once.

    Every call goes to one host, so the ``HTTPS_PROXY``/``NO_PROXY``/``REQUESTS_CA_BUNDLE``
    answer never changes; requests would otherwise recompute it, and read ``~/.netrc``, on
    each call. Turning ``trust_env`` off afterwards also stops a netrc entry for the host
    from replacing our ``Authorization`` header with Basic auth.
    """
    session = requests.Session()
    settings = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies.update(settings["proxies"])
    session.verify = settings["verify"]
    session.trust_env = False
    watched_adapter(session)
    return session


def _log_args(call: CallState) -> tuple[Any, ...]:
    return call.method, call.path, call.attempts, call.last_status, call.last_duration_ms


def _log_extra(call: CallState) -> dict[str, Any]:
    return {
        "talonone_operation": call.operation,
        "talonone_method": call.method,
        "talonone_path": call.path,
        "talonone_status": call.last_status,
        "talonone_duration_ms": round(call.last_duration_ms, 1),
        "talonone_attempt": call.attempts,
    }
