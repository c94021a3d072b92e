"""An error inside a Talon.One call never shows a key: not on Django's technical 500 page
(``DEBUG=True``), not in the error report mailed to the admins (``AdminEmailHandler``).

Those pages print every frame's local variables with ``repr``; the call's headers sit in
the client's frames, and in requests' and urllib3's below them. The ``Authorization``
value is a masking string there, so each of those frames shows ``'ApiKey-v1 ***'``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from secrets import token_hex
from typing import Any

import pytest
import responses
from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter, technical_500_response

from django_talonone.client import TalonOneClient

BASE = "https://acme.talon.one"
# Made at run time: the pages show the source lines around each frame, and a literal key
# written here would appear in them whatever the client does.
API_KEY = "int-key-" + token_hex(8)
MANAGEMENT_KEY = "mgmt-key-" + token_hex(8)
MANAGEMENT_TOKEN = "token-" + token_hex(8)


def _blow_up(request: Any) -> Any:
    raise RuntimeError("the network stack failed in the middle of the call")


def _failure(call: Any) -> tuple[Any, BaseException, Any]:
    """The exc_info of an unexpected error raised below the client, mid-call."""
    try:
        call()
    except RuntimeError:
        return sys.exc_info()
    raise AssertionError("the call did not fail")


CREDENTIALS = [
    {"management_key": MANAGEMENT_KEY},
    {"management_token": MANAGEMENT_TOKEN},
]


@pytest.fixture(params=["integration", "management key", "management token"])
def mid_call_failure(request: pytest.FixtureRequest) -> Iterator[tuple[Any, BaseException, Any]]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add_callback(responses.PUT, f"{BASE}/v2/customer_sessions/s1", callback=_blow_up)
        mocked.add_callback(responses.DELETE, f"{BASE}/v2/audiences/7", callback=_blow_up)
        if request.param == "integration":
            client = TalonOneClient(BASE, API_KEY, MANAGEMENT_KEY, max_attempts=1)
            body = {"customerSession": {"state": "open"}}
            yield _failure(lambda: client.update_customer_session_v2("s1", body))
        else:
            credential = CREDENTIALS[request.param == "management token"]
            client = TalonOneClient(BASE, API_KEY, max_attempts=1, **credential)
            yield _failure(lambda: client.delete_audience_v2(7))


def _assert_no_secret(text: str) -> None:
    for secret in (API_KEY, MANAGEMENT_KEY, MANAGEMENT_TOKEN):
        assert secret not in text


@override_settings(DEBUG=True)
def test_the_technical_500_page_shows_no_key(mid_call_failure: Any) -> None:
    request = RequestFactory().get("/cart/")
    response = technical_500_response(request, *mid_call_failure)
    page = response.content.decode()
    assert "the network stack failed" in page  # it is the page of that error
    assert "-v1 ***" in page or "Bearer ***" in page  # the header is shown, masked
    _assert_no_secret(page)


def test_the_error_mail_shows_no_key(mid_call_failure: Any) -> None:
    request = RequestFactory().get("/cart/")
    reporter = ExceptionReporter(request, *mid_call_failure, is_email=True)
    _assert_no_secret(reporter.get_traceback_html())
    _assert_no_secret(reporter.get_traceback_text())


def test_the_masked_header_still_sends_the_key() -> None:
    with responses.RequestsMock() as mocked:
        mocked.put(f"{BASE}/v2/customer_sessions/s1", json={})
        TalonOneClient(BASE, API_KEY, max_attempts=1).update_customer_session_v2(
            "s1", {"customerSession": {"state": "open"}}
        )
        sent = mocked.calls[0].request.headers["Authorization"]
    assert sent == f"ApiKey-v1 {API_KEY}"
