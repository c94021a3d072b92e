"""The one place django-talonone reads its settings.

Shops configure the app with a ``TALONONE`` dict in their Django settings; every key may
also come from a ``TALONONE_<KEY>`` environment variable (handy for secrets). Settings are
read when first needed and re-read after ``override_settings``/``setting_changed``, never at
import time. A missing or malformed value raises ``ImproperlyConfigured`` naming the exact
setting to fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from . import conf_values as values
from .conf_applications import DEFAULT_APPLICATION, ApplicationSettings, parse_applications
from .conf_oscar import OscarSettings, oscar_settings
from .conf_values import env_name, setting_name

DeliveryMode = Literal["sync", "outbox"]
FailMode = Literal["open", "strict"]

#: Shop events whose Talon.One call can be made synchronously or through the outbox.
DELIVERY_EVENTS = ("cart", "close", "cancel", "return", "profile", "delete_customer", "event")

DEFAULTS: dict[str, Any] = {
    "BASE_URL": None,
    "API_KEY": None,
    "MANAGEMENT_KEY": None,
    "MANAGEMENT_TOKEN": None,
    # (connect, read) seconds for the cart page's synchronous evaluation: keep it short.
    "TIMEOUT": (3.05, 5.0),
    # (connect, read) seconds for background deliveries, which can afford to wait.
    "DELIVERY_TIMEOUT": (3.05, 20.0),
    "MAX_ATTEMPTS": 2,
    "DEADLINE": 8.0,
    # Largest reply accepted, in bytes once decoded: a bigger one (or a gzip bomb) is refused.
    "MAX_REPLY_BYTES": 4 * 1024 * 1024,
    "FAIL_MODE": "open",
    "DELIVERY": dict.fromkeys(DELIVERY_EVENTS, "outbox"),
    "OUTBOX_MAX_ATTEMPTS": 10,
    "OUTBOX_BACKOFF": 5.0,
    "OUTBOX_BACKOFF_MAX": 3600.0,
    "OUTBOX_LEASE": 300.0,
    "OUTBOX_BATCH": 100,
    # Seconds after which a row still waiting counts as stalled on the admin's status panel.
    "OUTBOX_STALLED_AFTER": 900.0,
    "INVENTORY_CACHE_TTL": 60,
    # Days ahead the wallet counts loyalty points as "expiring soon".
    "LOYALTY_EXPIRING_DAYS": 30,
    # The session attribute the Application's "spend points" rule reads the points asked
    # for from (defined in the Campaign Manager). None: carts cannot ask to spend points.
    "LOYALTY_POINTS_ATTRIBUTE": None,
    "CACHE_ALIAS": "default",
    "PROFILE_ID_FUNCTION": "django_talonone.conf.default_profile_id",
    # Whether the Talon.One Application flattens cart items (off in Talon.One by default):
    # it decides whether a return can take some units of a line or only whole lines.
    "CART_ITEM_FLATTENING": False,
    # Decimals of the Application's currency: what the shop charged and what Talon.One
    # recorded at the close are compared to this precision.
    "CURRENCY_DECIMAL_PLACES": 2,
    # Shared secrets Talon.One's notifications must carry (basic auth password or the
    # header below); several at once while one is rotated out. None: every push refused.
    "NOTIFICATION_SECRETS": None,
    "NOTIFICATION_HEADER": "X-Talonone-Secret",
    # Largest notification body accepted, in bytes (a strikethrough batch of 1000 items
    # with effects is well under 1 MiB).
    "NOTIFICATION_MAX_BYTES": 4 * 1024 * 1024,
    # "task": a Celery task per notification; "inline": in the request, once stored.
    "NOTIFICATION_PROCESSING": "task",
    # Seconds a notification being processed stays claimed before another worker may retake it.
    "NOTIFICATION_LEASE": 300.0,
    # django-oscar shops (django_talonone.contrib.oscar): see OSCAR_DEFAULTS.
    "OSCAR": {},
    # The default Application's currency (ISO 4217): carts in it are routed to it.
    "CURRENCY": None,
    # Further Talon.One Applications by name (conf_applications.py): one per currency
    # or storefront, each with its own API key.
    "APPLICATIONS": {},
    # Dotted path of the function choosing the Application of a cart, order or customer
    # (None: the cart's currency decides, see django_talonone.applications).
    "APPLICATION_ROUTER": None,
}

_SECRET_KEYS = frozenset({"API_KEY", "MANAGEMENT_KEY", "MANAGEMENT_TOKEN", "NOTIFICATION_SECRETS"})
#: Shortest notification secret accepted: anything shorter can be guessed.
MIN_NOTIFICATION_SECRET = 16


def default_profile_id(user: Any) -> str:
    """Talon.One profile id of a shop user: its primary key, as a string."""
    return str(user.pk)


def _name(key: str) -> str:
    return setting_name(key)


@dataclass(frozen=True)
class TalonOneSettings:
    """Validated settings; secrets are excluded from ``repr``."""

    base_url: str | None
    api_key: str | None
    management_key: str | None
    management_token: str | None
    timeout: tuple[float, float]
    delivery_timeout: tuple[float, float]
    max_attempts: int
    deadline: float
    max_reply_bytes: int
    fail_mode: FailMode
    delivery: Mapping[str, DeliveryMode]
    cart_item_flattening: bool
    currency_decimal_places: int
    outbox_max_attempts: int
    outbox_backoff: float
    outbox_backoff_max: float
    outbox_lease: float
    outbox_batch: int
    outbox_stalled_after: float
    inventory_cache_ttl: int
    loyalty_expiring_days: int
    loyalty_points_attribute: str | None
    cache_alias: str
    profile_id_function: str
    notification_secrets: tuple[str, ...]
    notification_header: str
    notification_max_bytes: int
    notification_processing: Literal["task", "inline"]
    notification_lease: float
    oscar: OscarSettings
    #: The default Application's currency (``None``: not configured).
    currency: str | None = None
    #: Which Application the connection and money fields above belong to.
    application: str = DEFAULT_APPLICATION
    #: Every configured Application by name, the default first.
    applications: Mapping[str, ApplicationSettings] = field(default_factory=dict)
    application_router: str | None = None

    def __repr__(self) -> str:
        shown = {
            key: value for key, value in self.__dict__.items() if key.upper() not in _SECRET_KEYS
        }
        return f"TalonOneSettings({shown})"

    def require(self, key: str) -> str:
        """The value of a string setting that must be set, e.g. ``require("API_KEY")``
        (the current Application's, for its connection keys)."""
        value = getattr(self, key.lower())
        if not value:
            application = self.applications.get(self.application)
            path = application.key(key) if application is not None else key
            raise ImproperlyConfigured(
                f"{setting_name(path)} is not set: add it to the TALONONE dict in your Django "
                f"settings or set the {env_name(path)} environment variable."
            )
        return str(value)

    @property
    def currency_unit(self) -> Decimal:
        """The smallest amount of the Application's currency: ``Decimal("0.01")`` for 2 places."""
        return Decimal(1).scaleb(-self.currency_decimal_places)

    def call_deadline(self, purpose: str) -> float:
        """Seconds one logical call may take, retries included.

        The cart page's (``"cart"``) is one ``TIMEOUT``, its larger figure: the shopper
        waits at most that long in total, however many attempts fit in it. Background
        deliveries have ``DEADLINE``.
        """
        if purpose == "cart":
            return min(self.deadline, max(self.timeout))
        return self.deadline

    def for_application(self, name: str | None) -> TalonOneSettings:
        """These settings with ``name``'s connection, key, currency and flattening: what a
        client for that Application is built from (``None``: the default Application)."""
        name = name or DEFAULT_APPLICATION
        if name == self.application:
            return self
        application = self.applications.get(name)
        if application is None:
            known = ", ".join(self.applications) or DEFAULT_APPLICATION
            raise ImproperlyConfigured(
                f"No Talon.One Application named {name!r} in {_name('APPLICATIONS')}; "
                f"configured: {known}. A row stored for a removed Application keeps waiting "
                "until it is configured again."
            )
        return replace(self, application=name, **application.own_settings())

    def application_for_currency(self, currency: str | None) -> str | None:
        """The first Application configured with ``currency`` (``None`` if none is)."""
        if not currency:
            return None
        wanted = currency.upper()
        return next((a.name for a in self.applications.values() if a.currency == wanted), None)

    def delivery_mode(self, event: str) -> DeliveryMode:
        return self.delivery[event]

    def profile_id_for(self, user: Any) -> str:
        function: Callable[[Any], str] = _import(self.profile_id_function, "PROFILE_ID_FUNCTION")
        return function(user)


def _import(path: str, key: str) -> Any:
    try:
        return import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"{_name(key)} = {path!r} cannot be imported: {error}") from None


