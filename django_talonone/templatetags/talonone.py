"""``{% load talonone %}``: the shopper's coupon wallet in any template.

::

    {% coupon_wallet request.user as wallet %}
    {% if wallet.available %}{{ wallet.active_coupons|length }} coupons{% endif %}

    {% show_coupon_wallet wallet %}        {# the ready-made, accessible snippet #}
    {% show_coupon_wallet request.user %}  {# the same, fetching the wallet itself #}

    {% coupon_wallet request.user application="gbp" as wallet %}  {# one Application's #}
    {% coupon_wallet request.user application="*" as wallet %}    {# every one, merged #}

Neither tag ever raises because Talon.One is down: the wallet is then unavailable and the
snippet says so. Anonymous visitors get an unavailable wallet without any call.

A product's strikethrough price, as Talon.One last pushed it (no call is made)::

    {% strikethrough_price product.sku as price %}
    {% if price.discounted %}<s>{{ price.was }}</s> {{ price.now }}{% else %}...{% endif %}
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from django_talonone.services.strikethrough import WasNow, was_now
from django_talonone.wallet import Wallet, wallet_for_user

register = template.Library()

SNIPPET = "django_talonone/wallet.html"


@register.simple_tag
def coupon_wallet(user: Any, application: str | None = None) -> Wallet:
    """The user's :class:`~django_talonone.wallet.Wallet` (cached per profile) in
    ``application`` (default: the default Application; ``"*"``: every one, merged)."""
    return wallet_for_user(user, application or None)


@register.inclusion_tag(SNIPPET)
def show_coupon_wallet(
    wallet_or_user: Any, heading: str = "Your coupon wallet", application: str | None = None
) -> dict[str, Any]:
    """Render the wallet snippet for a :class:`Wallet`, or for a user (fetched here, in
    ``application``)."""
    wallet = (
        wallet_or_user
        if isinstance(wallet_or_user, Wallet)
        else wallet_for_user(wallet_or_user, application or None)
    )
    return {"wallet": wallet, "heading": heading}


@register.simple_tag
def strikethrough_price(sku: Any) -> WasNow | None:
    """The SKU's "was / now" price valid now, or ``None`` when Talon.One pushed none."""
    if not isinstance(sku, str) or not sku:
        return None
    return was_now(sku)


_STATE_LABELS = {
    "active": _("Ready to use"),
    "pending": _("Not valid yet"),
    "used": _("Used"),
    "expired": _("Expired"),
    "disabled": _("Unavailable"),
}


@register.filter
def wallet_state(state: str) -> str:
    """A code's state in words a shopper understands (``"pending"`` → "Not valid yet")."""
    return str(_STATE_LABELS.get(state, state))


@register.filter
def points(value: Any) -> str:
    """Loyalty points without trailing zeros: ``Decimal("120.00")`` → "120", 1.50 → "1.5".

    Points are often whole; showing a currency's two decimals would make them read as money.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return "" if value is None else str(value)
    number = Decimal(value)
    if not number.is_finite():
        return str(number)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")
