"""The client's error hierarchy: one root, one class per way a call can fail.

Callers catch what they can act on (``TalonOneConflict`` to retry later,
``TalonOneBadRequest`` to fix the payload, ``TalonOneTransportError`` to fail open) and
read the details from attributes. Errors carry what helps debugging (method, path,
status, decoded body, response headers, attempts) but never a key, nor the ``requests``
objects: a ``PreparedRequest`` holds the ``Authorization`` header, so it must not ride
along into logs, error trackers or pickled task results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "TalonOneAPIError",
    "TalonOneBadRequest",
    "TalonOneConfigurationError",
    "TalonOneConflict",
    "TalonOneConnectionError",
    "TalonOneError",
    "TalonOneInvalidReply",
    "TalonOneNotFound",
    "TalonOneRateLimited",
    "TalonOneResponseError",
    "TalonOneServerError",
    "TalonOneTimeoutError",
    "TalonOneTransportError",
    "TalonOneUnauthorized",
    "TalonOneValidationError",
    "api_error_class",
]

_SHOWN_ERRORS = 3


class TalonOneError(Exception):
    """Root of every error this client raises.

    ``retryable`` says whether the client judged the failure safe to repeat for this
    operation (nothing applied, or the operation is idempotent); queues can use it to
    decide between retrying later and parking a delivery.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        errors: list[dict[str, Any]] | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int = 0,
        response_headers: Mapping[str, str] | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.errors: list[dict[str, Any]] = errors if errors is not None else []
        self.method = method
        self.path = path
        self.attempts = attempts
        self.response_headers: dict[str, str] = dict(response_headers or {})
        self.retryable = retryable

    def __str__(self) -> str:
        where = f"{self.method} {self.path}" if self.method else ""
        status = f" -> {self.status_code}" if self.status_code is not None else ""
        parts = [f"{where}{status}: {self.message}" if where or status else self.message]
        details = "; ".join(_describe(error) for error in self.errors[:_SHOWN_ERRORS])
        if details:
            more = len(self.errors) - _SHOWN_ERRORS
            parts.append(f"[{details}{f'; +{more} more' if more > 0 else ''}]")
        if self.attempts > 1:
            parts.append(f"(after {self.attempts} attempts)")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only state would be lost by Exception's default pickling (Celery
        # pickles task exceptions); rebuild from the message and restore the rest.
        return (type(self), (self.message,), self.__dict__.copy())


def _describe(error: Any) -> str:
    """``title (at /json/pointer)`` for one APIError entry, tolerant of odd shapes."""
    if not isinstance(error, Mapping):
        return str(error)
    title = str(error.get("title") or error.get("details") or "error")
    source = error.get("source")
    if isinstance(source, Mapping):
        for key in ("pointer", "parameter", "line", "resource"):
            if source.get(key) not in (None, ""):
                return f"{title} ({key} {source[key]})"
    return title


class TalonOneConfigurationError(ValueError):
    """The client was built with a bad argument (named in the message).

    Deliberately outside :class:`TalonOneError`: code that fails open on Talon.One's
    errors (the cart page) must not mistake a mistyped key for an outage.
    """


class TalonOneValidationError(TalonOneError, ValueError):
    """Input rejected before anything was sent (a naive datetime, a non-JSON value ...)."""


class TalonOneTransportError(TalonOneError):
    """No HTTP answer. ``maybe_applied`` tells whether Talon.One might have acted."""

    def __init__(self, message: str, *, maybe_applied: bool = True, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.maybe_applied = maybe_applied


class TalonOneConnectionError(TalonOneTransportError):
    """Connection refused, unreachable host, or a connection dropped mid-exchange."""


class TalonOneTimeoutError(TalonOneTransportError):
    """Connecting (nothing sent) or waiting for the reply (maybe applied) took too long."""


class TalonOneResponseError(TalonOneError):
    """A reply that is not the JSON it should be; ``body`` holds its first characters."""


class TalonOneInvalidReply(TalonOneResponseError):
    """A 2xx JSON reply without the shape the operation documents (an array for an
    object, a string for a number ...). Unusable: never to be taken as a success."""


class TalonOneAPIError(TalonOneError):
    """Talon.One answered with a non-2xx status."""


class TalonOneBadRequest(TalonOneAPIError):
    """400: the payload or a parameter was invalid; ``errors`` points at the culprits."""


class TalonOneUnauthorized(TalonOneAPIError):
    """401: wrong or missing key for this operation."""


class TalonOneNotFound(TalonOneAPIError):
    """404: the session, profile, coupon or audience does not exist."""


class TalonOneConflict(TalonOneAPIError):
    """409: a concurrent update of the same session/profile, or a duplicate."""


class TalonOneRateLimited(TalonOneAPIError):
    """429: too many requests."""


class TalonOneServerError(TalonOneAPIError):
    """5xx: Talon.One (or a proxy in front of it) failed."""


_BY_STATUS: dict[int, type[TalonOneAPIError]] = {
    400: TalonOneBadRequest,
    401: TalonOneUnauthorized,
    404: TalonOneNotFound,
    409: TalonOneConflict,
    429: TalonOneRateLimited,
}


def _malformed(base: type[TalonOneAPIError]) -> type[TalonOneAPIError]:
    """A variant of ``base`` that is also a ``TalonOneResponseError``.

    An HTML 502 page from a proxy is both a server error (to be retried, caught by
    ``except TalonOneServerError``) and a malformed reply; the variant lets either
    ``except`` clause catch it.
    """
    name = f"Malformed{base.__name__.removeprefix('TalonOne')}"
    variant = type(name, (base, TalonOneResponseError), {"__module__": __name__})
    variant.__doc__ = f"{base.__name__} whose body was not a JSON error object."
    globals()[name] = variant  # a module attribute, so pickling finds the class
    return variant


_MALFORMED: dict[type[TalonOneAPIError], type[TalonOneAPIError]] = {
    base: _malformed(base) for base in (*_BY_STATUS.values(), TalonOneServerError, TalonOneAPIError)
}


def api_error_class(status_code: int, *, malformed: bool = False) -> type[TalonOneAPIError]:
    """The class for a non-2xx ``status_code``; ``malformed`` if its body was not JSON."""
    if status_code >= 500:
        base: type[TalonOneAPIError] = TalonOneServerError
    else:
        base = _BY_STATUS.get(status_code, TalonOneAPIError)
    return _MALFORMED[base] if malformed else base