def _raw() -> dict[str, Any]:
    configured = getattr(settings, "TALONONE", None) or {}
    if not isinstance(configured, Mapping):
        raise ImproperlyConfigured("settings.TALONONE must be a dict of django-talonone settings.")
    unknown = sorted(set(configured) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown TALONONE setting(s): {', '.join(unknown)}. "
            f"Known settings: {', '.join(sorted(DEFAULTS))}."
        )
    values = dict(DEFAULTS)
    for key in DEFAULTS:
        env = os.environ.get(f"TALONONE_{key}")
        if env is not None and key not in configured:
            values[key] = env
    values.update(configured)
    return values


def _delivery(value: Any) -> dict[str, DeliveryMode]:
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f"{_name('DELIVERY')} must be a dict of event -> mode.")
    modes: dict[str, DeliveryMode] = dict(DEFAULTS["DELIVERY"])
    for event, mode in value.items():
        if event not in DELIVERY_EVENTS:
            raise ImproperlyConfigured(
                f"{_name('DELIVERY')} has unknown event {event!r}; "
                f"known events: {', '.join(DELIVERY_EVENTS)}."
            )
        if mode not in ("sync", "outbox"):
            raise ImproperlyConfigured(
                f"{_name('DELIVERY')}[{event!r}] must be 'sync' or 'outbox'; got {mode!r}."
            )
        modes[event] = mode
    return modes


