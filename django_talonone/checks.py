"""System checks (``manage.py check``, tag ``talonone``): catch bad settings at deploy time.

Settings problems that would otherwise surface as a failed delivery hours later (no API
key, a mistyped URL, a broker that was never configured) are reported here, each naming
the setting and the fix. Celery problems are warnings, not errors: outbox rows wait
safely in the database and ``manage.py talonone_deliver`` can deliver them without Celery,
so a shop may run that way on purpose (silence the warning with SILENCED_SYSTEM_CHECKS).
"""

from __future__ import annotations

import importlib.util
import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from django_talonone.conf import DEFAULTS, TalonOneSettings, get_settings
from django_talonone.conf_applications import ApplicationSettings
from django_talonone.conf_values import env_name, setting_name

TAG = "talonone"


def _id(kind: str, number: int) -> str:
    return f"django_talonone.{kind}{number:03d}"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _raw_settings_messages() -> list[CheckMessage]:
    configured = getattr(settings, "TALONONE", None) or {}
    if not isinstance(configured, Mapping):
        return [
            Error(
                "settings.TALONONE must be a dict of django-talonone settings.",
                hint="Write TALONONE = {'BASE_URL': ..., 'API_KEY': ...}.",
                id=_id("E", 5),
            )
        ]
    unknown = sorted(str(key) for key in set(configured) - set(DEFAULTS))
    if unknown:
        return [
            Error(
                f"Unknown TALONONE setting(s): {', '.join(unknown)}.",
                hint=f"Remove or correct them; known settings: {', '.join(sorted(DEFAULTS))}.",
                id=_id("E", 5),
            )
        ]
    return []


def _connection_messages(config: TalonOneSettings) -> list[CheckMessage]:
    """Every Application's key and URL, then what Applications must not share."""
    messages: list[CheckMessage] = []
    for application in config.applications.values():
        messages += _application_messages(application)
    return messages + _currency_messages(config) + _router_messages(config)


def _application_messages(application: ApplicationSettings) -> list[CheckMessage]:
    messages: list[CheckMessage] = []

    def name(key: str) -> str:
        return setting_name(application.key(key))

    def env_hint(key: str) -> str:
        return (
            f"Set it in settings.TALONONE or in the {env_name(application.key(key))} "
            "environment variable."
        )

    if not application.api_key:
        messages.append(
            Error(
                f"{name('API_KEY')} is not set: Talon.One will refuse every call.",
                hint=env_hint("API_KEY"),
                id=_id("E", 1),
            )
        )
    if not application.base_url:
        messages.append(
            Error(
                f"{name('BASE_URL')} is not set.",
                hint="Set it to your deployment's URL, e.g. 'https://yourshop.europe-west1"
                ".talon.one'. " + env_hint("BASE_URL"),
                id=_id("E", 2),
            )
        )
        return messages
    parts = urlsplit(application.base_url)
    if parts.username is not None or parts.password is not None:
        # Shown without the URL: its user-info part is a credential.
        messages.append(
            Error(
                f"{name('BASE_URL')} carries credentials (user:password@): they would be "
                "logged with the URL, and Talon.One authenticates with the API key instead.",
                hint="Remove the user-info part, e.g. 'https://yourshop.talon.one'.",
                id=_id("E", 6),
            )
        )
    elif parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        messages.append(
            Error(
                f"{name('BASE_URL')} = {application.base_url!r} is not an http(s) base URL.",
                hint="Use the scheme and host only, e.g. 'https://yourshop.talon.one'.",
                id=_id("E", 3),
            )
        )
    elif parts.scheme == "http" and not _is_loopback(parts.hostname):
        messages.append(
            Warning(
                f"{name('BASE_URL')} uses plain http for {parts.hostname}: the API key "
                "would cross the network unencrypted.",
                hint="Use https:// (plain http is only meant for a local emulator).",
                id=_id("W", 1),
            )
        )
    return messages


def _currency_messages(config: TalonOneSettings) -> list[CheckMessage]:
    """Several Applications: each needs a currency to be routed to, and its own one."""
    if len(config.applications) < 2:
        return []
    messages: list[CheckMessage] = []
    by_currency: dict[str, list[str]] = {}
    for application in config.applications.values():
        if application.currency is None:
            messages.append(
                Warning(
                    f"{setting_name(application.key('CURRENCY'))} is not set: with several "
                    f"Applications, no cart is routed to {application.name!r} by its currency.",
                    hint="Set the currency of that Application in the Campaign Manager, or "
                    "route with TALONONE['APPLICATION_ROUTER'] and silence this warning.",
                    id=_id("W", 40),
                )
            )
        else:
            by_currency.setdefault(application.currency, []).append(application.name)
    for currency, names in by_currency.items():
        if len(names) > 1:
            messages.append(
                Warning(
                    f"The Applications {', '.join(map(repr, names))} all sell in {currency}: "
                    f"carts in {currency} go to {names[0]!r} unless "
                    "TALONONE['APPLICATION_ROUTER'] routes them (by site, for example).",
                    hint="Give each storefront its router rule, or silence this warning.",
                    id=_id("W", 41),
                )
            )
    return messages


