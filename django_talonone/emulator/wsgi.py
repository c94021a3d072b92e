"""WSGI plumbing shared by the app, the server and the in-process adapter.

Kept apart from the request pipeline so the pipeline reads as the steps Talon.One takes,
not as environ bookkeeping. JSON goes both ways through ``simplejson`` in Decimal mode,
so amounts are never rounded through ``float``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, quote

import simplejson

from .routing import Response

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Environ key carrying the undecoded request target; the server and adapter set it.
RAW_URI_KEY = "RAW_URI"
#: Environ key with the caller's read timeout in seconds (only the adapter sets it).
READ_TIMEOUT_KEY = "talonone_emulator.read_timeout"
#: Largest request body accepted; Talon.One's own limits are far below this.
MAX_BODY_BYTES = 16 * 1024 * 1024

_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def request_path(environ: Mapping[str, Any]) -> str:
    """The request path still percent-encoded, so a ``%2F`` in a coupon code survives.

    Routing decodes path parameters itself; WSGI's ``PATH_INFO`` is already decoded, so
    it is only the fallback (re-encoded) when the transport gave no raw target.
    """
    raw = environ.get(RAW_URI_KEY)
    if isinstance(raw, str) and raw.startswith("/"):
        return raw.split("?", 1)[0]
    path_info = str(environ.get("PATH_INFO", "") or "/")
    return quote(path_info.encode("latin-1"), safe=_PATH_SAFE)


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """HTTP headers under their usual capitalisation (``Idempotency-Key``)."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = "-".join(part.capitalize() for part in key[5:].split("_"))
            headers[name] = str(value)
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = str(environ["CONTENT_TYPE"])
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = str(environ["CONTENT_LENGTH"])
    return headers


def query_params(environ: Mapping[str, Any]) -> dict[str, str]:
    """The query string as a flat mapping; a repeated parameter keeps its last value."""
    return dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))


class BodyTooLarge(Exception):
    """The declared body is larger than :data:`MAX_BODY_BYTES`."""


def read_body(environ: Mapping[str, Any]) -> bytes:
    """Read exactly ``CONTENT_LENGTH`` bytes (none when it is absent or zero)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return b""
    if length > MAX_BODY_BYTES:
        raise BodyTooLarge(length)
    data: bytes = environ["wsgi.input"].read(length)
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def loads(data: bytes | str) -> Any:
    """Strict JSON decoding: numbers as ``Decimal``/``int``, no ``NaN`` or ``Infinity``."""
    return simplejson.loads(data, use_decimal=True, parse_constant=_reject_constant)


def dumps(value: Any) -> bytes:
    """Compact JSON with exact ``Decimal`` amounts."""
    return simplejson.dumps(value, use_decimal=True, separators=(",", ":")).encode("utf-8")


def status_line(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


def encode_response(response: Response) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and bytes for ``response``: JSON unless a handler chose another type."""
    headers = dict(response.headers)
    if response.body is None:
        payload = b""
        headers.pop("Content-Type", None)
    elif isinstance(response.body, str) and "Content-Type" in headers:
        payload = response.body.encode("utf-8")
    else:
        payload = dumps(response.body)
        headers["Content-Type"] = "application/json"
    headers["Content-Length"] = str(len(payload))
    return list(headers.items()), payload
