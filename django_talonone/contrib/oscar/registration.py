"""Registering oscar's models with the core app, and the site offer that carries
Talon.One's discounts.

Baskets are registered without model watching: a basket's session is updated by its
evaluation (:mod:`.offers`), which oscar asks for after every change, so watching its
saves as well would send each change twice. Orders are watched (placed once created,
cancelled on a configured status); users are watched unless the shop registered its own
adapter for them.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from oscar.core.loading import get_model

from django_talonone.conf import get_settings
from django_talonone.registry import (
    customer_adapter_for,
    register_cart,
    register_customer,
    register_order,
)

from .adapters import (
    BENEFIT_CLASS,
    CONDITION_CLASS,
    OscarBasketAdapter,
    OscarCustomerAdapter,
    OscarOrderAdapter,
)


def register_oscar_models() -> None:
    register_cart(get_model("basket", "Basket"), OscarBasketAdapter, watch=False)
    register_order(get_model("order", "Order"), OscarOrderAdapter)
    user_model = get_user_model()
    try:
        customer_adapter_for(user_model())
    except ImproperlyConfigured:  # the shop has not registered its own: oscar's default
        register_customer(user_model, OscarCustomerAdapter)


def ensure_offer(app_config: AppConfig | None = None, **kwargs: Any) -> Any:
    """The site offer whose benefit applies Talon.One's discounts (made once, at migrate)."""
    offer_model = get_model("offer", "ConditionalOffer")
    found = offer_model._default_manager.filter(benefit__proxy_class=BENEFIT_CLASS).first()
    if found is not None:
        return found
    condition = get_model("offer", "Condition")._default_manager.create(proxy_class=CONDITION_CLASS)
    benefit = get_model("offer", "Benefit")._default_manager.create(proxy_class=BENEFIT_CLASS)
    return offer_model._default_manager.create(
        name=get_settings().oscar.offer_name,
        description="Discounts decided by Talon.One.",
        offer_type=offer_model.SITE,
        condition=condition,
        benefit=benefit,
        exclusive=False,
        max_basket_applications=1,
    )
