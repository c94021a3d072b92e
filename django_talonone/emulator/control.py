"""The ``/_emulator/`` control endpoints: reset, inspect and steer a running emulator.

They take no credentials because the emulator is a loopback test tool; they are never
part of Talon.One's API, so they are not recorded in the request log. Replies use the
same JSON conventions (and error body) as the API so one client can read both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .catalog import parse_items
from .clock import format_timestamp, parse_timestamp
from .errors import ApiError
from .faults import parse_faults
from .notifier import parse_targets
from .routing import Response
from .wsgi import BodyTooLarge, Environ, loads, query_params, read_body

if TYPE_CHECKING:
    from .app import EmulatorApp
    from .state import EmulatorState

Endpoint = Callable[[Environ], Response]


def _error(status: int, message: str) -> Response:
    return Response(status, {"message": message, "errors": [], "StatusCode": status})


class ControlEndpoints:
    """Dispatch ``(method, path)`` under ``/_emulator`` to one small method each."""

    def __init__(self, app: EmulatorApp) -> None:
        self._app = app
        self._routes: dict[str, dict[str, Endpoint]] = {
            "/_emulator/health": {"GET": self._health},
            "/_emulator/applications": {"GET": self._applications},
            "/_emulator/reset": {"POST": self._reset},
            "/_emulator/state": {"GET": self._state},
            "/_emulator/requests": {"GET": self._requests, "DELETE": self._clear_requests},
            "/_emulator/faults": {
                "GET": self._faults,
                "PUT": self._set_faults,
                "DELETE": self._clear_faults,
            },
            "/_emulator/config": {"GET": self._config, "PUT": self._set_config},
            "/_emulator/notifications": {
                "GET": self._notifications,
                "PUT": self._set_targets,
                "POST": self._push,
                "DELETE": self._clear_notifications,
            },
            "/_emulator/catalog": {"GET": self._catalog, "PUT": self._set_catalog},
            "/_emulator/clock": {"GET": self._clock, "PUT": self._move_clock},
        }

    def handle(self, method: str, path: str, environ: Environ) -> Response:
        methods = self._routes.get(path.rstrip("/"))
        if methods is None:
            return _error(404, f"No such control endpoint: {path}")
        endpoint = methods.get(method)
        if endpoint is None:
            response = _error(405, f"Method {method} not allowed")
            response.headers["Allow"] = ", ".join(sorted(methods))
            return response
        try:
            return endpoint(environ)
        except ApiError as error:
            return _error(error.status, error.message)

    # -- endpoints -----------------------------------------------------------------------

    def _health(self, environ: Environ) -> Response:
        return Response(200, {"status": "ok"})

    def _state_of(self, environ: Environ) -> EmulatorState:
        """The state ``?application=NAME`` names (the default Application's without it)."""
        name = query_params(environ).get("application")
        if name is None:
            return self._app.state
        try:
            return self._app.state_of(name)
        except KeyError:
            known = ", ".join(self._app.applications.names())
            raise ApiError(404, f"No application {name!r}; known: {known}") from None

    def _applications(self, environ: Environ) -> Response:
        """The Applications by name with their currency (their keys are never shown)."""
        with self._app.lock:
            listed = [
                {"name": app.name, "currency": app.state.application["currency"]}
                for app in self._app.applications
            ]
        return Response(200, {"applications": listed})

    def _reset(self, environ: Environ) -> Response:
        """Everything (``?application=NAME``: only that Application's data)."""
        if query_params(environ).get("application") is None:
            self._app.reset()
            return Response(204)
        state = self._state_of(environ)
        with self._app.lock:
            state.reset()
            self._app.persist()
        return Response(204)

    def _state(self, environ: Environ) -> Response:
        state = self._state_of(environ)
        with self._app.lock:
            return Response(200, state.to_dict())

    def _requests(self, environ: Environ) -> Response:
        raw_limit = query_params(environ).get("limit")
        limit = None
        if raw_limit is not None:
            if not raw_limit.isdigit():
                raise ApiError(400, "limit: must be a non-negative integer")
            limit = int(raw_limit)
        return Response(200, {"requests": self._app.requests.entries(limit)})

    def _clear_requests(self, environ: Environ) -> Response:
        self._app.requests.clear()
        return Response(204)

    def _faults(self, environ: Environ) -> Response:
        spec = self._app.faults.spec
        return Response(200, {"faults": spec.to_dict() if spec is not None else None})

    def _set_faults(self, environ: Environ) -> Response:
        try:
            spec = parse_faults(_json_body(environ))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        self._app.faults.set(spec)
        return Response(200, {"faults": spec.to_dict()})

    def _clear_faults(self, environ: Environ) -> Response:
        self._app.faults.set(None)
        return Response(204)

    def _config(self, environ: Environ) -> Response:
        state = self._state_of(environ)
        with self._app.lock:
            return Response(200, state.config)

    def _set_config(self, environ: Environ) -> Response:
        state = self._state_of(environ)
        config = _json_body(environ)
        with self._app.lock:
            try:
                state.configure(config)
            except ValueError as exc:
                raise ApiError(400, f"Invalid campaigns config: {exc}") from None
            self._app.persist()
            config = state.config
        self._app.sync_catalog(None, trigger="campaign_rules_changed")
        return Response(200, config)

    def _notifications(self, environ: Environ) -> Response:
        """Where notifications go (without credentials) and every one sent so far."""
        notifier = self._app.notifier
        targets = [target.public() for target in notifier.targets]
        return Response(200, {"targets": targets, "sent": notifier.sent()})

    def _set_targets(self, environ: Environ) -> Response:
        body = _json_body(environ)
        try:
            targets = parse_targets(body.get("targets") if isinstance(body, dict) else None)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        self._app.notifier.configure(targets)
        return Response(200, {"targets": [target.public() for target in targets]})

    def _push(self, environ: Environ) -> Response:
        """Send any notification body to the targets (a test tool: loyalty, coupons ...)."""
        body = _json_body(environ)
        if not isinstance(body, dict):
            raise ApiError(400, "The notification must be a JSON object")
        return Response(202, {"uuids": self._app.notifier.notify(body)})

    def _clear_notifications(self, environ: Environ) -> Response:
        self._app.notifier.clear()
        return Response(204)

    def _catalog(self, environ: Environ) -> Response:
        with self._app.lock:
            return Response(200, {"items": list(self._app.catalog)})

    def _set_catalog(self, environ: Environ) -> Response:
        """Sync the cart item catalogue; its strikethrough prices are pushed."""
        try:
            items = parse_items(_json_body(environ))
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        return Response(202, {"uuids": self._app.sync_catalog(items, trigger="catalog_sync")})

    def _clock(self, environ: Environ) -> Response:
        with self._app.lock:
            return Response(200, self._clock_view())

    def _clock_view(self) -> dict[str, Any]:
        offset = self._app.clock.offset.total_seconds()
        return {"now": format_timestamp(self._app.state.now()), "offsetSeconds": offset}

    def _move_clock(self, environ: Environ) -> Response:
        """Move the clock forward: ``{"advanceDays"}``, ``{"advanceSeconds"}`` or
        ``{"now"}``; pending points it makes active are announced."""
        delta = _clock_step(_json_body(environ), self._app.state.now())
        try:
            uuids = self._app.move_clock(delta)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        with self._app.lock:
            return Response(200, {**self._clock_view(), "uuids": uuids})


def _clock_step(body: Any, now: datetime) -> timedelta:
    """How far a ``PUT /_emulator/clock`` body moves the clock (a clear 400 otherwise)."""
    keys = ("advanceDays", "advanceSeconds", "now")
    given = [key for key in keys if isinstance(body, dict) and key in body]
    if len(given) != 1 or set(body) - set(keys):
        raise ApiError(400, "give exactly one of advanceDays, advanceSeconds or now")
    value = body[given[0]]
    if given[0] == "now":
        try:
            return parse_timestamp(value) - now
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"now: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ApiError(400, f"{given[0]}: must be a number")
    seconds = float(value) * (86400 if given[0] == "advanceDays" else 1)
    return timedelta(seconds=seconds)


def _json_body(environ: Environ) -> Any:
    """The request body as JSON; a clear 400 when it is missing, too big or malformed."""
    try:
        raw = read_body(environ)
    except BodyTooLarge:
        raise ApiError(413, "Request body too large") from None
    if not raw.strip():
        raise ApiError(400, "A JSON body is required")
    try:
        return loads(raw)
    except ValueError as exc:
        raise ApiError(400, f"Request body is not valid JSON: {exc}") from None
