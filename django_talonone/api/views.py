"""``GET wallet/``: the signed-in shopper's coupon wallet, as JSON.

The answer is always ``200``: when Talon.One cannot be asked the body says
``"available": false`` with empty sections, exactly what the template tag shows, so a
front-end has one shape to handle and a Talon.One outage never turns into a 5xx.
Responses are personal: they carry ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError  # type: ignore[import-untyped]
from rest_framework.permissions import IsAuthenticated  # type: ignore[import-untyped]
from rest_framework.response import Response  # type: ignore[import-untyped]
from rest_framework.throttling import ScopedRateThrottle  # type: ignore[import-untyped]
from rest_framework.views import APIView  # type: ignore[import-untyped]

from django_talonone.conf import get_settings
from django_talonone.wallet import ALL_APPLICATIONS, get_wallet

from .permissions import PROFILE_PARAMETER, CanViewRequestedWallet
from .serializers import WalletSerializer
from .throttling import WALLET_SCOPE, WalletRateThrottle

__all__ = ["WalletView"]

#: Which Application's wallet (``*``: every one, merged); default: the default one.
APPLICATION_PARAMETER = "application"
#: Talon.One's limit on a profile's integration id.
MAX_PROFILE_ID_LENGTH = 1000


def requested_profile(values: list[str]) -> str:
    """The ``?profile=`` value, checked; a 400 names what is wrong with it."""
    if len(values) != 1:
        raise ValidationError({PROFILE_PARAMETER: ["Give exactly one profile id."]})
    value = values[0]
    if not value.strip():
        raise ValidationError({PROFILE_PARAMETER: ["The profile id must not be empty."]})
    if len(value) > MAX_PROFILE_ID_LENGTH:
        raise ValidationError(
            {PROFILE_PARAMETER: [f"A profile id has at most {MAX_PROFILE_ID_LENGTH} characters."]}
        )
    if value in (".", ".."):
        raise ValidationError(
            {PROFILE_PARAMETER: ["The profile id cannot be '.' or '..' (not sendable in a URL)."]}
        )
    if any(not character.isprintable() for character in value):
        raise ValidationError(
            {PROFILE_PARAMETER: ["The profile id must not contain control characters."]}
        )
    return value


def requested_application(request: Any) -> str | None:
    """``?application=`` (a configured name, or ``*`` for every one merged); a 400 names
    the configured ones."""
    values = request.query_params.getlist(APPLICATION_PARAMETER)
    if not values:
        return None
    known = list(get_settings().applications)
    if len(values) != 1 or values[0] not in [*known, ALL_APPLICATIONS]:
        message = f"Give one of: {', '.join([*known, ALL_APPLICATIONS])}."
        raise ValidationError({APPLICATION_PARAMETER: [message]})
    return str(values[0])


class WalletView(APIView):  # type: ignore[misc]
    """The caller's wallet; staff with the permission may pass ``?profile=<id>``."""

    permission_classes = [IsAuthenticated, CanViewRequestedWallet]
    throttle_scope = WALLET_SCOPE

    def get_throttles(self) -> list[Any]:
        # The shop's default throttles still apply; a plain ScopedRateThrottle is replaced
        # by ours, which lets the wallet through while no rate is configured for its scope.
        defaults = [
            throttle
            for throttle in super().get_throttles()
            if type(throttle) is not ScopedRateThrottle
        ]
        return [*defaults, WalletRateThrottle()]

    def get(self, request: Any) -> Any:
        if PROFILE_PARAMETER in request.query_params:
            profile_id = requested_profile(request.query_params.getlist(PROFILE_PARAMETER))
        else:
            profile_id = get_settings().profile_id_for(request.user)
        wallet = get_wallet(profile_id, application=requested_application(request))
        response = Response(WalletSerializer(wallet).data)
        response["Cache-Control"] = "private, no-store"
        return response
