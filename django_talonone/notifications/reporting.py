"""Keeping the notification header's secret out of Django's error reports.

Django's ``SafeExceptionReporterFilter`` hides a request header only when its name matches
``API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE``. ``NOTIFICATION_HEADER`` may be named
anything (``X-Shop-Hook``), so its value would show on the DEBUG page and in the admins'
error mail. The endpoint removes the header from the request once checked; a middleware
that fails *before* the endpoint runs still holds it, which this filter covers: set
``DEFAULT_EXCEPTION_REPORTER_FILTER`` to it (check W031 says when it is needed).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.views.debug import SafeExceptionReporterFilter

from django_talonone.conf import DEFAULTS, get_settings

DEFAULT_HEADER: str = DEFAULTS["NOTIFICATION_HEADER"]


def meta_key(header: str) -> str:
    """The ``request.META`` key of an HTTP header name (``X-Shop-Hook`` → ``HTTP_X_SHOP_HOOK``)."""
    return "HTTP_" + header.upper().replace("-", "_")


def hidden_by_default_filter(header: str) -> bool:
    """Whether the project's error reports already hide ``header``'s value."""
    reporter_filter = import_string(settings.DEFAULT_EXCEPTION_REPORTER_FILTER)
    if isinstance(reporter_filter, type) and issubclass(
        reporter_filter, NotificationReporterFilter
    ):
        return True
    hidden = getattr(reporter_filter, "hidden_settings", None)
    return bool(hidden is not None and hidden.search(meta_key(header)))


class NotificationReporterFilter(SafeExceptionReporterFilter):
    """Django's safe filter, also hiding the configured ``NOTIFICATION_HEADER``."""

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        try:
            header = get_settings().notification_header
        except ImproperlyConfigured:  # a report must never fail: hide the default at least
            header = DEFAULT_HEADER
        key = meta_key(header)
        if key in meta:
            meta[key] = self.cleansed_substitute
        return meta
