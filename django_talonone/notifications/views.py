"""The endpoint: authenticate, bound, parse, store, acknowledge.

The order matters: credentials are checked before the body is read (an unauthenticated
sender cannot make the shop read or parse anything), the credentials are then removed
from the request (Django's error reports hide only headers whose name says SECRET, KEY,
TOKEN, AUTH, ...; the configured header may be named anything), the size is bounded before it is
read, and the row is stored before the 2xx goes back, so that Talon.One retries (5xx and
429, for about ten minutes) whatever the shop did not keep. Refusals carry no detail in
their body; the log says why, never with the credential.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from django_talonone.conf import get_settings
from django_talonone.models import Notification
from django_talonone.services.notifications import receive_notification

from .auth import Verdict, check
from .reporting import meta_key

logger = logging.getLogger("django_talonone.notifications")

#: Longest ``X-UUID`` kept (Talon.One sends a UUID, 36 characters).
UUID_MAX = 100
REALM = 'Basic realm="talonone-notifications", charset="UTF-8"'


def _refuse(request: HttpRequest, status: int, reason: str) -> HttpResponse:
    logger.warning(
        "Refused a Talon.One notification (%s %s): %s",
        status,
        request.META.get("REMOTE_ADDR", "?"),
        reason,
    )
    response = HttpResponse(status=status)
    if status == 401:
        response["WWW-Authenticate"] = REALM
    return response


def _forget_credentials(request: HttpRequest, header: str) -> None:
    """Drop the secret-bearing headers, so no later failure's error report can show them.

    ``request.headers`` is a cached view of ``META``: it is dropped too, to be rebuilt
    without them if read again.
    """
    request.META.pop(meta_key(header), None)
    request.META.pop("HTTP_AUTHORIZATION", None)
    request.__dict__.pop("headers", None)


def _uuid(request: HttpRequest) -> str | None:
    value = (request.headers.get("X-UUID") or "").strip()
    if not value:
        return None
    if len(value) > UUID_MAX or not value.isascii() or not value.isprintable():
        raise ValueError("an X-UUID that is not a short printable id")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _read(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or ``None`` if it is larger than ``limit`` bytes."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    """Store one notification from Talon.One and acknowledge it."""
    config = get_settings()
    if not config.notification_secrets:
        return _refuse(request, 403, "TALONONE['NOTIFICATION_SECRETS'] is not set")
    try:
        verdict = check(
            request, secrets=config.notification_secrets, header=config.notification_header
        )
    finally:
        _forget_credentials(request, config.notification_header)
    if verdict is Verdict.MISSING:
        return _refuse(request, 401, verdict.value)
    if verdict is Verdict.WRONG:
        return _refuse(request, 403, verdict.value)
    if request.content_type != "application/json":
        return _refuse(request, 415, "the body is not application/json")
    body = _read(request, config.notification_max_bytes)
    if body is None:
        return _refuse(request, 413, "the body is larger than NOTIFICATION_MAX_BYTES")
    try:
        uuid = _uuid(request)
        payload: Any = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        reason = str(error) if "X-UUID" in str(error) else "the body is not valid JSON"
        return _refuse(request, 400, reason)
    if not isinstance(payload, dict):
        return _refuse(request, 400, "the body is not a JSON object")
    with transaction.atomic(using=router.db_for_write(Notification)):
        received = receive_notification(payload, uuid=uuid)
    if received.duplicate:
        logger.info("Notification X-UUID already stored as #%s", received.notification.pk)
    return HttpResponse(status=200)
