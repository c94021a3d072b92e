"""``TALONONE["OSCAR"]``: the settings of ``django_talonone.contrib.oscar``, parsed for
:func:`django_talonone.conf.get_settings` (the one accessor; nothing reads them elsewhere).

They are checked with the rest of the settings, whether or not oscar is installed, so a
typo fails with the key named rather than in an oscar view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured

_OSCAR = "TALONONE['OSCAR']"

#: The keys of ``TALONONE["OSCAR"]``, read only by ``django_talonone.contrib.oscar``.
OSCAR_DEFAULTS: dict[str, Any] = {
    # "talonone": every code typed into oscar's voucher form is a Talon.One coupon;
    # "both": a code that is an oscar Voucher stays oscar's, any other goes to Talon.One.
    "VOUCHERS": "talonone",
    # Order statuses that cancel the order's session (its coupons roll back).
    "CANCELLED_STATUSES": ("Cancelled",),
    # Payment/shipping event type codes that return their lines (ReturnCartItems).
    "REFUND_EVENT_TYPES": ("refund", "returned"),
    # Seconds an evaluation stays cached for an unchanged basket.
    "EVALUATION_CACHE_TTL": 3600,
    # The name of the site offer the discounts are applied under (shown in the basket).
    "OFFER_NAME": "Talon.One promotions",
    # Profile attribute -> user attribute or method, e.g. {"Name": "get_full_name"}; each
    # attribute must exist in the Campaign Manager.
    "PROFILE_ATTRIBUTES": {},
}


@dataclass(frozen=True)
class OscarSettings:
    """``TALONONE["OSCAR"]``: how a django-oscar shop maps to Talon.One."""

    vouchers: Literal["talonone", "both"]
    cancelled_statuses: tuple[str, ...]
    refund_event_types: tuple[str, ...]
    evaluation_cache_ttl: int
    offer_name: str
    profile_attributes: Mapping[str, str]


def oscar_settings(value: Any) -> OscarSettings:
    """``TALONONE["OSCAR"]``, validated; errors name the key."""
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f"{_OSCAR} must be a dict of oscar settings.")
    unknown = sorted(set(value) - set(OSCAR_DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown {_OSCAR} key(s): {', '.join(unknown)}. "
            f"Known keys: {', '.join(sorted(OSCAR_DEFAULTS))}."
        )
    raw = {**OSCAR_DEFAULTS, **value}

    def name(key: str) -> str:
        return f"{_OSCAR}[{key!r}]"

    def choice(key: str, allowed: tuple[str, ...]) -> Any:
        if raw[key] not in allowed:
            shown = " or ".join(repr(a) for a in allowed)
            raise ImproperlyConfigured(f"{name(key)} must be {shown}; got {raw[key]!r}.")
        return raw[key]

    def texts(key: str) -> tuple[str, ...]:
        given = raw[key]
        if isinstance(given, str) or not all(isinstance(v, str) and v for v in given):
            raise ImproperlyConfigured(
                f"{name(key)} must be a list of non-empty strings; got {given!r}."
            )
        return tuple(given)

    ttl = raw["EVALUATION_CACHE_TTL"]
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 1:
        raise ImproperlyConfigured(
            f"{name('EVALUATION_CACHE_TTL')} must be whole seconds, at least 1; got {ttl!r}."
        )
    offer_name = raw["OFFER_NAME"]
    if not isinstance(offer_name, str) or not offer_name.strip() or len(offer_name) > 128:
        raise ImproperlyConfigured(
            f"{name('OFFER_NAME')} must be text of 1 to 128 characters; got {offer_name!r}."
        )
    attributes = raw["PROFILE_ATTRIBUTES"]
    if not isinstance(attributes, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in attributes.items()
    ):
        raise ImproperlyConfigured(
            f"{name('PROFILE_ATTRIBUTES')} must map attribute names to user attribute "
            f"names, such as {{'Name': 'get_full_name'}}; got {attributes!r}."
        )
    return OscarSettings(
        profile_attributes=dict(attributes),
        vouchers=choice("VOUCHERS", ("talonone", "both")),
        cancelled_statuses=texts("CANCELLED_STATUSES"),
        refund_event_types=texts("REFUND_EVENT_TYPES"),
        evaluation_cache_ttl=ttl,
        offer_name=offer_name,
    )