def _notification_secrets(value: Any) -> tuple[str, ...]:
    """The accepted secrets: a list, or (from the environment) a comma-separated string."""
    key = "NOTIFICATION_SECRETS"
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ImproperlyConfigured(f"{_name(key)} must be a list of strings.")
    secrets = []
    for position, secret in enumerate(items):
        where = f"{_name(key)}[{position}]"
        if not isinstance(secret, str) or values.unsendable(secret):
            raise ImproperlyConfigured(
                f"{where} must be a string without whitespace or line breaks (the value is "
                "not shown): Talon.One sends it in a header or as a basic auth password."
            )
        if len(secret) < MIN_NOTIFICATION_SECRET:
            raise ImproperlyConfigured(
                f"{where} is shorter than {MIN_NOTIFICATION_SECRET} characters (the value "
                "is not shown): use a long random string, e.g. the output of "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
            )
        secrets.append(secret)
    return tuple(secrets)


def _header_name(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9-]{1,100}", value):
        raise ImproperlyConfigured(
            f"{_name('NOTIFICATION_HEADER')} must be an HTTP header name of letters, digits "
            f"and dashes, such as 'X-Talonone-Secret'; got {value!r}."
        )
    return value


def _processing(value: Any) -> Literal["task", "inline"]:
    if value not in ("task", "inline"):
        raise ImproperlyConfigured(
            f"{_name('NOTIFICATION_PROCESSING')} must be 'task' (a Celery task) or "
            f"'inline' (in the request, for shops without a worker); got {value!r}."
        )
    return cast('Literal["task", "inline"]', value)


def _optional_text(key: str, value: Any) -> str | None:
    return None if value is None or value == "" else values.text(key, value)


