"""Typed shapes of the Talon.One payloads the app sends and reads (no runtime cost).

Keys are the wire names (camelCase, plus Talon.One's exceptions such as
``integrationIDs`` and ``StatusCode``). Fields Talon.One always sends are required in the
response shapes; today's additions to the v4 models are included as optional keys. Money
is ``Decimal`` (the client decodes non-integers as Decimal). Bodies passed to the client
are plain mappings, so these are documentation for type checkers, never validation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, TypedDict

SessionState = Literal["open", "closed", "partially_returned", "cancelled"]
JSONObject = dict[str, Any]

# -- requests ----------------------------------------------------------------------------


class AdditionalCost(TypedDict):
    price: Decimal


class _CartItemRequired(TypedDict):
    name: str
    sku: str
    quantity: int
    price: Decimal


class CartItem(_CartItemRequired, total=False):
    returnedQuantity: int
    remainingQuantity: int
    category: str
    weight: Decimal
    height: Decimal
    width: Decimal
    length: Decimal
    position: Decimal
    attributes: JSONObject
    additionalCosts: dict[str, AdditionalCost]
    catalogItemID: int


class NewCustomerSessionV2(TypedDict, total=False):
    profileId: str
    storeIntegrationId: str
    evaluableCampaignIds: list[int]
    couponCodes: list[str]
    referralCode: str
    loyaltyCards: list[str]
    state: SessionState
    cartItems: list[CartItem]
    additionalCosts: dict[str, AdditionalCost]
    identifiers: list[str]
    attributes: JSONObject


class _IntegrationRequestRequired(TypedDict):
    customerSession: NewCustomerSessionV2


class IntegrationRequest(_IntegrationRequestRequired, total=False):
    responseContent: list[str]


class _ReturnedCartItemRequired(TypedDict):
    position: int


class ReturnedCartItem(_ReturnedCartItemRequired, total=False):
    quantity: int
    sku: str


class NewReturn(TypedDict):
    returnedCartItems: list[ReturnedCartItem]


# ``return`` is a Python keyword, hence the functional syntax.
_ReturnRequired = TypedDict("_ReturnRequired", {"return": NewReturn})


class ReturnIntegrationRequest(_ReturnRequired, total=False):
    responseContent: list[str]


class _NewEventRequired(TypedDict):
    type: str
    attributes: JSONObject
    sessionId: str


class NewEvent(_NewEventRequired, total=False):
    profileId: str


class _EventV2Required(TypedDict):
    type: str


class IntegrationEventV2Request(_EventV2Required, total=False):
    profileId: str
    storeIntegrationId: str
    evaluableCampaignIds: list[int]
    attributes: JSONObject
    loyaltyCards: list[str]
    responseContent: list[str]


class _NewReferralRequired(TypedDict):
    campaignId: int
    advocateProfileIntegrationId: str


class NewReferral(_NewReferralRequired, total=False):
    startDate: str
    expiryDate: str
    usageLimit: int
    friendProfileIntegrationId: str
    attributes: JSONObject


class _NewReferralsForMultipleAdvocatesRequired(TypedDict):
    usageLimit: int
    campaignId: int
    advocateProfileIntegrationIds: list[str]


class NewReferralsForMultipleAdvocates(_NewReferralsForMultipleAdvocatesRequired, total=False):
    startDate: str
    expiryDate: str
    attributes: JSONObject
    validCharacters: list[str]
    referralPattern: str


class _NewAudienceRequired(TypedDict):
    name: str


class NewAudience(_NewAudienceRequired, total=False):
    integration: str
    integrationId: str


class UpdateAudience(TypedDict):
    name: str


class CouponReservations(TypedDict):
    integrationIDs: list[str]


class CustomerProfileAudienceRequestItem(TypedDict):
    action: Literal["add", "delete"]
    profileIntegrationId: str
    audienceId: int


class CustomerProfileAudienceRequest(TypedDict, total=False):
    data: list[CustomerProfileAudienceRequestItem]


class ProfileAudiencesChanges(TypedDict):
    adds: list[int]
    deletes: list[int]


class CustomerProfileIntegrationRequestV2(TypedDict, total=False):
    attributes: JSONObject
    audiencesChanges: ProfileAudiencesChanges
    responseContent: list[str]


class _ProfileItemRequired(TypedDict):
    integrationId: str


class MultipleCustomerProfileIntegrationRequestItem(_ProfileItemRequired, total=False):
    attributes: JSONObject


class MultipleCustomerProfileIntegrationRequest(TypedDict, total=False):
    customerProfiles: list[MultipleCustomerProfileIntegrationRequestItem]


# -- responses ---------------------------------------------------------------------------


class ErrorSource(TypedDict, total=False):
    pointer: str
    parameter: str
    line: str
    resource: str


class _APIErrorRequired(TypedDict):
    title: str
    source: ErrorSource


class APIError(_APIErrorRequired, total=False):
    details: str


class _ErrorResponseRequired(TypedDict):
    message: str


class ErrorResponse(_ErrorResponseRequired, total=False):
    errors: list[APIError]


class ErrorResponseWithStatus(TypedDict, total=False):
    message: str
    errors: list[APIError]
    StatusCode: int


class _EffectRequired(TypedDict):
    campaignId: int
    rulesetId: int
    ruleIndex: int
    ruleName: str
    effectType: str
    props: JSONObject


class Effect(_EffectRequired, total=False):
    triggeredByCoupon: int
    triggeredForCatalogItem: int
    conditionIndex: int
    evaluationGroupID: int
    evaluationGroupMode: str
    campaignRevisionId: int
    campaignRevisionVersionId: int


class _CustomerSessionV2Required(TypedDict):
    integrationId: str
    created: str
    applicationId: int
    profileId: str
    state: SessionState
    cartItems: list[CartItem]
    attributes: JSONObject
    firstSession: bool
    total: Decimal
    cartItemTotal: Decimal
    additionalCostTotal: Decimal
    updated: str


class CustomerSessionV2(_CustomerSessionV2Required, total=False):
    id: int
    storeIntegrationId: str
    evaluableCampaignIds: list[int]
    couponCodes: list[str]
    referralCode: str
    loyaltyCards: list[str]
    additionalCosts: dict[str, AdditionalCost]
    identifiers: list[str]
    updateCount: int


class _CustomerProfileRequired(TypedDict):
    id: int
    created: str
    integrationId: str
    attributes: JSONObject
    accountId: int
    closedSessions: int
    totalSales: Decimal
    lastActivity: str


class CustomerProfile(_CustomerProfileRequired, total=False):
    loyaltyMemberships: list[JSONObject]
    audienceMemberships: list[JSONObject]
    sandbox: bool


class _CouponRequired(TypedDict):
    id: int
    created: str
    campaignId: int
    value: str
    usageLimit: int
    usageCounter: int


class Coupon(_CouponRequired, total=False):
    discountLimit: Decimal
    reservationLimit: int
    startDate: str
    expiryDate: str
    limits: list[JSONObject]
    discountCounter: Decimal
    discountRemainder: Decimal
    reservationCounter: int
    attributes: JSONObject
    referralId: int
    recipientIntegrationId: str
    importId: int
    reservation: bool
    batchId: str
    isReservationMandatory: bool
    implicitlyReserved: bool


class InventoryCoupon(Coupon):
    profileRedemptionCount: int
    state: Literal["active", "used", "expired", "pending", "disabled"]


class _ReferralRequired(TypedDict):
    id: int
    created: str
    usageLimit: int
    campaignId: int
    advocateProfileIntegrationId: str
    code: str
    usageCounter: int


class Referral(_ReferralRequired, total=False):
    startDate: str
    expiryDate: str
    friendProfileIntegrationId: str
    attributes: JSONObject
    importId: int
    batchId: str


class _AudienceRequired(TypedDict):
    accountId: int
    id: int
    created: str
    name: str


class Audience(_AudienceRequired, total=False):
    integration: str
    integrationId: str


class _ReturnRecordRequired(TypedDict):
    id: int
    created: str
    applicationId: int
    accountId: int
    returnedCartItems: list[ReturnedCartItem]
    eventId: int
    sessionId: int
    sessionIntegrationId: str


class Return(_ReturnRecordRequired, total=False):
    profileId: int
    profileIntegrationId: str
    createdBy: int


class _IntegrationStateV2Required(TypedDict):
    effects: list[Effect]
    createdCoupons: list[Coupon]
    createdReferrals: list[Referral]


_IntegrationStateV2Optional = TypedDict(
    "_IntegrationStateV2Optional",
    {
        "customerSession": CustomerSessionV2,
        "customerProfile": CustomerProfile,
        "event": JSONObject,
        "loyalty": JSONObject,
        "referral": JSONObject,
        "coupons": list[Coupon],
        "triggeredCampaigns": list[JSONObject],
        "ruleFailureReasons": list[JSONObject],
        "awardedGiveaways": list[JSONObject],
        "return": Return,
        "previousReturns": list[Return],
    },
    total=False,
)


class IntegrationStateV2(_IntegrationStateV2Required, _IntegrationStateV2Optional):
    """The evaluation result of a session, profile, event or return update."""


class IntegrationState(TypedDict, total=False):
    """TrackEvent's v1 reply; the app reads little of it, so nested parts stay loose."""

    session: JSONObject
    profile: CustomerProfile
    event: JSONObject
    loyalty: JSONObject
    coupon: Coupon


class IntegrationCustomerSessionResponse(TypedDict, total=False):
    customerSession: CustomerSessionV2
    effects: list[Effect]


class CustomerInventory(TypedDict, total=False):
    profile: CustomerProfile
    loyalty: JSONObject
    referrals: list[JSONObject]
    coupons: list[InventoryCoupon]
    giveaways: list[JSONObject]
    achievements: list[JSONObject]


class InlineResponse200(TypedDict):
    """GetReservedCustomers: the profiles holding a reservation of the coupon."""

    totalResultSize: int
    data: list[CustomerProfile]


class InlineResponse201(TypedDict):
    """CreateReferralsForMultipleAdvocates (``silent=no``): the created referrals."""

    totalResultSize: int
    data: list[Referral]


class MultipleCustomerProfileIntegrationResponseV2(TypedDict, total=False):
    integrationStates: list[IntegrationStateV2]
