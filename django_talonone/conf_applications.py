"""``TALONONE["APPLICATIONS"]``: the Talon.One Applications one shop talks to.

A Talon.One Application has one currency, and its API key belongs to it; a shop selling in
several currencies (or running several storefronts) needs one each. The top-level keys
(``BASE_URL``, ``API_KEY``, ``CURRENCY``...) are the *default* Application, so a shop with
one Application configures nothing new; ``APPLICATIONS`` names the others::

    TALONONE = {
        "BASE_URL": "https://yourshop.europe-west1.talon.one",
        "API_KEY": "...",          # the default Application, in EUR
        "CURRENCY": "EUR",
        "APPLICATIONS": {"gbp": {"API_KEY": "...", "CURRENCY": "GBP"}},
    }

A named Application takes each of its keys from its dict, else from
``TALONONE_<NAME>_<KEY>`` in the environment, else (except its API key and currency,
which are its own) from the top-level setting: one deployment URL, one management key,
the same timeouts. The management key and token are one credential: an Application that
sets either (or both, refused) inherits neither. Parsed for
:func:`django_talonone.conf.get_settings` only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from . import conf_values as values
from .conf_values import Key, setting_name

#: The name of the Application the top-level keys configure.
DEFAULT_APPLICATION = "default"

#: The keys an Application may set, and how each is read.
APPLICATION_KEYS: dict[str, Callable[[Key, Any], Any]] = {
    "BASE_URL": values.base_url,
    "API_KEY": values.secret,
    "MANAGEMENT_KEY": values.secret,
    "MANAGEMENT_TOKEN": values.secret,
    "CURRENCY": values.currency,
    "CART_ITEM_FLATTENING": values.flag,
    "CURRENCY_DECIMAL_PLACES": values.decimal_places,
    "TIMEOUT": values.timeout,
    "DELIVERY_TIMEOUT": values.timeout,
}
#: Never taken from the top-level settings: a key of one Application must never be used
#: for another, and a currency decides where a cart goes.
OWN_KEYS = frozenset({"API_KEY", "CURRENCY"})
SECRET_KEYS = frozenset({"API_KEY", "MANAGEMENT_KEY", "MANAGEMENT_TOKEN"})
#: One credential in two forms: an Application's own key or token replaces both inherited.
MANAGEMENT_CREDENTIAL = frozenset({"MANAGEMENT_KEY", "MANAGEMENT_TOKEN"})

_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class ApplicationSettings:
    """One Application's connection and money settings; secrets are left out of ``repr``."""

    name: str
    base_url: str | None
    api_key: str | None
    management_key: str | None
    management_token: str | None
    currency: str | None
    cart_item_flattening: bool
    currency_decimal_places: int
    timeout: tuple[float, float]
    delivery_timeout: tuple[float, float]

    def __repr__(self) -> str:
        shown = {
            key: value for key, value in self.__dict__.items() if key.upper() not in SECRET_KEYS
        }
        return f"ApplicationSettings({shown})"

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_APPLICATION

    def own_settings(self) -> dict[str, Any]:
        """What this Application sets for itself, by the name ``TalonOneSettings`` gives it."""
        return {key: value for key, value in self.__dict__.items() if key != "name"}

    def key(self, key: str) -> Key:
        """The path naming one of this Application's settings in messages."""
        return key if self.is_default else ("APPLICATIONS", self.name, key)

    @property
    def currency_unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.currency_decimal_places)


def _build(name: str, raw: Mapping[str, Any], key: Callable[[str], Key]) -> ApplicationSettings:
    parsed = {
        field.lower(): parse(key(field), raw[field]) for field, parse in APPLICATION_KEYS.items()
    }
    return ApplicationSettings(name=name, **parsed)


def _check_name(name: Any, top_level: Collection[str]) -> str:
    where = setting_name("APPLICATIONS")
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name == DEFAULT_APPLICATION:
        raise ImproperlyConfigured(
            f"{where} has an Application named {name!r}: use lower-case letters, digits and "
            f"underscores, starting with a letter (at most 32), other than "
            f"{DEFAULT_APPLICATION!r} (the top-level settings)."
        )
    clash = sorted(
        f"{name.upper()}_{field}"
        for field in APPLICATION_KEYS
        if f"{name.upper()}_{field}" in top_level
    )
    if clash:
        raise ImproperlyConfigured(
            f"{where} has an Application named {name!r}, whose environment variables would "
            f"be read as the top-level setting {clash[0]}: choose another name."
        )
    return name


def _named(
    name: str, given: Mapping[str, Any], top: Mapping[str, Any], environ: Mapping[str, str]
) -> ApplicationSettings:
    unknown = sorted(str(field) for field in set(given) - set(APPLICATION_KEYS))
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown setting(s) in {setting_name(('APPLICATIONS', name))}: "
            f"{', '.join(unknown)}. An Application may set: {', '.join(APPLICATION_KEYS)}."
        )
    own: dict[str, Any] = {}
    for field in APPLICATION_KEYS:
        env = environ.get(values.env_name(("APPLICATIONS", name, field)))
        if field in given:
            own[field] = given[field]
        elif env is not None:
            own[field] = env
    _refuse_two_management_credentials(name, own)
    # The management key and token are one credential: an Application's own key must not
    # pick up the top-level token (every call would then carry both and fail).
    not_inherited = OWN_KEYS | (
        MANAGEMENT_CREDENTIAL if MANAGEMENT_CREDENTIAL & set(own) else set()
    )
    raw = {
        field: own[field] if field in own else None if field in not_inherited else top[field]
        for field in APPLICATION_KEYS
    }
    return _build(name, raw, lambda field: ("APPLICATIONS", name, field))


def _refuse_two_management_credentials(name: str, own: Mapping[str, Any]) -> None:
    """Like the top level: a key and a token together leave no way to tell which to send."""
    if all(own.get(field) not in (None, "") for field in MANAGEMENT_CREDENTIAL):
        key, token = (
            setting_name(("APPLICATIONS", name, f)) for f in sorted(MANAGEMENT_CREDENTIAL)
        )
        raise ImproperlyConfigured(f"{key} and {token} are both set: keep one of them.")


def _refuse_shared_keys(applications: Mapping[str, ApplicationSettings]) -> None:
    """Two Applications with one API key would send one's carts to the other's campaigns."""
    seen: dict[str, ApplicationSettings] = {}
    for application in applications.values():
        if not application.api_key:
            continue
        other = seen.get(application.api_key)
        if other is not None:
            raise ImproperlyConfigured(
                f"{setting_name(application.key('API_KEY'))} is the same key as "
                f"{setting_name(other.key('API_KEY'))} (the value is not shown): each "
                "Talon.One Application has its own API key; copy the right one from its "
                "Campaign Manager page (Integration API keys)."
            )
        seen[application.api_key] = application


def parse_applications(
    top: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, ApplicationSettings]:
    """Every Application by name, the default first, from the raw top-level settings
    (``top``, environment fallbacks already applied)."""
    environ = os.environ if environ is None else environ
    applications = {DEFAULT_APPLICATION: _build(DEFAULT_APPLICATION, top, lambda field: field)}
    named = values.mapping("APPLICATIONS", top["APPLICATIONS"] or {}, "name -> dict of settings")
    for name, given in named.items():
        _check_name(name, top)
        given = values.mapping(("APPLICATIONS", name), given, "settings")
        applications[name] = _named(name, given, top, environ)
    _refuse_shared_keys(applications)
    return applications
