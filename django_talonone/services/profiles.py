"""Customer profiles and custom events: profile sync, GDPR erasure, tracked events.

All three are queued on the profile's lane, so an erasure never overtakes the profile
update before it, and Talon.One never sees two parallel writes to one profile (409).

A customer exists in each Application they shop in: a profile update goes to the
Application the customer is routed to and to every Application holding one of their
sessions, each on that Application's lane of the profile. An erasure goes to every
configured Application (see :func:`forget_customer`).
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
from django_talonone.applications import DEFAULT_APPLICATION, application_for
from django_talonone.conf import get_settings
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


def customer_applications(profile_id: str, routed: str | None = None) -> list[str]:
    """The Applications a profile exists in: ``routed`` (the customer's routed one) and
    each holding one of its sessions, in settings order (one query)."""
    configured = list(get_settings().applications)
    if len(configured) == 1:
        return configured
    shopped = set(
        CustomerSession.objects.filter(profile_id=profile_id)
        .values_list("application", flat=True)
        .distinct()
    )
    wanted = shopped | {routed or DEFAULT_APPLICATION}
    return [name for name in configured if name in wanted]


def _chosen(application: str | None) -> list[str]:
    """``[application]`` checked against the settings, or ``[]`` when none is named."""
    if application is None:
        return []
    return [get_settings().for_application(application).application]


def sync_customer(
    customer: Any, *, adapter: CustomerAdapter | None = None, application: str | None = None
) -> list[Delivery]:
    """Send the customer's profile attributes (a newer snapshot supersedes an older one)
    to ``application``, or (``None``) to every Application the customer exists in."""
    adapter = adapter or customer_adapter_for(customer)
    profile_id, body = adapter.build_profile(customer)
    targets = _chosen(application) or customer_applications(
        profile_id, application_for(customer, "customer", adapter)
    )
    return [
        dispatch.send(
            "profile",
            Operation.UPDATE_PROFILE,
            lane=profile_lane(profile_id, name),
            args=[profile_id],
            body=body,
            supersedable=True,
            application=name,
        )
        for name in targets
    ]


def forget_customer(profile_id: str, *, application: str | None = None) -> list[Delivery]:
    """Erase the profile's data in Talon.One (DeleteCustomerData), after queued updates:
    in ``application``, or (``None``) through every configured Application.

    Talon.One erases a profile in every Application of the key's environment at once; the
    other Applications of that environment then answer 404 (nothing left), which settles
    their rows. Sending through each covers Applications in other environments too.
    """
    profile_id = _profile_id(profile_id)
    targets = _chosen(application) or list(get_settings().applications)
    return [
        dispatch.send(
            "delete_customer",
            Operation.DELETE_CUSTOMER,
            lane=profile_lane(profile_id, name),
            args=[profile_id],
            application=name,
        )
        for name in targets
    ]


def track_event(
    profile_id: str,
    event_type: str,
    attributes: Mapping[str, Any] | None = None,
    session_id: str | None = None,
    *,
    application: str | None = None,
) -> Delivery:
    """Track a custom event (TrackEventV2) for a profile, in ``application`` (default: the
    Application of ``session_id``, else of the profile's latest session, else the default).

    TrackEventV2 links events to profiles, not sessions; ``session_id`` lets code that
    only knows the shopper's session (e.g. an anonymous visitor who signed up for the
    newsletter) pass it instead: the profile is taken from that session.
    """
    session = CustomerSession.objects.filter(session_id=session_id).first() if session_id else None
    if not profile_id and session is not None:
        profile_id = session.profile_id
    profile_id = _profile_id(profile_id)
    if application is None:
        # The event belongs where the shopper shops: the session's, else their latest one's.
        latest = session or (
            CustomerSession.objects.filter(profile_id=profile_id).order_by("-pk").first()
        )
        application = latest.application if latest is not None else DEFAULT_APPLICATION
    else:
        application = get_settings().for_application(application).application
    if not isinstance(event_type, str) or not event_type:
        raise InvalidPayload("event_type", f"must be a non-empty string, got {event_type!r}")
    if event_type.startswith(RESERVED_EVENT_PREFIX):
        raise InvalidPayload("event_type", f"{event_type!r} is a reserved built-in event name")
    validate_id("event_type", event_type)
    attributes = validate_attributes("attributes", attributes or {})
    return dispatch.send(
        "event",
        Operation.TRACK_EVENT,
        lane=profile_lane(profile_id, application),
        body={"profileId": profile_id, "type": event_type, "attributes": attributes},
        application=application,
    )
