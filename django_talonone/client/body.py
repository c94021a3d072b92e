"""Reading a reply body within bounds: its decoded size, its nesting and the call's deadline.

``requests`` would read a whole body into memory, inflate any gzip bomb it is sent, and
wait as long as bytes keep trickling in (its read timeout is per socket read, not per
call). A broken or hostile server must cost the shop no more than one call's deadline and
a bounded amount of memory, so the transport streams the body and reads it here: one
socket read at a time, each allowed only the time left, decoding ``gzip``/``deflate``
itself with a cap on the output.
"""

from __future__ import annotations

import socket
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import HTTPError, ReadTimeoutError
from urllib3.response import HTTPResponse

from .errors import TalonOneConnectionError, TalonOneResponseError, TalonOneTimeoutError

__all__ = ["ACCEPT_ENCODING", "BodyLimits", "check_depth", "read_body"]

#: What the client asks for; anything else in ``Content-Encoding`` is refused.
ACCEPT_ENCODING = "gzip, deflate"
_ENCODINGS = frozenset({"", "identity", "gzip", "deflate"})
_CHUNK = 64 * 1024
_LAST_LOOK = 0.001


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyLimits:
    """The bounds of one reply: its decoded size, and when the call must be over."""

    max_bytes: int
    deadline_at: float
    read_timeout: float
    clock: Callable[[], float]


class _Inflater:
    """Bounded gzip/deflate decoding: never more output than the limit allows."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # gzip: a gzip header; deflate: zlib-wrapped (RFC 9110), raw deflate as fall-back.
        wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate ``data``, returning at most ``room + 1`` bytes (that many: too large)."""
        try:
            out = self._inflater.decompress(data, room + 1)
        except zlib.error:
            if self.encoding != "deflate" or self._started:
                raise
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, room + 1)
        self._started = True
        return out


def _socket_of(raw: Any) -> socket.socket | None:
    """The socket under a urllib3 response, if there is one (test transports have none)."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _read_once(raw: Any) -> bytes:
    """One read: at most one socket read from urllib3 (``read1``), a chunk from a file."""
    if isinstance(raw, HTTPResponse):
        return bytes(raw.read1(_CHUNK, decode_content=False))
    read1 = getattr(raw, "read1", None)
    return bytes(read1(_CHUNK) if read1 is not None else raw.read(_CHUNK))


def read_body(response: requests.Response, limits: BodyLimits, context: dict[str, Any]) -> bytes:
    """The decoded body of a streamed ``response``, or a typed error past any bound.

    ``context`` (method, path, attempts ...) goes into the error raised; a reply cut off or
    too slow is retryable only if ``context["retryable"]`` says the operation is. The
    connection goes back to the pool only after a complete read.
    """
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    unusable = {key: value for key, value in context.items() if key != "retryable"}
    if encoding not in _ENCODINGS:
        response.close()
        raise TalonOneResponseError(
            f"reply uses Content-Encoding {encoding!r}, which the client did not ask for",
            **unusable,
        )
    inflater = _Inflater(encoding) if encoding in ("gzip", "deflate") else None
    raw = response.raw
    sock = _socket_of(raw)
    parts: list[bytes] = []
    size = 0
    complete = False
    try:
        while True:
            if sock is not None:
                # Past the deadline a read still takes what has already arrived (or the
                # end of the body), but waits no more for bytes still on their way.
                left = max(limits.deadline_at - limits.clock(), _LAST_LOOK)
                sock.settimeout(min(limits.read_timeout, left))
            try:
                data = _read_once(raw) if raw is not None else b""
            except (ReadTimeoutError, TimeoutError):
                raise _too_slow(context) from None
            except (HTTPError, requests.RequestException, OSError) as exc:
                raise TalonOneConnectionError(
                    f"connection lost while reading the reply ({type(exc).__name__})",
                    maybe_applied=True,
                    **context,
                ) from None
            if not data:
                complete = True
                break
            if inflater is not None:
                try:
                    data = inflater.feed(data, limits.max_bytes - size)
                except zlib.error:
                    message = f"reply is not valid {encoding} data"
                    raise TalonOneResponseError(message, **unusable) from None
            size += len(data)
            if size > limits.max_bytes:
                raise TalonOneResponseError(
                    f"reply is larger than {limits.max_bytes} bytes once decoded "
                    "(the MAX_REPLY_BYTES setting); not read further",
                    **unusable,
                )
            parts.append(data)
    finally:
        if complete and isinstance(raw, HTTPResponse):
            raw.release_conn()
        elif not complete:
            response.close()
    return b"".join(parts)


def _too_slow(context: dict[str, Any]) -> TalonOneTimeoutError:
    return TalonOneTimeoutError(
        "the reply did not arrive within the call's deadline (DEADLINE), "
        "though it kept trickling in",
        maybe_applied=True,
        **context,
    )


def check_depth(value: Any, max_depth: int) -> bool:
    """Whether decoded JSON ``value`` nests no deeper than ``max_depth`` (no recursion).

    Level by level, each a list comprehension: this runs on every reply, so it is kept to
    one pass over the containers at C-ish speed.
    """
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return False
        level = [
            child
            for container in level
            for child in (container.values() if type(container) is dict else container)
            if type(child) is dict or type(child) is list
        ]
    return True
