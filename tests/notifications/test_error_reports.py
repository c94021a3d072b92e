"""A notification header named anything never shows its secret in Django's error reports.

Django hides a header only when its name says API, AUTH, TOKEN, KEY, SECRET, PASS or
SIGNATURE; ``X-Shop-Hook`` says none of them. The endpoint removes the header once checked,
so a failure after it (in the view, or in a middleware on the way back) cannot show it;
``NotificationReporterFilter`` covers a middleware failing before the endpoint runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import checks
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

from django_talonone.models import Notification

from .conftest import POINTS_ADDED, SECRET, SETTINGS, post

pytestmark = pytest.mark.django_db(transaction=True)

PLAIN_HEADER = "X-Shop-Hook"  # none of the words Django's filter looks for
PLAIN_META = "HTTP_X_SHOP_HOOK"
FILTER = "django_talonone.notifications.reporting.NotificationReporterFilter"
HERE = "tests.notifications.test_error_reports"


class FailingOnTheWayBack:
    """A shop middleware that raises after the endpoint answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        request.endpoint_status = response.status_code  # type: ignore[attr-defined]
        raise RuntimeError("a shop middleware failed after the endpoint")


class FailingOnTheWayIn:
    """A shop middleware that raises before the endpoint runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise RuntimeError("a shop middleware failed before the endpoint")


@pytest.fixture(autouse=True)
def _fresh_reporter_filter() -> Iterator[None]:
    """Django caches the filter it builds from its setting; the tests change the setting."""
    get_default_exception_reporter_filter.cache_clear()
    yield
    get_default_exception_reporter_filter.cache_clear()


@pytest.fixture
def reports() -> Iterator[list[str]]:
    """The text of the admins' error mail for each request that raised."""
    texts: list[str] = []

    def report(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
        exc_type, exc, tb = sys.exc_info()
        reporter = ExceptionReporter(request, exc_type, exc, tb, is_email=True)
        texts.append(reporter.get_traceback_text())
        texts.append(reporter.get_traceback_html())
        texts.append(repr(dict(request.headers)))

    got_request_exception.connect(report, dispatch_uid="test-error-reports")
    yield texts
    got_request_exception.disconnect(dispatch_uid="test-error-reports")


def _push(middleware: str, **extra: Any) -> tuple[Any, Client]:
    client = Client(raise_request_exception=False)
    with override_settings(
        DEBUG=True,
        MIDDLEWARE=[f"{HERE}.{middleware}"],
        TALONONE={**SETTINGS, "NOTIFICATION_HEADER": PLAIN_HEADER},
        **extra,
    ):
        response = post(client, POINTS_ADDED, secret=None, **{PLAIN_META: SECRET})
    return response, client


def test_a_plain_header_is_accepted_and_its_secret_left_out_of_a_later_report(
    reports: list[str],
) -> None:
    response, _ = _push("FailingOnTheWayBack")
    assert response.status_code == 500
    page = response.content.decode()
    assert "a shop middleware failed after the endpoint" in page  # the technical 500 page
    assert Notification.objects.count() == 1  # the endpoint accepted and stored it
    assert len(reports) == 3
    assert "a shop middleware failed after the endpoint" in reports[0]
    for text in [page, *reports]:
        assert SECRET not in text


def test_a_failure_before_the_endpoint_hides_the_header_with_the_apps_filter(
    reports: list[str],
) -> None:
    response, _ = _push("FailingOnTheWayIn", DEFAULT_EXCEPTION_REPORTER_FILTER=FILTER)
    assert response.status_code == 500
    page = response.content.decode()
    assert "a shop middleware failed before the endpoint" in page
    assert PLAIN_META in page  # the header is listed, its value masked
    assert SECRET not in page
    assert SECRET not in reports[0]
    assert SECRET not in reports[1]


def test_without_the_filter_a_failure_before_the_endpoint_would_show_it() -> None:
    """Why the filter and W031 exist: Django alone shows this header's value."""
    response, _ = _push("FailingOnTheWayIn")
    assert SECRET in response.content.decode()


def _warnings(**talonone: Any) -> list[str]:
    with override_settings(
        TALONONE={**SETTINGS, **talonone}, ROOT_URLCONF="tests.notifications.urls"
    ):
        return [message.id or "" for message in checks.run_checks()]


def test_the_check_warns_about_a_header_the_reports_would_show() -> None:
    assert "django_talonone.W031" in _warnings(NOTIFICATION_HEADER=PLAIN_HEADER)
    assert "django_talonone.W031" not in _warnings(NOTIFICATION_HEADER="X-Shop-Hook-Token")
    assert "django_talonone.W031" not in _warnings()
    with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=FILTER):
        assert "django_talonone.W031" not in _warnings(NOTIFICATION_HEADER=PLAIN_HEADER)
