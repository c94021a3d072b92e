"""Who may read which wallet: shoppers their own, staff with a permission anyone's."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission  # type: ignore[import-untyped]

__all__ = ["PROFILE_PARAMETER", "VIEW_OTHER_WALLETS", "CanViewRequestedWallet"]

#: The query parameter naming another shopper's Talon.One profile id.
PROFILE_PARAMETER = "profile"
#: The permission that lets staff read any wallet (Django's "view customer session").
VIEW_OTHER_WALLETS = "django_talonone.view_customersession"


class CanViewRequestedWallet(BasePermission):  # type: ignore[misc]
    """Without ``?profile=`` anyone authenticated passes (they get their own wallet);
    with it, only users holding :data:`VIEW_OTHER_WALLETS`."""

    message = (
        f"Only users with the {VIEW_OTHER_WALLETS!r} permission may read another "
        f"shopper's wallet; leave out ?{PROFILE_PARAMETER}= to read your own."
    )

    def has_permission(self, request: Any, view: Any) -> bool:
        if PROFILE_PARAMETER not in request.query_params:
            return True
        return bool(request.user and request.user.has_perm(VIEW_OTHER_WALLETS))
