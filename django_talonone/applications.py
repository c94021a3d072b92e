"""Which Talon.One Application serves a cart, an order or a customer: the routing hook.

Decided once per session, when it opens, and stored on it (``CustomerSession.application``):
everything later made against the session (its close, cancel, returns and refunds) goes
where the session lives, even if the rule has changed since. An order's close routes its
cart once more: a cart re-routed since its last evaluation closes in its new Application.
Profiles ask per customer (a bulk profile sync too). Audiences, reservations and referral
codes never ask: their Application is named by the caller (``application=``), as one code
may live in several.

The rule is ``TALONONE['APPLICATION_ROUTER']``, a function ``route(obj, kind, adapter)``
returning an Application name, or ``None`` for the default rule: the currency the adapter
reports (:meth:`~django_talonone.adapters.SessionAdapter.get_currency`) picks the
Application configured with it, anything else goes to the default Application.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from django_talonone.conf import get_settings
from django_talonone.conf_applications import DEFAULT_APPLICATION

__all__ = ["DEFAULT_APPLICATION", "Kind", "Router", "application_for", "application_names"]

Kind = Literal["cart", "order", "customer"]
#: ``route(obj, kind, adapter) -> name | None``; ``adapter`` may be ``None``.
Router = Callable[[Any, Kind, Any], "str | None"]


def application_names() -> list[str]:
    """Every configured Application, the default first."""
    return list(get_settings().applications)


def application_for(obj: Any, kind: Kind, adapter: Any = None) -> str:
    """The Application ``obj`` goes to: the router's choice, else by currency, else default.

    A shop with one Application and no router never calls the adapter. A name the router
    returns that is not configured raises ``ImproperlyConfigured``: sending a cart to the
    wrong Application (or none) would price it with another shop's campaigns.
    """
    config = get_settings()
    if config.application_router is None and len(config.applications) == 1:
        return DEFAULT_APPLICATION
    if config.application_router is not None:
        try:
            route: Router = import_string(config.application_router)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"TALONONE['APPLICATION_ROUTER'] = {config.application_router!r} cannot be "
                f"imported: {error}"
            ) from None
        chosen = route(obj, kind, adapter)
        if chosen is not None:
            if chosen not in config.applications:
                raise ImproperlyConfigured(
                    f"TALONONE['APPLICATION_ROUTER'] chose the Application {chosen!r}, which "
                    f"is not configured; configured: {', '.join(config.applications)}."
                )
            return str(chosen)
    get_currency = getattr(adapter, "get_currency", None)
    currency = get_currency(obj) if get_currency is not None else None
    return config.application_for_currency(currency) or DEFAULT_APPLICATION
