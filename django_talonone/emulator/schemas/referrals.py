"""Request bodies of the referral operations.

``usageLimit`` is 0 to 999999 (0 means unlimited). For the multi-advocate call v4 requires
``usageLimit`` and today's API requires at least one advocate; both rules apply.
"""

from __future__ import annotations

from django_talonone.emulator.schemas.common import (
    DATE_TIME,
    FREE_FORM,
    INTEGER,
    INTEGRATION_ID,
    MAX_ITEMS,
    STRING,
    Schema,
    array,
    integer,
    model,
    string,
)

_USAGE_LIMIT = integer(minimum=0, maximum=999999)

NEW_REFERRAL: Schema = model(
    {
        "campaignId": INTEGER,
        "advocateProfileIntegrationId": INTEGRATION_ID,
        "friendProfileIntegrationId": STRING,
        "startDate": DATE_TIME,
        "expiryDate": DATE_TIME,
        "usageLimit": _USAGE_LIMIT,
        "attributes": FREE_FORM,
    },
    required=["campaignId", "advocateProfileIntegrationId"],
)

NEW_REFERRALS_FOR_MULTIPLE_ADVOCATES: Schema = model(
    {
        "campaignId": INTEGER,
        "advocateProfileIntegrationIds": array(STRING, min_items=1, max_items=MAX_ITEMS),
        "startDate": DATE_TIME,
        "expiryDate": DATE_TIME,
        "usageLimit": _USAGE_LIMIT,
        "attributes": FREE_FORM,
        "validCharacters": array(STRING),
        "referralPattern": string(min_length=3, max_length=100),
    },
    required=["campaignId", "advocateProfileIntegrationIds", "usageLimit"],
)
