"""Error replies of the API pipeline: Talon.One's error bodies and injected statuses.

Kept apart from the shell (:mod:`.app`) so that what an error looks like on the wire is
read in one place: which operations answer a 400 without ``StatusCode``, what an
injected 409, 429 or 502 carries.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError, conflict_busy
from .routing import Operation, Response

#: Operations whose 400 body is ``ErrorResponse`` (no ``StatusCode``) in today's API.
PLAIN_400_OPERATIONS = frozenset(
    {"updateCustomerSessionV2", "getCustomerSession", "returnCartItems", "createReferral"}
)
_BAD_GATEWAY_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center></body></html>\n"
)


def error_response(error: ApiError, operation: str | None = None) -> Response:
    """Talon.One's error body: ``ErrorResponse`` or ``ErrorResponseWithStatus``."""
    body: dict[str, Any] = {"message": error.message, "errors": error.errors}
    if not (error.status == 400 and operation in PLAIN_400_OPERATIONS):
        body["StatusCode"] = error.status
    return Response(error.status, body)


def busy_kind(operation: Operation) -> str:
    """The entity a 409 names: the session on session paths, else the profile.

    Talon.One words the event endpoints' 409 after the profile, even though the emulator
    serialises v1 events per session; injected and real conflicts share this wording.
    """
    return "session" if "customer_sessions" in operation.path else "profile"


def injected_response(status: int, operation: Operation) -> Response:
    """The reply for an injected error status (502 is a gateway's HTML page)."""
    if status == 502:
        return Response(502, _BAD_GATEWAY_PAGE, {"Content-Type": "text/html; charset=utf-8"})
    if status == 409:
        return error_response(conflict_busy(busy_kind(operation)), operation.name)
    messages = {429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}
    response = error_response(ApiError(status, messages[status]), operation.name)
    if status == 429:
        response.headers["Retry-After"] = "1"
    return response
