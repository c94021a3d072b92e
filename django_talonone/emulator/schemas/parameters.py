"""Query and path parameters each operation checks.

Flags are the literal ``true``/``false`` (what the official SDKs send), ``silent`` is
``yes``/``no``, dates are RFC 3339 date-times. Parameters an operation does not know are
ignored, as the real service does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

ParameterKind = Literal["boolean", "yes/no", "date-time"]

_INVENTORY_FLAGS = ("profile", "referrals", "coupons", "loyalty", "giveaways", "achievements")

QUERY_PARAMETERS: Mapping[str, Mapping[str, ParameterKind]] = {
    "createReferralsForMultipleAdvocates": {"silent": "yes/no"},
    "getCustomerInventory": {
        **dict.fromkeys(_INVENTORY_FLAGS, "boolean"),
        "loyaltyProjectionEndDate": "date-time",
    },
    "updateCustomerSessionV2": {"dry": "boolean", "now": "date-time"},
    "returnCartItems": {"dry": "boolean", "runRuleEngine": "boolean"},
    "trackEvent": {"dry": "boolean"},
    "trackEventV2": {"silent": "yes/no", "dry": "boolean", "forceCompleteEvaluation": "boolean"},
    "updateCustomerProfileV2": {"runRuleEngine": "boolean", "dry": "boolean"},
    "updateCustomerProfilesV2": {"silent": "yes/no"},
}

INTEGER_PATH_PARAMETERS = frozenset({"audienceId"})
"""Path parameters that name a numeric id; anything but an integer is a 400."""
