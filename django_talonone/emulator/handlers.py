"""The operation table: one handler per operation name in ``routing.OPERATIONS``.

Handlers take the state and a decoded :class:`~.routing.Request` and return a
:class:`~.routing.Response` or raise :class:`~.errors.ApiError`. The HTTP shell holds a
global lock around each call, validates bodies against the schemas first, and turns
errors into Talon.One error bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from . import audiences, coupons, events, profiles, referrals, returns, sessions
from .idempotency import KEYED_OPERATIONS, honour_keys
from .routing import Request, Response
from .state import EmulatorState
from .unmodelled import mark_unmodelled

Handler = Callable[[EmulatorState, Request], Response]

_HANDLERS: Mapping[str, Handler] = {
    "createAudienceV2": audiences.create_audience_v2,
    "updateAudienceV2": audiences.update_audience_v2,
    "deleteAudienceV2": audiences.delete_audience_v2,
    "deleteAudienceMembershipsV2": audiences.delete_audience_memberships_v2,
    "updateAudienceCustomersAttributes": audiences.update_audience_customers_attributes,
    "updateCustomerProfileAudiences": audiences.update_customer_profile_audiences,
    "createCouponReservation": coupons.create_coupon_reservation,
    "deleteCouponReservation": coupons.delete_coupon_reservation,
    "getReservedCustomers": coupons.get_reserved_customers,
    "createReferral": referrals.create_referral,
    "createReferralsForMultipleAdvocates": referrals.create_referrals_for_multiple_advocates,
    "deleteCustomerData": profiles.delete_customer_data,
    "getCustomerInventory": coupons.get_customer_inventory,
    "getCustomerSession": sessions.get_customer_session,
    "updateCustomerSessionV2": sessions.update_customer_session_v2,
    "returnCartItems": returns.return_cart_items,
    "trackEvent": events.track_event,
    "updateCustomerProfileV2": profiles.update_customer_profile_v2,
    "updateCustomerProfilesV2": profiles.update_customer_profiles_v2,
    "trackEventV2": events.track_event_v2,
}

HANDLERS: Mapping[str, Handler] = {
    name: honour_keys(mark_unmodelled(handler))
    if name in KEYED_OPERATIONS
    else mark_unmodelled(handler)
    for name, handler in _HANDLERS.items()
}
