"""``{% load talonone_admin %}``: the outbox status panel for any admin template.

The app's ``admin/index.html`` shows it on the admin index (when ``django_talonone`` is
listed before ``django.contrib.admin`` in ``INSTALLED_APPS``); a shop with its own index
template puts ``{% talonone_outbox_status %}`` where it wants the panel.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

from django_talonone.models import DeliveryStatus
from django_talonone.services import outbox_status

register = template.Library()

PANEL = "admin/django_talonone/outbox_status.html"


def _changelist(request: Any, query: dict[str, str]) -> str:
    try:
        url = reverse(
            "admin:django_talonone_delivery_changelist",
            current_app=getattr(request, "current_app", None),
        )
    except NoReverseMatch:  # deliveries are not registered on this site
        return ""
    return f"{url}?{urlencode(query)}"


@register.inclusion_tag(PANEL, takes_context=True)
def talonone_outbox_status(context: Any) -> dict[str, Any]:
    """Dead and stalled deliveries and the last delivery, each linked to the rows it counts;
    nothing for staff who may not see deliveries."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("django_talonone.view_delivery"):
        return {"status": None}
    status = outbox_status()
    waiting = ",".join(str(state) for state in (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT))
    return {
        "status": status,
        "stalled_minutes": int(status.stalled_after.total_seconds() // 60),
        "dead_url": _changelist(request, {"status__exact": DeliveryStatus.DEAD}),
        "stalled_url": _changelist(
            request,
            {"status__in": waiting, "created_at__lt": status.stalled_before.isoformat()},
        ),
        "done_url": _changelist(request, {"status__exact": DeliveryStatus.DONE}),
    }
