"""Request bodies of the audience operations.

``integration`` keeps v4's enum (``mparticle``/``segment``): today's API accepts any
string there, so demanding the v4 values keeps requests valid for both. Today's extra
fields (``sandbox``, ``description``, ``subscribedApplicationsIds``, ``createdIn3rdParty``,
``lastUpdate``) are accepted. The body of UpdateAudienceCustomersAttributes is, by design,
a free-form attribute map.
"""

from __future__ import annotations

from django_talonone.emulator.schemas.common import (
    BOOLEAN,
    DATE_TIME,
    FREE_FORM,
    INTEGER,
    INTEGRATION_ID,
    MAX_ITEMS,
    STRING,
    Schema,
    array,
    model,
    one_of_values,
    string,
)

_NAME = string(min_length=1)
_APPLICATION_IDS = array(INTEGER, unique=True)

NEW_AUDIENCE: Schema = model(
    {
        "name": _NAME,
        "integration": one_of_values(["mparticle", "segment"]),
        "integrationId": string(min_length=1, max_length=1000),
        "description": STRING,
        "sandbox": BOOLEAN,
        "subscribedApplicationsIds": _APPLICATION_IDS,
        "createdIn3rdParty": BOOLEAN,
        "lastUpdate": DATE_TIME,
    },
    required=["name"],
)

UPDATE_AUDIENCE: Schema = model(
    {"name": _NAME, "subscribedApplicationsIds": _APPLICATION_IDS},
    required=["name"],
)

AUDIENCE_CUSTOMER_ATTRIBUTES: Schema = FREE_FORM

CUSTOMER_PROFILE_AUDIENCE_REQUEST: Schema = model(
    {
        "data": array(
            model(
                {
                    "action": one_of_values(["add", "delete"]),
                    "profileIntegrationId": INTEGRATION_ID,
                    "audienceId": INTEGER,
                },
                required=["action", "profileIntegrationId", "audienceId"],
            ),
            max_items=MAX_ITEMS,
        )
    }
)