def _router_messages(config: TalonOneSettings) -> list[CheckMessage]:
    if config.application_router is None:
        return []
    try:
        import_string(config.application_router)
    except ImportError as error:
        return [
            Error(
                f"TALONONE['APPLICATION_ROUTER'] = {config.application_router!r} cannot be "
                f"imported ({error}): no cart could be routed to its Application.",
                hint="Give the dotted path of a function taking (obj, kind, adapter) and "
                "returning an Application name or None.",
                id=_id("E", 40),
            )
        ]
    return []


def _outbox_messages(config: TalonOneSettings) -> list[CheckMessage]:
    outbox_events = sorted(event for event, mode in config.delivery.items() if mode == "outbox")
    messages: list[CheckMessage] = []
    if not outbox_events:
        return messages
    events = ", ".join(outbox_events)
    if importlib.util.find_spec("celery") is None:
        messages.append(
            Warning(
                f"TALONONE['DELIVERY'] sends {events} through the outbox, but Celery is not "
                "installed: nothing will deliver those rows automatically.",
                hint="pip install 'django-talonone[celery]' and run a worker, or run "
                "'manage.py talonone_deliver --loop', or set those events to 'sync'.",
                id=_id("W", 2),
            )
        )
        return messages
    eager = bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))
    if not eager and not getattr(settings, "CELERY_BROKER_URL", None):
        messages.append(
            Warning(
                f"TALONONE['DELIVERY'] sends {events} through the outbox, but "
                "CELERY_BROKER_URL is not set: delivery tasks cannot be queued.",
                hint="Set CELERY_BROKER_URL and load it with app.config_from_object("
                "'django.conf:settings', namespace='CELERY'), or run "
                "'manage.py talonone_deliver --loop'.",
                id=_id("W", 3),
            )
        )
    if eager and not settings.DEBUG:
        messages.append(
            Warning(
                "CELERY_TASK_ALWAYS_EAGER is on: outbox deliveries run inside the web "
                "request and a failed one waits for the sweeper instead of a worker.",
                hint="Turn CELERY_TASK_ALWAYS_EAGER off outside tests and run a worker.",
                id=_id("W", 4),
            )
        )
    return messages


@register(TAG)
def check_talonone_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """All django-talonone settings checks, in one pass over the settings."""
    messages = _raw_settings_messages()
    if messages:
        return messages
    try:
        config = get_settings()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="Fix the named TALONONE setting.",
                id=_id("E", 4),
            )
        ]
    return (
        _connection_messages(config)
        + _outbox_messages(config)
        + _reference_messages(config)
        + _notification_messages(config)
    )


def _notifications_routed() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("talonone_notifications:receive")
    except NoReverseMatch:
        return False
    return True


def _notification_messages(config: TalonOneSettings) -> list[CheckMessage]:
    """The notification endpoint is routed: it needs a secret, and something to process."""
    if not _notifications_routed():
        return []
    messages: list[CheckMessage] = []
    if not config.notification_secrets:
        messages.append(
            Error(
                "The Talon.One notification endpoint is in your URLconf but "
                "TALONONE['NOTIFICATION_SECRETS'] is not set: it refuses every notification.",
                hint="Set it to a list of long random secrets and give Talon.One one of them "
                "(basic auth password, or the NOTIFICATION_HEADER header).",
                id=_id("E", 30),
            )
        )
    if config.notification_processing == "task" and importlib.util.find_spec("celery") is None:
        messages.append(
            Warning(
                "TALONONE['NOTIFICATION_PROCESSING'] is 'task' but Celery is not installed: "
                "notifications are stored and wait for talonone_process_notifications.",
                hint="Install Celery, set NOTIFICATION_PROCESSING to 'inline', or run "
                "manage.py talonone_process_notifications periodically.",
                id=_id("W", 30),
            )
        )
    if not _header_hidden(config.notification_header):
        messages.append(
            Warning(
                f"TALONONE['NOTIFICATION_HEADER'] = {config.notification_header!r} is not "
                "hidden by Django's error reports: a middleware failing before the endpoint "
                "runs would show its secret on the DEBUG page and in the admins' error mail.",
                hint="Set DEFAULT_EXCEPTION_REPORTER_FILTER = "
                "'django_talonone.notifications.reporting.NotificationReporterFilter', or "
                "name the header with SECRET, TOKEN or KEY in it.",
                id=_id("W", 31),
            )
        )
    return messages


def _header_hidden(header: str) -> bool:
    from django_talonone.notifications.reporting import hidden_by_default_filter

    return hidden_by_default_filter(header)


def _reference_messages(config: TalonOneSettings) -> list[CheckMessage]:
    """Settings that name something else in the project: a cache, a function."""
    messages: list[CheckMessage] = []
    caches = getattr(settings, "CACHES", None) or {"default": {}}
    if config.cache_alias not in caches:
        messages.append(
            Error(
                f"TALONONE['CACHE_ALIAS'] = {config.cache_alias!r} is not a cache in "
                "settings.CACHES: every wallet read would fail.",
                hint=f"Use one of: {', '.join(sorted(caches))}.",
                id=_id("E", 7),
            )
        )
    try:
        import_string(config.profile_id_function)
    except ImportError as error:
        messages.append(
            Error(
                f"TALONONE['PROFILE_ID_FUNCTION'] = {config.profile_id_function!r} cannot be "
                f"imported ({error}): every signed-in cart would fail.",
                hint="Give the dotted path of a function that takes a user and returns "
                "their Talon.One profile id.",
                id=_id("E", 8),
            )
        )
    return messages
