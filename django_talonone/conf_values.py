"""Validators of single setting values, shared by the top-level settings and each
Application's (:mod:`.conf`, :mod:`.conf_applications`).

A setting is named by its key, or by a path of keys for a nested one
(``("APPLICATIONS", "gbp", "API_KEY")`` reads ``TALONONE['APPLICATIONS']['gbp']['API_KEY']``),
so every error names the exact value to fix. Credentials are checked for shape only and
never echoed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

#: A top-level key (``"API_KEY"``) or the path of a nested one.
Key = str | tuple[str, ...]


def setting_name(key: Key) -> str:
    """How an error names the setting: ``TALONONE['API_KEY']``."""
    path = (key,) if isinstance(key, str) else key
    return "TALONONE" + "".join(f"[{part!r}]" for part in path)


def env_name(key: Key) -> str:
    """The environment variable of a setting: ``TALONONE_API_KEY``, ``TALONONE_GBP_API_KEY``."""
    path = (key,) if isinstance(key, str) else key[1:] if key[0] == "APPLICATIONS" else key
    return "TALONONE_" + "_".join(part.upper() for part in path)


def timeout(key: Key, value: Any) -> tuple[float, float]:
    if isinstance(value, str):  # from the environment: "5" or "3.05,20"
        parts = [part for part in value.split(",") if part.strip()]
        value = parts[0] if len(parts) == 1 else parts
    try:
        if isinstance(value, (int, float, str)):
            pair = (float(value), float(value))
        else:
            connect, read = value
            pair = (float(connect), float(read))
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be seconds, or a (connect, read) pair of seconds; "
            f"got {value!r}."
        ) from None
    if min(pair) <= 0:
        raise ImproperlyConfigured(f"{setting_name(key)} must be positive; got {value!r}.")
    return pair


def number(key: Key, value: Any, kind: type[int] | type[float], minimum: float) -> Any:
    try:
        result = kind(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be a number; got {value!r}."
        ) from None
    if result < minimum:
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be at least {minimum}; got {value!r}."
        )
    return result


def decimal_places(key: Key, value: Any) -> int:
    places = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 6:
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be a whole number from 0 to 6; got {value!r}."
        )
    return places


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def flag(key: Key, value: Any) -> bool:
    """A yes/no setting: a bool, or (from the environment) ``true``/``false``, ``1``/``0``.

    Anything else is refused rather than read by truthiness: ``"False"`` from an environment
    variable must not turn flattening on, and a typo must not pass unnoticed.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ImproperlyConfigured(
        f"{setting_name(key)} must be True or False (in the environment: true or false); "
        f"got {value!r}."
    )


def unsendable(value: str) -> bool:
    return not value.isascii() or not value.isprintable() or any(c.isspace() for c in value)


def secret(key: Key, value: Any) -> str | None:
    """A credential as given, refused (never echoed) if it could not go into a header.

    A key pasted with a trailing newline or a space would otherwise pass the checks and
    fail every call, which the cart page would show as "Talon.One unavailable".
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be a string; got a {type(value).__name__}."
        )
    if unsendable(value):
        raise ImproperlyConfigured(
            f"{setting_name(key)} contains whitespace, a line break or another character that "
            "cannot be sent in a header (the value is not shown): copy the key again "
            "without the trailing newline or spaces."
        )
    return value


def base_url(key: Key, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or unsendable(value):
        shown = "a value with credentials" if "@" in str(value) else repr(value)
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be a URL without spaces or line breaks, such as "
            f"'https://yourshop.europe-west1.talon.one'; got {shown}."
        )
    return value.rstrip("/")


def text(key: Key, value: Any) -> str:
    if not isinstance(value, str) or not value or unsendable(value):
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be a non-empty string without spaces; got {value!r}."
        )
    return value


def currency(key: Key, value: Any) -> str | None:
    """An ISO 4217 code such as ``"EUR"`` (upper-cased), or ``None`` when not set."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise ImproperlyConfigured(
            f"{setting_name(key)} must be a three-letter currency code such as 'EUR' "
            f"(the Application's currency in the Campaign Manager); got {value!r}."
        )
    return value.strip().upper()


def mapping(key: Key, value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f"{setting_name(key)} must be a dict of {what}.")
    return value


__all__ = [
    "Key",
    "base_url",
    "currency",
    "decimal_places",
    "env_name",
    "flag",
    "mapping",
    "number",
    "secret",
    "setting_name",
    "text",
    "timeout",
    "unsendable",
]
