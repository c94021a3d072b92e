"""The emulator's route table: the Integration API operations it serves.

Each :class:`Operation` names its HTTP method and path template exactly as Talon.One
documents them, whether the management credential is also accepted, and which entity a
request locks while it runs (Talon.One answers 409 to a request that arrives while
another one is updating the same session or profile).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

LockKey = tuple[str, str]


@dataclass(frozen=True)
class Request:
    """A decoded API request as handlers see it."""

    operation: str
    method: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any = None
    #: The body was decoded from the request's JSON bytes, so it holds no ``float`` and
    #: no NaN (a test may build a ``Request`` with either).
    from_wire: bool = False


@dataclass
class Response:
    """What a handler returns; ``body=None`` means no content."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _session_lock(request: Request) -> LockKey:
    return ("session", request.path_params["customerSessionId"])


def _profile_lock(request: Request) -> LockKey:
    return ("profile", request.path_params["integrationId"])


def _body_lock(kind: str, field_name: str) -> Callable[[Request], LockKey | None]:
    def lock(request: Request) -> LockKey | None:
        body = request.body if isinstance(request.body, dict) else {}
        value = body.get(field_name)
        return (kind, value) if isinstance(value, str) and value else None

    return lock


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    manager_auth: bool = False
    lock: Callable[[Request], LockKey | None] | None = None
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path)
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))


OPERATIONS: tuple[Operation, ...] = (
    Operation("createAudienceV2", "POST", "/v2/audiences"),
    Operation("updateAudienceV2", "PUT", "/v2/audiences/{audienceId}"),
    Operation("deleteAudienceV2", "DELETE", "/v2/audiences/{audienceId}", manager_auth=True),
    Operation(
        "deleteAudienceMembershipsV2",
        "DELETE",
        "/v2/audiences/{audienceId}/memberships",
        manager_auth=True,
    ),
    Operation(
        "updateAudienceCustomersAttributes", "PUT", "/v2/audience_customers/{audienceId}/attributes"
    ),
    Operation("updateCustomerProfileAudiences", "POST", "/v2/customer_audiences"),
    Operation("createCouponReservation", "POST", "/v1/coupon_reservations/{couponValue}"),
    Operation("deleteCouponReservation", "DELETE", "/v1/coupon_reservations/{couponValue}"),
    Operation(
        "getReservedCustomers", "GET", "/v1/coupon_reservations/customerprofiles/{couponValue}"
    ),
    Operation("createReferral", "POST", "/v1/referrals"),
    Operation(
        "createReferralsForMultipleAdvocates", "POST", "/v1/referrals_for_multiple_advocates"
    ),
    Operation("deleteCustomerData", "DELETE", "/v1/customer_data/{integrationId}"),
    Operation("getCustomerInventory", "GET", "/v1/customer_profiles/{integrationId}/inventory"),
    Operation("getCustomerSession", "GET", "/v2/customer_sessions/{customerSessionId}"),
    Operation(
        "updateCustomerSessionV2",
        "PUT",
        "/v2/customer_sessions/{customerSessionId}",
        lock=_session_lock,
    ),
    Operation(
        "returnCartItems",
        "POST",
        "/v2/customer_sessions/{customerSessionId}/returns",
        lock=_session_lock,
    ),
    Operation("trackEvent", "POST", "/v1/events", lock=_body_lock("session", "sessionId")),
    Operation(
        "updateCustomerProfileV2",
        "PUT",
        "/v2/customer_profiles/{integrationId}",
        lock=_profile_lock,
    ),
    Operation("updateCustomerProfilesV2", "PUT", "/v2/customer_profiles"),
    # Today's replacement for TrackEvent (v1 is gone from the 2026 API); not one of the 19.
    Operation("trackEventV2", "POST", "/v2/events", lock=_body_lock("profile", "profileId")),
)

OPERATIONS_BY_NAME: Mapping[str, Operation] = {op.name: op for op in OPERATIONS}


def match(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """Find the operation for ``method path``; path parameters come back URL-decoded.

    Returns ``None`` when no operation has that path; an operation whose path matches but
    whose method differs is reported by :func:`allowed_methods`.
    """
    from urllib.parse import unquote

    for op in OPERATIONS:
        found = op.pattern.match(path)
        if found and op.method == method:
            return op, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def allowed_methods(path: str) -> list[str]:
    """Methods that some operation serves at ``path`` (for 405 replies)."""
    return sorted({op.method for op in OPERATIONS if op.pattern.match(path)})
