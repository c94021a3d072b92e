"""The emulator's WSGI application: Talon.One's request pipeline around the domain handlers.

Each API request goes through the same steps as on the real service, in this order:
route (404/405), authenticate (401), injected faults, decode, validate (400), the
session's or profile's turn (three in flight at most, one processed; see :mod:`.gates`),
then the handler under one global lock. Every API request is recorded in a bounded log
with its credential redacted.
Control endpoints under ``/_emulator/`` are served by :mod:`.control`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from . import notices, routing
from .applications import DEFAULT_APPLICATION, Application, Applications, state_file_for
from .catalog import strikethrough_notifications
from .clock import MovableClock, format_timestamp
from .control import ControlEndpoints
from .error_replies import busy_kind, error_response, injected_response
from .errors import ApiError, field_error
from .faults import (
    DropConnection,
    FaultDecision,
    FaultInjector,
    FaultSpec,
    ResponseTimedOut,
)
from .gates import EntityGates
from .handlers import HANDLERS
from .notifier import Notifier
from .persistence import load_state, save_state
from .requestlog import DEFAULT_LOG_SIZE, RawBody, RequestLog, loggable_headers
from .routing import Operation, Request, Response
from .state import EmulatorState
from .validation import validate_request
from .wsgi import (
    READ_TIMEOUT_KEY,
    BodyTooLarge,
    Environ,
    StartResponse,
    encode_response,
    loads,
    query_params,
    read_body,
    request_headers,
    request_path,
    status_line,
)

logger = logging.getLogger("django_talonone.emulator")

Handler = Callable[[EmulatorState, Request], Response]
Validator = Callable[[Request], None]
Sleep = Callable[[float], None]

CONTROL_PREFIX = "/_emulator"
UNAUTHORIZED_MESSAGE = "Unauthorized - Invalid API key"

#: Operations that take no request body; one sent anyway is ignored, as Talon.One does.
BODYLESS_OPERATIONS = frozenset(
    {
        "getCustomerSession",
        "getCustomerInventory",
        "getReservedCustomers",
        "deleteAudienceV2",
        "deleteAudienceMembershipsV2",
        "deleteCustomerData",
    }
)


@dataclass
class _Trace:
    """What the log needs to know about one request as it moves through the pipeline."""

    operation: str | None = None
    raw_body: bytes = b""
    timed_out: bool = False
    queued: bool = False
    #: The Application the credential belongs to (``None`` before, or when refused).
    application: str | None = None


class EmulatorApp:
    """A WSGI callable emulating the Integration API over an :class:`EmulatorState`.

    ``sleep`` is how injected latency is spent (tests pass a fake). ``handlers`` and
    ``validator`` default to the emulator's own; they are parameters so an extension can
    serve extra operations. With ``state_file`` the state is loaded from it at start (when
    it exists) and saved after every change.
    """

    def __init__(
        self,
        state: EmulatorState,
        api_key: str,
        management_key: str | None = None,
        *,
        state_file: str | os.PathLike[str] | None = None,
        faults: FaultSpec | None = None,
        sleep: Sleep = time.sleep,
        log_size: int = DEFAULT_LOG_SIZE,
        handlers: Mapping[str, Handler] | None = None,
        validator: Validator | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must be a non-empty string")
        if management_key is not None and not management_key:
            raise ValueError("management_key must be None or a non-empty string")
        self.state_file = state_file
        loaded = load_state(state_file, clock=state.clock) if state_file is not None else None
        initial = loaded if loaded is not None else state
        #: The clock every Application's state reads, made movable (``move_clock``); it
        #: starts where the given state's clock was.
        self.clock = MovableClock(initial.clock)
        initial.clock = self.clock
        #: Every emulated Application; the API key of a request picks one (applications.py).
        self.applications = Applications()
        self.applications.add(DEFAULT_APPLICATION, api_key, management_key, initial)
        self.faults = FaultInjector(faults)
        self.requests = RequestLog(log_size)
        self.lock = threading.RLock()
        self._sleep = sleep
        self._handlers = handlers if handlers is not None else HANDLERS
        self._validate = validator if validator is not None else validate_request
        self.gates = EntityGates()
        #: Outbound notifications (``notifier.py``) and the synced catalogue they price.
        self.notifier = notifier if notifier is not None else Notifier()
        self.catalog: list[dict[str, Any]] = []
        self._control = ControlEndpoints(self)

    def __repr__(self) -> str:
        return f"<EmulatorApp state_file={self.state_file!r}>"

    @property
    def state(self) -> EmulatorState:
        """The default Application's state."""
        return self.applications[DEFAULT_APPLICATION].state

    def add_application(
        self,
        name: str,
        api_key: str,
        state: EmulatorState | None = None,
        *,
        management_key: str | None = None,
    ) -> EmulatorState:
        """Serve one more Application, its own campaigns and data, to requests with
        ``api_key``; with a ``state_file`` its state is kept next to the default's."""
        path = self.state_file_of(name)
        state = state if state is not None else EmulatorState(clock=self.clock)
        loaded = load_state(path, clock=self.clock) if path is not None else None
        served = loaded if loaded is not None else state
        served.clock = self.clock  # one clock for every Application (move_clock)
        with self.lock:
            added = self.applications.add(name, api_key, management_key, served)
        return added.state

    def state_of(self, name: str) -> EmulatorState:
        """The state of Application ``name`` (``KeyError`` if there is none)."""
        application = self.applications.get(name)
        if application is None:
            raise KeyError(f"no emulated application named {name!r}")
        return application.state

    def state_file_of(self, name: str) -> str | None:
        """Where Application ``name``'s state is saved: ``state.json``, ``state.gbp.json``."""
        return state_file_for(self.state_file, name)

    # -- WSGI entry point --------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = request_path(environ)
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            response = self._control.handle(method, path, environ)
            headers, payload = encode_response(response)
        else:
            response, headers, payload = self._serve_and_record(environ, method, path)
        start_response(status_line(response.status), headers)
        return [payload]

    def _serve_and_record(
        self, environ: Environ, method: str, path: str
    ) -> tuple[Response, list[tuple[str, str]], bytes]:
        """Run the pipeline and log the outcome; raise the transport signals it asks for.

        A caller whose read timeout expired never sees the reply (nor a later drop), but
        the handler still ran, as it would on a real server.
        """
        started = time.perf_counter()
        trace = _Trace()
        headers = request_headers(environ)
        try:
            response: Response | None = self._serve_api(environ, method, path, headers, trace)
        except DropConnection:
            response = None
        reply_headers, payload = encode_response(response) if response is not None else ([], b"")
        self._record(environ, method, path, headers, trace, started, response, payload)
        if trace.timed_out:
            raise ResponseTimedOut
        if response is None:
            raise DropConnection
        return response, reply_headers, payload

    # -- the API pipeline --------------------------------------------------------------

    def _serve_api(
        self, environ: Environ, method: str, path: str, headers: Mapping[str, str], trace: _Trace
    ) -> Response:
        matched = routing.match(method, path)
        if matched is None:
            allowed = routing.allowed_methods(path)
            if allowed:
                response = error_response(ApiError(405, f"Method {method} not allowed"))
                response.headers["Allow"] = ", ".join(allowed)
                return response
            return error_response(ApiError(404, f"No such endpoint: {path}"))
        operation, path_params = matched
        trace.operation = operation.name
        try:
            trace.raw_body = read_body(environ)
            application = self._application(operation, headers.get("Authorization", ""))
            if application is None:
                return error_response(ApiError(401, UNAUTHORIZED_MESSAGE), operation.name)
            trace.application = application.name
            return self._run(environ, operation, path_params, headers, trace)
        except DropConnection:
            raise
        except BodyTooLarge:
            return error_response(ApiError(413, "Request body too large"), operation.name)
        except ApiError as error:
            return error_response(error, operation.name)
        except Exception:
            logger.exception("emulator: unexpected error in %s", operation.name)
            return error_response(ApiError(500, "Internal emulator error"), operation.name)

    def _application(self, operation: Operation, header: str) -> Application | None:
        """The Application the request's credential belongs to (``None``: a 401)."""
        scheme, _, credential = header.strip().partition(" ")
        given = credential.strip().encode("utf-8")
        if scheme == "ApiKey-v1":
            return self.applications.by_api_key(given)
        if scheme in ("ManagementKey-v1", "Bearer") and operation.manager_auth:
            return self.applications.by_management_key(given)
        return None

    def _run(
        self,
        environ: Environ,
        operation: Operation,
        path_params: dict[str, str],
        headers: Mapping[str, str],
        trace: _Trace,
    ) -> Response:
        decision = self.faults.decide(operation.name)
        timeout = environ.get(READ_TIMEOUT_KEY)
        if decision.status is not None or (decision.drop and not decision.drop_after_apply):
            self._delay(decision, timeout, trace)
            if decision.status is None:
                raise DropConnection
            return injected_response(decision.status, operation)
        request = Request(
            operation=operation.name,
            method=operation.method,
            path_params=path_params,
            query=query_params(environ),
            headers={k: v for k, v in headers.items() if k != "Authorization"},
            body=self._decode_body(operation, trace.raw_body),
            from_wire=True,
        )
        self._validate(request)
        response = self._call_handler(operation, request, decision, timeout, trace)
        if decision.drop:
            raise DropConnection
        return response

    def _decode_body(self, operation: Operation, raw: bytes) -> Any:
        if operation.name in BODYLESS_OPERATIONS or not raw.strip():
            return None
        try:
            body = loads(raw)
        except UnicodeDecodeError:
            raise field_error(400, "Request body is not UTF-8 text", pointer="") from None
        except ValueError as exc:
            message = f"Request body is not valid JSON: {exc}"
            raise field_error(400, message, pointer="") from None
        if not isinstance(body, dict):
            raise field_error(400, "Request body must be a JSON object", pointer="")
        return body

    def _call_handler(
        self,
        operation: Operation,
        request: Request,
        decision: FaultDecision,
        timeout: float | None,
        trace: _Trace,
    ) -> Response:
        """Take the entity's turn, then spend the latency and call the handler in it."""
        key = operation.lock(request) if operation.lock is not None else None
        if key is not None and trace.application not in (None, DEFAULT_APPLICATION):
            key = (f"{trace.application}:{key[0]}", key[1])  # one entity per Application
        if key is None:
            return self._handle(operation, request, decision, timeout, trace)
        with self.gates.enter(key, busy_kind(operation)) as waited:
            trace.queued = waited
            return self._handle(operation, request, decision, timeout, trace)

    def _handle(
        self,
        operation: Operation,
        request: Request,
        decision: FaultDecision,
        timeout: float | None,
        trace: _Trace,
    ) -> Response:
        self._delay(decision, timeout, trace)
        with self.lock:
            state = self.state_of(trace.application or DEFAULT_APPLICATION)
            try:
                response = self._handlers[operation.name](state, request)
            finally:
                announced = state.take_announced()
            if request.method != "GET" and response.status < 400:
                self.persist()
            else:
                announced = []
        # Sent once the change is done and saved, off the request thread (notifier.py).
        self._send(announced)
        return response

    def _send(self, bodies: list[dict[str, Any]]) -> list[str]:
        return [uuid for body in bodies for uuid in self.notifier.notify(body)]

    def _delay(self, decision: FaultDecision, timeout: float | None, trace: _Trace) -> None:
        """Spend injected latency, but no longer than the caller's read timeout (if known)."""
        seconds = decision.latency_ms / 1000
        if seconds <= 0:
            return
        if timeout is not None and seconds > timeout:
            trace.timed_out = True
            seconds = timeout
        self._sleep(seconds)

    # -- state, log and persistence ----------------------------------------------------

    def persist(self) -> None:
        """Save the state to ``state_file`` (if any), atomically, under the global lock."""
        if self.state_file is None:
            return
        with self.lock:
            for application in self.applications:
                path = self.state_file_of(application.name)
                if path is not None:
                    save_state(application.state, path)

    def reset(self) -> None:
        """Fresh state in every Application (campaigns kept), empty log, no faults."""
        with self.lock:
            for application in self.applications:
                application.state.reset()
                application.state.take_announced()
            self.clock.rewind()
            self.persist()
        self.requests.clear()
        self.faults.set(None)

    def sync_catalog(self, items: list[dict[str, Any]] | None, trigger: str) -> list[str]:
        """Replace the catalogue (``None`` keeps it) and push its strikethrough prices."""
        with self.lock:
            if items is not None:
                self.catalog = items
            if not self.catalog:
                return []
            bodies = strikethrough_notifications(self.state, self.catalog, trigger=trigger)
        return self._send(bodies)

    def move_clock(self, delta: timedelta) -> list[str]:
        """Move the clock forward; pending points it makes active are announced
        (``LoyaltyPointsPendingToActive``), and points whose expiry reminder it passes
        (``LoyaltyPointsExpiring``). Returns the notifications' X-UUIDs."""
        with self.lock:
            before = self.clock()
            self.clock.move(delta)
            bodies = []
            for application in self.applications:
                state = application.state
                notices.pending_to_active(state, before, state.now())
                notices.expiring(state, before, state.now())
                bodies += state.take_announced()
        return self._send(bodies)

    def _record(
        self,
        environ: Environ,
        method: str,
        path: str,
        headers: Mapping[str, str],
        trace: _Trace,
        started: float,
        response: Response | None,
        payload: bytes,
    ) -> None:
        content_type = response.headers.get("Content-Type", "") if response else ""
        self.requests.append(
            {
                "time": format_timestamp(self.state.now()),
                "operation": trace.operation,
                "application": trace.application,
                "method": method,
                "path": path,
                "query": query_params(environ),
                "status": response.status if response is not None else None,
                "dropped": response is None,
                "timedOut": trace.timed_out,
                "queued": trace.queued,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "headers": loggable_headers(headers),
                "requestBody": RawBody(trace.raw_body),
                "responseBody": RawBody(payload, json="html" not in content_type),
            }
        )
