"""API tests: the wallet endpoint over Django's test client, against the emulator.

The emulator, campaigns and shopper come from the wallet tests' fixtures.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from tests.wallet.conftest import _empty_cache, alice, wallet_talonone
from tests.wallet.loyalty_world import loyalty_talonone, member

__all__ = ["_empty_cache", "alice", "loyalty_talonone", "member", "wallet_talonone"]

WALLET_URL = "/api/talonone/wallet/"


@pytest.fixture
def support(transactional_db: Any) -> Any:
    """A staff member allowed to look at any shopper's wallet."""
    user = get_user_model().objects.create_user("support", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="django_talonone", codename="view_customersession"
        )
    )
    return user
