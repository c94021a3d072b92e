"""Small rendering helpers the ModelAdmins share: readable JSON, links between admin pages.

Stored payloads and replies are JSON; staff read them far more easily indented and sorted
than as Django's default one-line repr. Links are built from the admin site's URL names,
so they follow a site mounted anywhere (and vanish when the target is not registered).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .base import AnyModelAdmin

__all__ = ["admin_url", "changelist_link", "object_link", "pretty_json"]


def pretty_json(value: Any) -> SafeString:
    """``value`` as indented JSON in a ``<pre>`` block (``-`` when there is nothing)."""
    if value is None or value == {} or value == []:
        return format_html("{}", "-")
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return format_html('<pre class="talonone-json">{}</pre>', text)


def admin_url(
    model_admin: AnyModelAdmin,
    options: Any,
    view: str,
    *args: Any,
) -> str:
    """The URL of ``view`` (``change``, ``changelist``...) of a model, or "" if unregistered."""
    try:
        return reverse(
            f"admin:{options.app_label}_{options.model_name}_{view}",
            args=args,
            current_app=model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return ""


def object_link(model_admin: AnyModelAdmin, obj: models.Model | None) -> SafeString:
    """A link to ``obj``'s change page (its text alone when it has none)."""
    if obj is None:
        return format_html("{}", "-")
    url = admin_url(model_admin, obj._meta, "change", quote(obj.pk))
    if not url:
        return format_html("{}", str(obj))
    return format_html('<a href="{}">{}</a>', url, str(obj))


def changelist_link(
    model_admin: AnyModelAdmin,
    model: type[models.Model],
    filters: dict[str, Any],
    text: str,
) -> SafeString:
    """A link to ``model``'s changelist narrowed by ``filters`` (plain text if unregistered)."""
    url = admin_url(model_admin, model._meta, "changelist")
    if not url:
        return format_html("{}", text)
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), text)


def log_changes(request: HttpRequest, rows: Sequence[models.Model], message: str) -> None:
    """One admin history entry ("change") per row an action acted on, by the staff member.

    Written as ``LogEntry`` rows directly: ``log_action`` is gone in Django 6.0 and
    ``log_actions`` does not exist before 5.1, while the model is the same in both.
    """
    user_id = request.user.pk
    if not rows or user_id is None:
        return
    LogEntry.objects.bulk_create(
        LogEntry(
            user_id=user_id,
            content_type=ContentType.objects.get_for_model(row, for_concrete_model=False),
            object_id=str(row.pk),
            object_repr=str(row)[:200],
            action_flag=CHANGE,
            change_message=message,
        )
        for row in rows
    )