@lru_cache(maxsize=1)
def get_settings() -> TalonOneSettings:
    """The current, validated settings (cached until Django settings change)."""
    raw = _raw()
    fail_mode = raw["FAIL_MODE"]
    if fail_mode not in ("open", "strict"):
        raise ImproperlyConfigured(f"{_name('FAIL_MODE')} must be 'open' or 'strict'.")
    if raw["MANAGEMENT_KEY"] and raw["MANAGEMENT_TOKEN"]:
        raise ImproperlyConfigured(
            f"{_name('MANAGEMENT_KEY')} and {_name('MANAGEMENT_TOKEN')} are both set: "
            "keep one of them."
        )
    applications = parse_applications(raw)
    default = applications[DEFAULT_APPLICATION]
    settings = TalonOneSettings(
        **default.own_settings(),
        max_attempts=values.number("MAX_ATTEMPTS", raw["MAX_ATTEMPTS"], int, 1),
        deadline=values.number("DEADLINE", raw["DEADLINE"], float, 0.1),
        max_reply_bytes=values.number("MAX_REPLY_BYTES", raw["MAX_REPLY_BYTES"], int, 1024),
        fail_mode=fail_mode,
        delivery=_delivery(raw["DELIVERY"]),
        outbox_max_attempts=values.number(
            "OUTBOX_MAX_ATTEMPTS", raw["OUTBOX_MAX_ATTEMPTS"], int, 1
        ),
        outbox_backoff=values.number("OUTBOX_BACKOFF", raw["OUTBOX_BACKOFF"], float, 0),
        outbox_backoff_max=values.number("OUTBOX_BACKOFF_MAX", raw["OUTBOX_BACKOFF_MAX"], float, 0),
        outbox_lease=values.number("OUTBOX_LEASE", raw["OUTBOX_LEASE"], float, 1),
        outbox_batch=values.number("OUTBOX_BATCH", raw["OUTBOX_BATCH"], int, 1),
        outbox_stalled_after=values.number(
            "OUTBOX_STALLED_AFTER", raw["OUTBOX_STALLED_AFTER"], float, 1
        ),
        inventory_cache_ttl=values.number(
            "INVENTORY_CACHE_TTL", raw["INVENTORY_CACHE_TTL"], int, 0
        ),
        loyalty_expiring_days=values.number(
            "LOYALTY_EXPIRING_DAYS", raw["LOYALTY_EXPIRING_DAYS"], int, 0
        ),
        loyalty_points_attribute=None
        if raw["LOYALTY_POINTS_ATTRIBUTE"] is None
        else values.text("LOYALTY_POINTS_ATTRIBUTE", raw["LOYALTY_POINTS_ATTRIBUTE"]),
        cache_alias=values.text("CACHE_ALIAS", raw["CACHE_ALIAS"]),
        profile_id_function=values.text("PROFILE_ID_FUNCTION", raw["PROFILE_ID_FUNCTION"]),
        notification_secrets=_notification_secrets(raw["NOTIFICATION_SECRETS"]),
        notification_header=_header_name(raw["NOTIFICATION_HEADER"]),
        notification_max_bytes=values.number(
            "NOTIFICATION_MAX_BYTES", raw["NOTIFICATION_MAX_BYTES"], int, 1024
        ),
        notification_processing=_processing(raw["NOTIFICATION_PROCESSING"]),
        notification_lease=values.number("NOTIFICATION_LEASE", raw["NOTIFICATION_LEASE"], float, 1),
        oscar=oscar_settings(raw["OSCAR"]),
        application=DEFAULT_APPLICATION,
        applications=applications,
        application_router=_optional_text("APPLICATION_ROUTER", raw["APPLICATION_ROUTER"]),
    )
    if settings.deadline >= settings.outbox_lease:
        # A call still running when its lease ends is taken over by another worker: two
        # (or more) overlapping calls to one session, which Talon.One answers with 409s.
        raise ImproperlyConfigured(
            f"{_name('DEADLINE')} ({settings.deadline:g} s) must be shorter than "
            f"{_name('OUTBOX_LEASE')} ({settings.outbox_lease:g} s): a delivery still "
            "running when its lease runs out would be taken over and sent again alongside."
        )
    return settings


@receiver(setting_changed)
def _forget_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "TALONONE":
        get_settings.cache_clear()
