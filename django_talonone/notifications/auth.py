"""Checking the shared secret a notification carries, in constant time.

Talon.One has no signature scheme: the shop configures the webhook with basic auth or a
custom header, and the request carries the secret itself. Every configured secret is
compared (``hmac.compare_digest``, and all of them, not stopping at the first match), so
the time taken tells nothing about which secret, or how much of one, was right.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hmac
from collections.abc import Sequence

from django.http import HttpRequest


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    MISSING = "missing credentials"
    WRONG = "wrong credentials"


def _basic_password(value: str) -> str | None:
    """The password of a ``Basic`` Authorization value, or ``None`` if it is not one."""
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]


def _matches(candidate: str, secrets: Sequence[str]) -> bool:
    given = candidate.encode("utf-8", "surrogateescape")
    found = False
    for secret in secrets:
        found |= hmac.compare_digest(given, secret.encode("utf-8"))
    return found


def check(request: HttpRequest, *, secrets: Sequence[str], header: str) -> Verdict:
    """Whether ``request`` carries one of ``secrets`` (in ``header`` or as a basic password)."""
    candidates = []
    custom = request.headers.get(header)
    if custom is not None:
        candidates.append(custom)
    authorization = request.headers.get("Authorization")
    if authorization is not None:
        password = _basic_password(authorization)
        candidates.append("" if password is None else password)
    if not candidates:
        return Verdict.MISSING
    accepted = False
    for candidate in candidates:
        accepted |= _matches(candidate, secrets)
    return Verdict.ACCEPTED if accepted and secrets else Verdict.WRONG
