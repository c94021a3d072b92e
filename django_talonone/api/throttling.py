"""The wallet's rate limit: the ``talonone-wallet`` scope, off until the shop sets a rate.

DRF's own ``ScopedRateThrottle`` refuses every request of a scope without a configured
rate; the wallet must work out of the box, so here a missing rate means "not throttled".
Set one in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["talonone-wallet"]``, e.g.
``"30/minute"``: each call that misses the cache costs a Talon.One request.
"""

from __future__ import annotations

from rest_framework.settings import api_settings  # type: ignore[import-untyped]
from rest_framework.throttling import ScopedRateThrottle  # type: ignore[import-untyped]

__all__ = ["WALLET_SCOPE", "WalletRateThrottle"]

WALLET_SCOPE = "talonone-wallet"


class WalletRateThrottle(ScopedRateThrottle):  # type: ignore[misc]
    def get_rate(self) -> str | None:
        # Read on every request (not at import, as DRF does), so settings changes apply.
        rate: str | None = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return rate
