"""Request-body JSON Schemas (Draft 2020-12) of every emulated operation.

A body must satisfy both Talon.One's v4 models and today's API: v4's required fields and
enums, today's limits and today's extra fields. Operations absent from
:data:`BODY_SCHEMAS` take no body, and one sent anyway is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from django_talonone.emulator.schemas import (
    audiences,
    coupons,
    events,
    profiles,
    referrals,
    sessions,
)
from django_talonone.emulator.schemas.common import Schema

BODY_SCHEMAS: Mapping[str, Schema] = {
    "createAudienceV2": audiences.NEW_AUDIENCE,
    "updateAudienceV2": audiences.UPDATE_AUDIENCE,
    "updateAudienceCustomersAttributes": audiences.AUDIENCE_CUSTOMER_ATTRIBUTES,
    "updateCustomerProfileAudiences": audiences.CUSTOMER_PROFILE_AUDIENCE_REQUEST,
    "createCouponReservation": coupons.COUPON_RESERVATIONS,
    "deleteCouponReservation": coupons.COUPON_RESERVATIONS,
    "createReferral": referrals.NEW_REFERRAL,
    "createReferralsForMultipleAdvocates": referrals.NEW_REFERRALS_FOR_MULTIPLE_ADVOCATES,
    "updateCustomerSessionV2": sessions.SESSION_UPDATE,
    "returnCartItems": sessions.RETURN_REQUEST,
    "trackEvent": events.NEW_EVENT,
    "trackEventV2": events.NEW_EVENT_V2,
    "updateCustomerProfileV2": profiles.CUSTOMER_PROFILE_UPDATE,
    "updateCustomerProfilesV2": profiles.MULTIPLE_CUSTOMER_PROFILES,
}

__all__ = ["BODY_SCHEMAS", "Schema"]
