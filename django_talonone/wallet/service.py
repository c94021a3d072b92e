"""Fetching a profile's wallet from Talon.One: cached, and never failing the page.

The wallet is read on pages shoppers look at often (a header badge, the account page, an
app's API), so GetCustomerInventory is asked once per profile per
``TALONONE['INVENTORY_CACHE_TTL']`` seconds, in the cache named by
``TALONONE['CACHE_ALIAS']``. The key holds a SHA-256 of the profile id, never the id
itself, so any id is a safe key and the cache does not list who shops here.

When Talon.One is slow or down, or answers something unreadable, the wallet comes back
``available=False`` and one warning is logged (the error class, status and message; never
the key, never the profile id). Failures are not cached: the next page view asks again.

A wallet is one Application's (each has its own coupons, referrals and loyalty
programs): ``application`` names it (default: the default Application), or
``ALL_APPLICATIONS`` merges every configured Application's, each read and cached on its
own; a merged wallet is available only when every part is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import replace
from typing import Any

from django.core.cache import BaseCache, caches
from django.utils import timezone

from django_talonone.adapters import validate_id
from django_talonone.client import TalonOneError, TalonOneNotFound
from django_talonone.conf import get_settings
from django_talonone.conf_applications import DEFAULT_APPLICATION
from django_talonone.services.clients import get_client

from .parsing import InventoryError, parse_inventory
from .pending import with_order_points
from .types import Wallet

__all__ = [
    "ALL_APPLICATIONS",
    "get_wallet",
    "invalidate_wallet",
    "wallet_cache_key",
    "wallet_for_user",
]

#: ``application=ALL_APPLICATIONS``: one wallet merged from every configured Application.
ALL_APPLICATIONS = "*"

logger = logging.getLogger("django_talonone.wallet")

#: Bump when the cached shape changes, so old entries are ignored after a deploy.
_CACHE_VERSION = "v2"
#: The inventory sections a wallet shows (``profile`` is not shown).
_SECTIONS = ("coupons", "referrals", "loyalty", "giveaways", "achievements")


def wallet_cache_key(profile_id: str, application: str | None = None) -> str:
    """The cache key of a profile's wallet in one Application: a hash, whatever characters
    the id has (the default Application's keys are those of a shop with one)."""
    digest = hashlib.sha256(profile_id.encode("utf-8")).hexdigest()
    if application in (None, DEFAULT_APPLICATION):
        return f"talonone:wallet:{_CACHE_VERSION}:{digest}"
    return f"talonone:wallet:{_CACHE_VERSION}:{application}:{digest}"


def _short(profile_id: str) -> str:
    """A log-safe handle of a profile: enough to correlate lines, not to name anyone."""
    return hashlib.sha256(profile_id.encode("utf-8")).hexdigest()[:12]


def _cache() -> BaseCache:
    return caches[get_settings().cache_alias]


def _cached_reply(key: str) -> Any:
    try:
        return _cache().get(key)
    except Exception as error:  # a cache outage must not cost the wallet
        logger.warning("Wallet cache unavailable, asking Talon.One: %s", type(error).__name__)
        return None


def _store_reply(key: str, reply: dict[str, Any]) -> None:
    ttl = get_settings().inventory_cache_ttl
    if ttl <= 0:
        return
    try:
        _cache().set(key, reply, ttl)
    except Exception as error:
        logger.warning("Wallet cache unavailable, not caching: %s", type(error).__name__)


def _fetch(profile_id: str, application: str) -> dict[str, Any]:
    """The inventory sections a wallet shows; an unknown profile has an empty wallet."""
    try:
        reply: Any = get_client("cart", application).get_customer_inventory(
            profile_id,
            coupons=True,
            referrals=True,
            loyalty=True,
            giveaways=True,
            achievements=True,
        )
    except TalonOneNotFound:
        return {}  # Talon.One has never seen this shopper: nothing in their wallet yet
    if not isinstance(reply, dict):
        raise InventoryError("reply", f"expected an object, got {type(reply).__name__}")
    return {name: reply[name] for name in _SECTIONS if name in reply}


def _log_unavailable(profile_id: str, error: Exception) -> None:
    status = getattr(error, "status_code", None)
    message = getattr(error, "message", None) or str(error)
    logger.warning(
        "Coupon wallet of profile #%s unavailable (%s%s): %s",
        _short(profile_id),
        type(error).__name__,
        f", status {status}" if status is not None else "",
        message,
    )


def get_wallet(
    profile_id: str, *, use_cache: bool = True, application: str | None = None
) -> Wallet:
    """The profile's wallet in ``application`` (default: the default Application; or
    ``ALL_APPLICATIONS``, merged), from the cache or Talon.One; ``available=False`` on
    failure. An Application that is not configured raises ``ImproperlyConfigured``.

    ``use_cache=False`` asks Talon.One even when a cached wallet exists (and refreshes it).
    """
    if application == ALL_APPLICATIONS:
        return _merged(profile_id, use_cache=use_cache)
    name = get_settings().for_application(application).application
    if not profile_id:
        return Wallet.unavailable(application=name)
    validate_id("profile_id", profile_id)  # a bug in the caller, not an outage: raised
    key = wallet_cache_key(profile_id, name)
    now = timezone.now()
    reply = _cached_reply(key) if use_cache else None
    if isinstance(reply, dict):
        try:
            wallet = parse_inventory(profile_id, reply, now=now)
            return replace(_with_order_points(wallet, now, name), application=name)
        except InventoryError:
            pass  # written by another version of this code: fetch afresh
    try:
        reply = _fetch(profile_id, name)
        wallet = parse_inventory(profile_id, reply, now=now)
    except (TalonOneError, InventoryError) as error:
        _log_unavailable(profile_id, error)
        return Wallet.unavailable(profile_id, name)
    _store_reply(key, reply)
    return replace(_with_order_points(wallet, now, name), application=name)


def _with_order_points(wallet: Wallet, now: dt.datetime, application: str) -> Wallet:
    """The wallet with pending points per order of ``application`` and points expiring
    soon (not cached: the shop's own orders are read each time, so a close or a return
    shows at once)."""
    days = get_settings().loyalty_expiring_days
    programs = with_order_points(
        wallet.loyalty, wallet.profile_id, now=now, days=days, application=application
    )
    return replace(wallet, loyalty=programs)


def _merged(profile_id: str, *, use_cache: bool) -> Wallet:
    """Every Application's wallet in one: their sections side by side."""
    parts = [
        get_wallet(profile_id, use_cache=use_cache, application=name)
        for name in get_settings().applications
    ]
    if not all(part.available for part in parts):
        return Wallet.unavailable(profile_id, ALL_APPLICATIONS)
    return Wallet(
        available=True,
        profile_id=profile_id,
        application=ALL_APPLICATIONS,
        coupons=tuple(c for part in parts for c in part.coupons),
        referrals=tuple(r for part in parts for r in part.referrals),
        loyalty=tuple(p for part in parts for p in part.loyalty),
        giveaways=tuple(g for part in parts for g in part.giveaways),
        achievements=tuple(a for part in parts for a in part.achievements),
    )


def wallet_for_user(user: Any, application: str | None = None) -> Wallet:
    """A shop user's wallet in ``application`` (see :func:`get_wallet`); anonymous
    visitors get an unavailable one without a call."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Wallet.unavailable()
    return get_wallet(get_settings().profile_id_for(user), application=application)


def invalidate_wallet(profile_id: str, application: str | None = None) -> None:
    """Forget a profile's cached wallet in ``application`` (``None``: in every one), so
    the next read asks Talon.One."""
    if not profile_id:
        return
    validate_id("profile_id", profile_id)
    names = [application] if application is not None else list(get_settings().applications)
    try:
        _cache().delete_many([wallet_cache_key(profile_id, name) for name in names])
    except Exception as error:
        logger.warning("Wallet cache unavailable, not invalidated: %s", type(error).__name__)
