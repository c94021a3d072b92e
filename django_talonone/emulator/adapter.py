"""A ``requests`` transport adapter that calls the emulator's WSGI app in process.

Mounted on a ``requests.Session`` it lets code written for the real Talon.One (such as
``TalonOneClient``) talk to the emulator with no socket and no port, while still going
through the whole HTTP shell: auth, routing, validation, fault injection and the log.
Transport faults come back as the exceptions ``requests`` itself raises for them.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from .faults import DropConnection, ResponseTimedOut
from .wsgi import RAW_URI_KEY, READ_TIMEOUT_KEY, WsgiApp


class EmulatorAdapter(BaseAdapter):
    """Send each prepared request to ``app`` and wrap its reply in a ``requests.Response``."""

    def __init__(self, app: WsgiApp) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        environ = build_environ(request, read_timeout(timeout))
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            captured["status"] = status
            captured["headers"] = headers

        try:
            chunks = self.app(environ, start_response)
        except DropConnection:
            raise requests.exceptions.ConnectionError(
                "Connection aborted: the emulator dropped the connection", request=request
            ) from None
        except ResponseTimedOut:
            raise requests.exceptions.ReadTimeout(
                "Read timed out: the emulator answered after the read timeout", request=request
            ) from None
        try:
            content = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return build_response(request, captured["status"], captured["headers"], content)

    def close(self) -> None:
        """Nothing to release: there is no connection pool."""


def read_timeout(timeout: Any) -> float | None:
    """The read part of anything ``requests`` accepts as ``timeout``."""
    if timeout is None:
        return None
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) > 1 else timeout[0]
    read = getattr(timeout, "read_timeout", timeout)
    return float(read) if isinstance(read, (int, float)) else None


def build_environ(request: requests.PreparedRequest, timeout: float | None) -> dict[str, Any]:
    """A WSGI environ equivalent to what a server would build for ``request``."""
    url = urlsplit(request.url or "")
    body = _body_bytes(request.body)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": (request.method or "GET").upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(url.path or "/", encoding="latin-1"),
        RAW_URI_KEY: (url.path or "/") + (f"?{url.query}" if url.query else ""),
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "",
    }
    if timeout is not None:
        environ[READ_TIMEOUT_KEY] = timeout
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    return environ


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if isinstance(body, Iterable):
        return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)
    raise TypeError(f"cannot send a request body of type {type(body).__name__}")


def build_response(
    request: requests.PreparedRequest,
    status: str,
    headers: list[tuple[str, str]],
    content: bytes,
) -> requests.Response:
    """A ``requests.Response`` as the HTTP adapter would produce it."""
    code_text, _, reason = status.partition(" ")
    response = requests.Response()
    response.status_code = int(code_text)
    response.reason = reason or _phrase(response.status_code)
    response.headers = CaseInsensitiveDict(headers)
    response.encoding = get_encoding_from_headers(response.headers)
    response.raw = io.BytesIO(content)
    response._content = content
    response._content_consumed = True  # type: ignore[attr-defined]
    response.url = request.url or ""
    response.request = request
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
