"""Validation of the client's constructor arguments, with errors naming the argument.

Credentials are checked for shape only and never echoed: a key pasted with a trailing
newline would otherwise end up in an error message, or smuggle a header into requests.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import TalonOneConfigurationError

__all__ = ["check_base_url", "check_secret", "non_negative", "positive", "timeout_pair"]


def check_secret(name: str, value: object) -> str:
    """Validate a credential without ever echoing it."""
    if not isinstance(value, str) or not value:
        raise TalonOneConfigurationError(f"{name} must be a non-empty string")
    if not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
        raise TalonOneConfigurationError(
            f"{name} contains whitespace or non-printable characters (value not shown)"
        )
    return value


def check_base_url(value: object) -> str:
    """``scheme://host[:port][/prefix]`` without a trailing slash, ready to prepend paths."""
    if not isinstance(value, str):
        raise TalonOneConfigurationError("base_url must be a string like https://x.talon.one")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = "a URL with credentials" if "@" in value else repr(value)
        raise TalonOneConfigurationError(
            f"base_url must be an http(s)://host URL (e.g. https://mycompany.talon.one), "
            f"got {shown}"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise TalonOneConfigurationError(
            "base_url must not carry credentials, a query or a fragment"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise TalonOneConfigurationError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def non_negative(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise TalonOneConfigurationError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


def timeout_pair(value: object) -> tuple[float, float]:
    if isinstance(value, tuple) and len(value) == 2:
        return positive("timeout[0] (connect)", value[0]), positive("timeout[1] (read)", value[1])
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = positive("timeout", value)
        return seconds, seconds
    raise TalonOneConfigurationError(
        f"timeout must be seconds or a (connect, read) tuple of seconds, got {value!r}"
    )
