"""Wire encoding: exact Decimal JSON, ISO 8601 datetimes, path segments and query values.

Money must survive the round trip exactly (``Decimal("19.99")`` is ``19.99`` on the
wire, never ``19.990000000000002``), so bodies are dumped and replies loaded with
simplejson in Decimal mode. Anything ambiguous (a naive datetime, a set, NaN) is a caller
bug and is rejected before sending, with a message naming the offending value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote

import simplejson

from .errors import TalonOneValidationError

__all__ = [
    "dumps",
    "iso_datetime",
    "loads",
    "path_segment",
    "query_bool",
    "query_datetime",
    "query_silent",
    "query_string",
]


def iso_datetime(value: dt.datetime, what: str) -> str:
    """ISO 8601 for a timezone-aware datetime; a naive one has no defined instant."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise TalonOneValidationError(
            f"{what} is a naive datetime ({value.isoformat()}); Talon.One needs an instant: "
            "attach a timezone (e.g. datetime.timezone.utc)"
        )
    return value.isoformat()


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso_datetime(value, "a datetime in the body")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TalonOneValidationError(
        f"cannot encode a value of type {type(value).__module__}.{type(value).__qualname__} "
        "as JSON; send str, int, Decimal, bool, None, list, dict, date or aware datetime"
    )


_encoder = simplejson.JSONEncoder(
    use_decimal=True,
    allow_nan=False,
    separators=(",", ":"),
    ensure_ascii=False,
    namedtuple_as_object=False,
    # bytes are a caller bug, not text to guess the charset of (the stubs miss None)
    encoding=None,  # type: ignore[arg-type]
    default=_default,
)


def dumps(body: Any) -> bytes:
    """UTF-8 JSON bytes for ``body``; raises ``TalonOneValidationError`` if not JSON-able."""
    try:
        return _encoder.encode(body).encode("utf-8")
    except TalonOneValidationError:
        raise
    except (ValueError, TypeError) as exc:
        message = str(exc)
    raise TalonOneValidationError(f"request body is not valid JSON: {message}")


def loads(content: bytes) -> Any:
    """Decode a reply; non-integer numbers become ``Decimal`` so amounts stay exact."""
    return simplejson.loads(content, use_decimal=True)


def path_segment(value: str | int, name: str) -> str:
    """One percent-encoded path segment (``SUMMER25%OFF`` -> ``SUMMER25%25OFF``, ``/`` too).

    ``.`` and ``..`` are refused: URL parsers (``requests`` itself, any proxy on the way)
    resolve them as dot segments, even percent-encoded, so the call would reach another
    endpoint.
    """
    if isinstance(value, str):
        if not value:
            raise TalonOneValidationError(f"{name} must be a non-empty string")
        if value in (".", ".."):
            raise TalonOneValidationError(
                f"{name} {value!r} cannot be sent in a URL path: it would address another "
                "endpoint; use an id that is not '.' or '..'"
            )
        return quote(value, safe="")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TalonOneValidationError(f"{name} must be a str or int, not {type(value).__name__}")


def query_bool(value: bool, name: str) -> str:
    """``true``/``false``: Talon.One's spelling of boolean query parameters."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise TalonOneValidationError(f"{name} must be a bool, not {type(value).__name__}")


def query_silent(value: bool | Literal["yes", "no"]) -> str:
    """``silent`` is ``yes``/``no`` on the wire; ``True``/``False`` are accepted too."""
    if value is True or value == "yes":
        return "yes"
    if value is False or value == "no":
        return "no"
    raise TalonOneValidationError(f"silent must be True/False or 'yes'/'no', not {value!r}")


def query_datetime(value: dt.datetime | str, name: str) -> str:
    """An aware datetime as ISO 8601, or a string the caller already formatted."""
    if isinstance(value, dt.datetime):
        return iso_datetime(value, name)
    if isinstance(value, str) and value:
        return value
    raise TalonOneValidationError(
        f"{name} must be an aware datetime or an ISO 8601 string, not {value!r}"
    )


def query_string(params: Mapping[str, str]) -> str:
    """``?a=1&b=2`` with every value percent-encoded (``+`` in offsets included)."""
    return "?" + "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
