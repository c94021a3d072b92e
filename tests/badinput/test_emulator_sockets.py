"""Raw garbage on the emulator's socket: never a 5xx, and the server keeps serving.

Request lines, header blocks and bodies are drawn at random (methods, paths, header names
and values, wrong or missing Content-Type, bodies that are not JSON) and written to a real
connection, which is then half-closed so the server sees the end of the request.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from django_talonone.emulator import Emulator

from .conftest import FUZZ

API_KEY = "socket-key"
token = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)
methods = st.one_of(st.sampled_from(["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"]), token)
paths = st.one_of(
    st.sampled_from(
        [
            "/v2/customer_sessions/s1",
            "/v2/customer_sessions/s1/returns",
            "/v2/customer_profiles/p1",
            "/v1/customer_profiles/p1/inventory",
            "/v2/events",
            "/_emulator/faults",
            "/_emulator/config",
            "/v2/customer_sessions/%ZZ",
            "/v2/customer_sessions/%C0%AF",
            "//v2//customer_sessions",
            "/" + "a" * 3000,
        ]
    ),
    token.map(lambda text: "/" + text),
)
headers = st.lists(
    st.one_of(
        st.just(f"Authorization: ApiKey-v1 {API_KEY}"),
        st.sampled_from(
            ["Content-Type: application/json", "Content-Type: text/plain", "Idempotency-Key: k",
             "Authorization: Bearer x", "Authorization: ApiKey-v1", "Transfer-Encoding: gzip",
             "Content-Length: abc", "Content-Length: -1", "Expect: 100-continue"]
        ),
        st.tuples(token, token).map(lambda pair: f"{pair[0]}: {pair[1]}"),
    ),
    max_size=5,
)  # fmt: skip
bodies = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b"{", b'{"customerSession": 1}', b"[]", b'{"a": NaN}', b"\xff\xfe{}"]),
)


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    emulator = Emulator(api_key=API_KEY)
    with emulator.serve() as running:
        yield running.url


def _exchange(url: str, raw: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        try:
            while chunk := connection.recv(65536):
                reply += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return reply


@FUZZ
@given(method=methods, path=paths, header_lines=headers, body=bodies)
def test_garbage_on_the_socket_never_gets_a_server_error(
    served: str, method: str, path: str, header_lines: list[str], body: bytes
) -> None:
    lines = [f"{method} {path} HTTP/1.1", "Host: emulator", *header_lines]
    if not any(line.lower().startswith("content-length") for line in header_lines):
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join([*lines, "Connection: close", "", ""])).encode("utf-8") + body
    reply = _exchange(served, raw)
    if reply:
        status_line = reply.split(b"\r\n", 1)[0].split()
        assert len(status_line) >= 2, reply[:200]
        assert not status_line[1].startswith(b"5"), reply[:300]
    assert requests.get(f"{served}/_emulator/health", timeout=5).status_code == 200
