"""``TalonOneClient``: one method per Integration API operation, named like the official SDK.

Convention: path parameters first (positional), then ``body`` (a JSON-shaped mapping
with the API's camelCase names, sent as-is), then query parameters as keyword-only
snake_case arguments; every POST also takes ``idempotency_key``. Each method returns the
decoded JSON (``None`` for 204) and raises ``TalonOneError`` subclasses.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, Literal, cast

from .encoding import path_segment, query_bool, query_datetime, query_silent
from .errors import TalonOneValidationError
from .transport import Operation, Transport
from .types import (
    Audience,
    Coupon,
    CouponReservations,
    CustomerInventory,
    CustomerProfileAudienceRequest,
    CustomerProfileIntegrationRequestV2,
    InlineResponse200,
    InlineResponse201,
    IntegrationCustomerSessionResponse,
    IntegrationEventV2Request,
    IntegrationRequest,
    IntegrationState,
    IntegrationStateV2,
    MultipleCustomerProfileIntegrationRequest,
    MultipleCustomerProfileIntegrationResponseV2,
    NewAudience,
    NewEvent,
    NewReferral,
    NewReferralsForMultipleAdvocates,
    Referral,
    ReturnIntegrationRequest,
    UpdateAudience,
)

__all__ = ["OPERATIONS", "TalonOneClient"]

Body = Mapping[str, Any]
Silent = bool | Literal["yes", "no"]

# name, HTTP method, safe to repeat after a maybe-applied failure, manager auth
OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("createAudienceV2", "POST", idempotent=False),
        Operation("createCouponReservation", "POST", idempotent=True),
        Operation("createReferral", "POST", idempotent=False),
        Operation("createReferralsForMultipleAdvocates", "POST", idempotent=False),
        Operation("deleteAudienceMembershipsV2", "DELETE", idempotent=True, management=True),
        Operation("deleteAudienceV2", "DELETE", idempotent=True, management=True),
        Operation("deleteCouponReservation", "DELETE", idempotent=True),
        Operation("deleteCustomerData", "DELETE", idempotent=True),
        Operation("getCustomerInventory", "GET", idempotent=True),
        Operation("getCustomerSession", "GET", idempotent=True),
        Operation("getReservedCustomers", "GET", idempotent=True),
        # Talon.One stores and replays replies per Idempotency-Key, which we always send.
        Operation("returnCartItems", "POST", idempotent=True, keyed=True),
        Operation("trackEvent", "POST", idempotent=False),
        # Applied once per Idempotency-Key (24 h): repeated only when the caller gave one.
        Operation("trackEventV2", "POST", idempotent=False, keyed=True),
        Operation("updateAudienceCustomersAttributes", "PUT", idempotent=True),
        Operation("updateAudienceV2", "PUT", idempotent=True),
        # Adding or deleting a membership twice leaves the same memberships.
        Operation("updateCustomerProfileAudiences", "POST", idempotent=True),
        Operation("updateCustomerProfileV2", "PUT", idempotent=True, keyed=True),
        Operation("updateCustomerProfilesV2", "PUT", idempotent=True, keyed=True),
        Operation("updateCustomerSessionV2", "PUT", idempotent=True, keyed=True),
    )
}
_OP = OPERATIONS


def _key(value: str | None) -> str | None:
    """Check an Idempotency-Key: a header-safe token of at most 255 characters."""
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= 255
        or not value.isascii()
        or not value.isprintable()
        or " " in value
    ):
        raise TalonOneValidationError(
            "idempotency_key must be 1-255 printable ASCII characters without spaces"
        )
    return value


def _query(**params: str | None) -> dict[str, str] | None:
    present = {name: value for name, value in params.items() if value is not None}
    return present or None


def _flag(value: bool | None, name: str) -> str | None:
    return None if value is None else query_bool(value, name)


class TalonOneClient(Transport):
    """Client for Talon.One's Integration API.

    ``TalonOneClient(base_url, api_key, management_key=None, *, management_token=None,
    timeout=(3.05, 10.0), max_attempts=4, deadline=20.0, backoff=0.25, backoff_max=4.0,
    session=None, user_agent=None, max_reply_bytes=4 MiB, max_reply_depth=64)``;
    ``clock``, ``sleep`` and ``wall_clock`` can be
    injected so retry tests need no real waiting. Use it as a context manager or call
    ``close()`` to release its pooled connections.
    """

    # -- audiences -------------------------------------------------------------------------

    def create_audience_v2(
        self, body: NewAudience | Body, *, idempotency_key: str | None = None
    ) -> Audience:
        """Create an audience; 409 if one with this integrationId exists (never retried)."""
        return cast(
            Audience,
            self._call(_OP["createAudienceV2"], "/v2/audiences", body, None, _key(idempotency_key)),
        )

    def update_audience_v2(self, audience_id: int, body: UpdateAudience | Body) -> Audience:
        """Rename an audience."""
        path = "/v2/audiences/" + path_segment(audience_id, "audience_id")
        return cast(Audience, self._call(_OP["updateAudienceV2"], path, body))

    def delete_audience_v2(self, audience_id: int) -> None:
        """Delete an audience (manager auth when a management credential is configured)."""
        path = "/v2/audiences/" + path_segment(audience_id, "audience_id")
        self._call(_OP["deleteAudienceV2"], path)

    def delete_audience_memberships_v2(self, audience_id: int) -> None:
        """Remove every member of an audience (manager auth when configured)."""
        path = f"/v2/audiences/{path_segment(audience_id, 'audience_id')}/memberships"
        self._call(_OP["deleteAudienceMembershipsV2"], path)

    def update_audience_customers_attributes(self, audience_id: int, body: Body) -> None:
        """Set profile attributes on every member of an audience."""
        path = f"/v2/audience_customers/{path_segment(audience_id, 'audience_id')}/attributes"
        self._call(_OP["updateAudienceCustomersAttributes"], path, body)

    def update_customer_profile_audiences(
        self,
        body: CustomerProfileAudienceRequest | Body,
        *,
        idempotency_key: str | None = None,
    ) -> None:
        """Add profiles to / remove them from audiences, in bulk."""
        op = _OP["updateCustomerProfileAudiences"]
        self._call(op, "/v2/customer_audiences", body, None, _key(idempotency_key))

    # -- coupons and referrals -------------------------------------------------------------

    def create_coupon_reservation(
        self,
        coupon_value: str,
        body: CouponReservations | Body,
        *,
        idempotency_key: str | None = None,
    ) -> Coupon:
        """Reserve a coupon for the profiles in ``body["integrationIDs"]`` (a soft hold)."""
        path = "/v1/coupon_reservations/" + path_segment(coupon_value, "coupon_value")
        op = _OP["createCouponReservation"]
        return cast(Coupon, self._call(op, path, body, None, _key(idempotency_key)))

    def delete_coupon_reservation(self, coupon_value: str, body: CouponReservations | Body) -> None:
        """Release the coupon's reservations for the listed profiles."""
        path = "/v1/coupon_reservations/" + path_segment(coupon_value, "coupon_value")
        self._call(_OP["deleteCouponReservation"], path, body)

    def get_reserved_customers(self, coupon_value: str) -> InlineResponse200:
        """The profiles holding a reservation of ``coupon_value``."""
        path = "/v1/coupon_reservations/customerprofiles/" + path_segment(
            coupon_value, "coupon_value"
        )
        return cast(InlineResponse200, self._call(_OP["getReservedCustomers"], path))

    def create_referral(
        self, body: NewReferral | Body, *, idempotency_key: str | None = None
    ) -> Referral:
        """Create a referral code for one advocate (never retried once maybe applied)."""
        op = _OP["createReferral"]
        return cast(Referral, self._call(op, "/v1/referrals", body, None, _key(idempotency_key)))

    def create_referrals_for_multiple_advocates(
        self,
        body: NewReferralsForMultipleAdvocates | Body,
        *,
        silent: Silent | None = None,
        idempotency_key: str | None = None,
    ) -> InlineResponse201 | None:
        """Create referral codes for many advocates; ``silent=True`` (the default) -> None."""
        query = None if silent is None else {"silent": query_silent(silent)}
        op = _OP["createReferralsForMultipleAdvocates"]
        path = "/v1/referrals_for_multiple_advocates"
        return cast(
            "InlineResponse201 | None", self._call(op, path, body, query, _key(idempotency_key))
        )

    # -- customer data ---------------------------------------------------------------------

    def delete_customer_data(self, integration_id: str) -> None:
        """Erase a customer's personal data (GDPR)."""
        path = "/v1/customer_data/" + path_segment(integration_id, "integration_id")
        self._call(_OP["deleteCustomerData"], path)

    def get_customer_inventory(
        self,
        integration_id: str,
        *,
        profile: bool | None = None,
        referrals: bool | None = None,
        coupons: bool | None = None,
        loyalty: bool | None = None,
        giveaways: bool | None = None,
        achievements: bool | None = None,
        loyalty_projection_end_date: dt.datetime | str | None = None,
    ) -> CustomerInventory:
        """A customer's wallet: the parts asked for (coupons, referrals, loyalty ...)."""
        path = f"/v1/customer_profiles/{path_segment(integration_id, 'integration_id')}/inventory"
        query = _query(
            profile=_flag(profile, "profile"),
            referrals=_flag(referrals, "referrals"),
            coupons=_flag(coupons, "coupons"),
            loyalty=_flag(loyalty, "loyalty"),
            giveaways=_flag(giveaways, "giveaways"),
            achievements=_flag(achievements, "achievements"),
            loyaltyProjectionEndDate=None
            if loyalty_projection_end_date is None
            else query_datetime(loyalty_projection_end_date, "loyalty_projection_end_date"),
        )
        return cast(CustomerInventory, self._call(_OP["getCustomerInventory"], path, query=query))

    def update_customer_profile_v2(
        self,
        integration_id: str,
        body: CustomerProfileIntegrationRequestV2 | Body,
        *,
        run_rule_engine: bool | None = None,
        dry: bool | None = None,
        idempotency_key: str | None = None,
    ) -> IntegrationStateV2:
        """Create or update one customer profile."""
        path = "/v2/customer_profiles/" + path_segment(integration_id, "integration_id")
        query = _query(
            runRuleEngine=_flag(run_rule_engine, "run_rule_engine"), dry=_flag(dry, "dry")
        )
        return cast(
            IntegrationStateV2,
            self._call(_OP["updateCustomerProfileV2"], path, body, query, _key(idempotency_key)),
        )

    def update_customer_profiles_v2(
        self,
        body: MultipleCustomerProfileIntegrationRequest | Body,
        *,
        silent: Silent | None = None,
        idempotency_key: str | None = None,
    ) -> MultipleCustomerProfileIntegrationResponseV2 | None:
        """Create or update up to 1000 profiles; ``silent=True`` (the default) -> None."""
        query = None if silent is None else {"silent": query_silent(silent)}
        return cast(
            "MultipleCustomerProfileIntegrationResponseV2 | None",
            self._call(
                _OP["updateCustomerProfilesV2"],
                "/v2/customer_profiles",
                body,
                query,
                _key(idempotency_key),
            ),
        )

    # -- sessions and events ---------------------------------------------------------------

    def get_customer_session(self, customer_session_id: str) -> IntegrationCustomerSessionResponse:
        """A session as Talon.One holds it (with today's still-valid effects)."""
        path = "/v2/customer_sessions/" + path_segment(customer_session_id, "customer_session_id")
        return cast(IntegrationCustomerSessionResponse, self._call(_OP["getCustomerSession"], path))

    def update_customer_session_v2(
        self,
        customer_session_id: str,
        body: IntegrationRequest | Body,
        *,
        dry: bool | None = None,
        now: dt.datetime | str | None = None,
        idempotency_key: str | None = None,
    ) -> IntegrationStateV2:
        """Create or update a session (the cart) and get its effects: the hot path."""
        path = "/v2/customer_sessions/" + path_segment(customer_session_id, "customer_session_id")
        if dry is None and now is None:
            query = None
        else:
            query = _query(
                dry=_flag(dry, "dry"), now=None if now is None else query_datetime(now, "now")
            )
        return cast(
            IntegrationStateV2,
            self._call(_OP["updateCustomerSessionV2"], path, body, query, _key(idempotency_key)),
        )

    def return_cart_items(
        self,
        customer_session_id: str,
        body: ReturnIntegrationRequest | Body,
        *,
        dry: bool | None = None,
        run_rule_engine: bool | None = None,
        idempotency_key: str | None = None,
    ) -> IntegrationStateV2:
        """Return items of a closed session.

        Always sends an ``Idempotency-Key`` (a fresh uuid4 unless given), reused by every
        retry, so Talon.One applies the return once even if a reply is lost. Pass a key
        derived from your own record to stay safe across processes too.
        """
        key = _key(idempotency_key) or str(uuid.uuid4())
        path = (
            "/v2/customer_sessions/"
            f"{path_segment(customer_session_id, 'customer_session_id')}/returns"
        )
        query = _query(
            dry=_flag(dry, "dry"), runRuleEngine=_flag(run_rule_engine, "run_rule_engine")
        )
        return cast(IntegrationStateV2, self._call(_OP["returnCartItems"], path, body, query, key))

    def track_event(
        self,
        body: NewEvent | Body,
        *,
        dry: bool | None = None,
        idempotency_key: str | None = None,
    ) -> IntegrationState:
        """Track a custom event (v1; removed from today's API, see ``track_event_v2``)."""
        query = _query(dry=_flag(dry, "dry"))
        op = _OP["trackEvent"]
        return cast(
            IntegrationState, self._call(op, "/v1/events", body, query, _key(idempotency_key))
        )

    def track_event_v2(
        self,
        body: IntegrationEventV2Request | Body,
        *,
        silent: Silent | None = None,
        dry: bool | None = None,
        force_complete_evaluation: bool | None = None,
        idempotency_key: str | None = None,
    ) -> IntegrationStateV2 | None:
        """Track a custom event (today's API); ``silent=True`` (the default) -> None."""
        query = _query(
            silent=None if silent is None else query_silent(silent),
            dry=_flag(dry, "dry"),
            forceCompleteEvaluation=_flag(force_complete_evaluation, "force_complete_evaluation"),
        )
        op = _OP["trackEventV2"]
        return cast(
            "IntegrationStateV2 | None",
            self._call(op, "/v2/events", body, query, _key(idempotency_key)),
        )
