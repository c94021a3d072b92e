"""Request bodies of the two event operations.

``trackEvent`` (``/v1/events``) only exists in v4, so v4's model rules alone: ``type``,
``sessionId`` and ``attributes`` are required. ``trackEventV2`` (``/v2/events``) is
today's replacement and follows today's schema: only ``type`` is required.
"""

from __future__ import annotations

from django_talonone.emulator.schemas.common import (
    FREE_FORM,
    ID_LIST,
    STRING,
    Schema,
    array,
    model,
    response_content,
    string,
)
from django_talonone.emulator.schemas.profiles import PROFILE_RESPONSE_CONTENT

_EVENT_TYPE = string(min_length=1)

NEW_EVENT: Schema = model(
    {
        "profileId": STRING,
        "type": _EVENT_TYPE,
        "attributes": FREE_FORM,
        "sessionId": string(min_length=1),
    },
    required=["type", "attributes", "sessionId"],
)

NEW_EVENT_V2: Schema = model(
    {
        "profileId": STRING,
        "storeIntegrationId": string(min_length=1, max_length=1000),
        "evaluableCampaignIds": ID_LIST,
        "type": _EVENT_TYPE,
        "attributes": FREE_FORM,
        "responseContent": response_content(PROFILE_RESPONSE_CONTENT),
        "loyaltyCards": array(STRING, max_items=1),
    },
    required=["type"],
)
