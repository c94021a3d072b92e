"""What one attempt's outcome means: a usable result, or the error class that says why not.

The transport sends and reads; this module judges what came back. A 2xx body becomes the
decoded reply only if it is JSON of bounded nesting with the shape its operation documents
(:mod:`.replies`); a non-2xx status becomes the matching ``TalonOneAPIError`` (retryable or
not, with ``Retry-After`` noted); a ``requests`` failure becomes a transport error that
says whether Talon.One may have applied the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from .body import check_depth
from .encoding import loads
from .errors import (
    TalonOneConnectionError,
    TalonOneError,
    TalonOneInvalidReply,
    TalonOneResponseError,
    TalonOneTimeoutError,
    TalonOneTransportError,
    api_error_class,
)
from .replies import REPLY_SHAPES, ReplyMismatch
from .retry import (
    BUSY_MESSAGE,
    MAYBE_APPLIED_STATUSES,
    CallState,
    never_sent,
    retry_after_seconds,
)

__all__ = ["SNIPPET", "api_error", "parse_reply", "snippet", "transport_error"]

SNIPPET = 200


def snippet(content: bytes) -> str:
    """The first characters of a body, for an error message."""
    return content[: SNIPPET * 4].decode("utf-8", "replace")[:SNIPPET]


def parse_reply(
    content: bytes, response: requests.Response, call: CallState, *, max_depth: int
) -> Any:
    """The decoded 2xx reply, or ``TalonOneResponseError`` (``TalonOneInvalidReply`` when
    it is JSON without the documented shape)."""
    fields: dict[str, Any] = {
        "status_code": response.status_code,
        "body": snippet(content),
        "method": call.method,
        "path": call.path,
        "attempts": call.attempts,
        "response_headers": response.headers,
    }
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media and media != "application/json" and not media.endswith("+json"):
        # A proxy's or login page's 200; even a body that parses is not Talon.One's answer.
        raise TalonOneResponseError(f"reply is {media}, not JSON", **fields)
    try:
        result = loads(content)
    except RecursionError:
        raise TalonOneResponseError("reply is JSON nested too deeply", **fields) from None
    except ValueError:
        message = "reply is not valid JSON" if content else "reply is empty, JSON was expected"
        raise TalonOneResponseError(message, **fields) from None
    if not check_depth(result, max_depth):
        message = f"reply is JSON nested deeper than {max_depth} levels"
        raise TalonOneResponseError(message, **fields)
    shape = REPLY_SHAPES.get(call.operation)
    if shape is not None:
        try:
            shape(result)
        except ReplyMismatch as mismatch:
            message = f"reply to {call.operation} is not what Talon.One documents: {mismatch}"
            raise TalonOneInvalidReply(message, **fields) from None
    return result


def api_error(
    response: requests.Response,
    content: bytes | TalonOneResponseError,
    call: CallState,
    wall_clock: Callable[[], float],
) -> TalonOneError:
    """The error for a non-2xx reply; ``content`` is its body, or why it could not be read."""
    status = response.status_code
    body: Any = None
    malformed = False
    if isinstance(content, TalonOneResponseError):
        body, malformed = content.message, True
        content = b""
    if content.strip():
        try:
            body = loads(content)
        except (ValueError, RecursionError):
            body, malformed = snippet(content), True
    message = f"HTTP {status} {response.reason or ''}".rstrip()
    errors: list[dict[str, Any]] = []
    if isinstance(body, dict):
        if isinstance(body.get("message"), str) and body["message"]:
            message = body["message"]
        listed = body.get("errors")
        if isinstance(listed, list):
            errors = [entry for entry in listed if isinstance(entry, dict)]
    elif malformed:
        message = f"{message} (non-JSON reply)"
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        message = (
            f"HTTP {status} redirect{f' to {location[:SNIPPET]}' if location else ''}: "
            "not followed; set BASE_URL to the address Talon.One serves the API at"
        )
    if status == 429 or (status == 409 and BUSY_MESSAGE.search(message)):
        retryable = True
    else:
        retryable = status in MAYBE_APPLIED_STATUSES and call.idempotent
    if retryable:
        call.retry_after = retry_after_seconds(response.headers, wall_clock)
    return api_error_class(status, malformed=malformed)(
        message,
        status_code=status,
        body=body,
        errors=errors,
        method=call.method,
        path=call.path,
        attempts=call.attempts,
        response_headers=response.headers,
        retryable=retryable,
    )


def transport_error(exc: requests.RequestException, call: CallState) -> TalonOneError:
    """Classify a requests failure by whether Talon.One may have applied the request."""
    sent = not never_sent(exc)
    if isinstance(exc, requests.Timeout):
        cls: type[TalonOneTransportError] = TalonOneTimeoutError
        what = "timed out waiting for the reply" if sent else "timed out connecting"
    elif isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        cls = TalonOneConnectionError
        what = "connection lost after sending" if sent else "could not connect"
    else:
        cls, what = TalonOneTransportError, "request failed"
    reason = str(exc)[:SNIPPET]
    return cls(
        f"{what} ({type(exc).__name__}: {reason})",
        maybe_applied=sent,
        method=call.method,
        path=call.path,
        attempts=call.attempts,
        retryable=(not sent or call.idempotent) and cls is not TalonOneTransportError,
    )
