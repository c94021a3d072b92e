"""One log record per attempt, retries at WARNING, and never a credential at any level."""

from __future__ import annotations

import http.server
import logging
import re
import threading
from decimal import Decimal

import pytest
import requests
import responses

from django_talonone.client import TalonOneClient, TalonOneConnectionError, TalonOneServerError
from tests.clocks import MonotonicClock

from .conftest import API_KEY, BASE, MANAGEMENT_KEY, MANAGEMENT_TOKEN, make_client

ANY_URL = re.compile(re.escape(BASE) + r"/.*")
SECRETS = (API_KEY, MANAGEMENT_KEY, MANAGEMENT_TOKEN)


def _ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django_talonone.client"]


def test_success_is_one_debug_record_with_structured_fields(
    clock: MonotonicClock, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mocked.put(ANY_URL, json={"effects": []})
    make_client(clock).update_customer_session_v2("s 1", {"customerSession": {}})
    [record] = _ours(caplog)
    assert record.levelno == logging.DEBUG
    assert record.getMessage().startswith("Talon.One PUT /v2/customer_sessions/s%201 -> 200 in ")
    assert record.talonone_operation == "updateCustomerSessionV2"  # type: ignore[attr-defined]
    assert record.talonone_method == "PUT"  # type: ignore[attr-defined]
    assert record.talonone_path == "/v2/customer_sessions/s%201"  # type: ignore[attr-defined]
    assert record.talonone_status == 200  # type: ignore[attr-defined]
    assert record.talonone_attempt == 1  # type: ignore[attr-defined]
    assert record.talonone_duration_ms >= 0  # type: ignore[attr-defined]


def test_retries_are_warnings_and_the_final_failure_is_info(
    clock: MonotonicClock, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mocked.get(ANY_URL, body=requests.ReadTimeout("slow"))
    mocked.get(ANY_URL, status=503, json={"message": "down"})
    with pytest.raises(TalonOneServerError):
        make_client(clock, max_attempts=2).get_customer_session("s")
    records = _ours(caplog)
    assert [record.levelno for record in records] == [logging.WARNING, logging.INFO]
    assert [record.talonone_attempt for record in records] == [1, 2]  # type: ignore[attr-defined]
    assert [record.talonone_status for record in records] == [  # type: ignore[attr-defined]
        "TalonOneTimeoutError",
        503,
    ]
    assert "retrying in" in records[0].getMessage()
    assert "not retrying" in records[1].getMessage()


def test_a_retried_success_logs_each_attempt_once(
    clock: MonotonicClock, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mocked.get(ANY_URL, status=429, json={})
    mocked.get(ANY_URL, json={})
    make_client(clock).get_customer_session("s")
    assert [record.levelno for record in _ours(caplog)] == [logging.WARNING, logging.DEBUG]


@pytest.mark.parametrize(
    "credentials",
    [{"management_key": MANAGEMENT_KEY}, {"management_token": MANAGEMENT_TOKEN}],
    ids=["management-key", "bearer-token"],
)
def test_no_credential_in_any_record(
    credentials: dict[str, str],
    clock: MonotonicClock,
    mocked: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    mocked.delete(ANY_URL, status=503, json={"message": "down"})
    mocked.post(ANY_URL, body=requests.ConnectionError("reset"))
    mocked.put(ANY_URL, json={})
    client = make_client(clock, max_attempts=3, **credentials)
    with pytest.raises(TalonOneServerError) as caught:
        client.delete_audience_v2(1)
    with pytest.raises(TalonOneConnectionError):
        client.track_event({"type": "t"})
    client.update_customer_session_v2("s", {"customerSession": {}})

    assert caplog.records
    for record in caplog.records:
        rendered = " ".join(
            [record.getMessage(), repr(record.args), repr(vars(record)), str(record.exc_info)]
        )
        for secret in SECRETS:
            assert secret not in rendered
    for secret in SECRETS:
        assert secret not in str(caught.value)
        assert secret not in repr(vars(caught.value))
        assert secret not in repr(client)
        assert secret not in str(client)


class _Reply(http.server.BaseHTTPRequestHandler):
    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        payload = b'{"effects":[],"total":19.99}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the stdlib server's stderr access log."""


def test_real_http_stack_logs_no_credential(caplog: pytest.LogCaptureFixture) -> None:
    """Through real urllib3 on loopback, so its own DEBUG records are checked too."""
    caplog.set_level(logging.DEBUG)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Reply)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with TalonOneClient(url, API_KEY, MANAGEMENT_KEY) as client:
            reply = client.update_customer_session_v2("s", {"customerSession": {}})
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert reply == {"effects": [], "total": Decimal("19.99")}
    assert {record.name for record in caplog.records} >= {
        "django_talonone.client",
        "urllib3.connectionpool",
    }
    for record in caplog.records:
        rendered = record.getMessage() + repr(vars(record))
        assert API_KEY not in rendered
        assert MANAGEMENT_KEY not in rendered
