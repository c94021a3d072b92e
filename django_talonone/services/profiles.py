"""Customer profiles and custom events: profile sync, GDPR erasure, tracked events.

All three are queued on the profile's lane, so an erasure never overtakes the profile
update before it, and Talon.One never sees two parallel writes to one profile (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_talonone.adapters import (
    CustomerAdapter,
    InvalidPayload,
    validate_attributes,
    validate_id,
)
from django_talonone.models import CustomerSession, Delivery, Operation
from django_talonone.outbox.lanes import profile_lane
from django_talonone.registry import customer_adapter_for

from . import dispatch

#: Talon.One's built-in events start with this prefix and cannot be sent by shops.
RESERVED_EVENT_PREFIX = "talon_"


def _profile_id(value: Any, field: str = "profile_id") -> str:
    if not isinstance(value, str) or not value:
        raise InvalidPayload(field, f"must be a non-empty string, got {value!r}")
    return validate_id(field, value)


def sync_customer(customer: Any, *, adapter: CustomerAdapter | None = None) -> Delivery:
    """Send the customer's profile attributes (a newer snapshot supersedes an older one)."""
    adapter = adapter or customer_adapter_for(customer)
    profile_id, body = adapter.build_profile(customer)
    return dispatch.send(
        "profile",
        Operation.UPDATE_PROFILE,
        lane=profile_lane(profile_id),
        args=[profile_id],
        body=body,
        supersedable=True,
    )


def forget_customer(profile_id: str) -> Delivery:
    """Erase the profile's data in Talon.One (DeleteCustomerData), after queued updates."""
    profile_id = _profile_id(profile_id)
    return dispatch.send(
        "delete_customer",
        Operation.DELETE_CUSTOMER,
        lane=profile_lane(profile_id),
        args=[profile_id],
    )


def track_event(
    profile_id: str,
    event_type: str,
    attributes: Mapping[str, Any] | None = None,
    session_id: str | None = None,
) -> Delivery:
    """Track a custom event (TrackEventV2) for a profile.

    TrackEventV2 links events to profiles, not sessions; ``session_id`` lets code that
    only knows the shopper's session (e.g. an anonymous visitor who signed up for the
    newsletter) pass it instead: the profile is taken from that session.
    """
    if not profile_id and session_id:
        session = CustomerSession.objects.filter(session_id=session_id).first()
        profile_id = session.profile_id if session else ""
    profile_id = _profile_id(profile_id)
    if not isinstance(event_type, str) or not event_type:
        raise InvalidPayload("event_type", f"must be a non-empty string, got {event_type!r}")
    if event_type.startswith(RESERVED_EVENT_PREFIX):
        raise InvalidPayload("event_type", f"{event_type!r} is a reserved built-in event name")
    validate_id("event_type", event_type)
    attributes = validate_attributes("attributes", attributes or {})
    return dispatch.send(
        "event",
        Operation.TRACK_EVENT,
        lane=profile_lane(profile_id),
        body={"profileId": profile_id, "type": event_type, "attributes": attributes},
    )
