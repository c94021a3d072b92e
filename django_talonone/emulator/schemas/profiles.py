"""Request bodies of the customer profile operations.

``responseContent`` takes v4's values plus today's ``campaignEligibility``;
``evaluableCampaignIds`` is today's addition. ``audiencesChanges`` needs both lists, as in
v4 and today.
"""

from __future__ import annotations

from django_talonone.emulator.schemas.common import (
    FREE_FORM,
    ID_LIST,
    INTEGRATION_ID,
    MAX_ITEMS,
    Schema,
    array,
    model,
    response_content,
)

PROFILE_RESPONSE_CONTENT = (
    "customerProfile",
    "triggeredCampaigns",
    "loyalty",
    "event",
    "awardedGiveaways",
    "ruleFailureReasons",
    "campaignEligibility",
)

CUSTOMER_PROFILE_UPDATE: Schema = model(
    {
        "attributes": FREE_FORM,
        "audiencesChanges": model(
            {"adds": ID_LIST, "deletes": ID_LIST}, required=["adds", "deletes"]
        ),
        "responseContent": response_content(PROFILE_RESPONSE_CONTENT),
        "evaluableCampaignIds": ID_LIST,
    }
)

MULTIPLE_CUSTOMER_PROFILES: Schema = model(
    {
        "customerProfiles": array(
            model(
                {"integrationId": INTEGRATION_ID, "attributes": FREE_FORM},
                required=["integrationId"],
            ),
            max_items=MAX_ITEMS,
        )
    }
)
