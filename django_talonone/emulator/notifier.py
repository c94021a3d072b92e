"""The emulator's outbound notifications: Talon.One's webhooks, sent to configured URLs.

A *target* is a URL with the credentials Talon.One would be configured with (basic auth,
or a custom header with a secret) and, optionally, the ``NotificationType`` values it
wants. Each notification gets an ``X-UUID`` that stays the same on its retries. Like
Talon.One, the notifier retries 5xx and 429 answers and network failures, waiting longer
each time, for about ten minutes (:data:`RETRY_SCHEDULE`); any other answer is final.
The schedule, the sleep and the HTTP call are injectable so tests run in no time, and
deliveries run on one background thread so the API call that caused them never waits.

The log of what was sent (``/_emulator/notifications``) lists URLs, kinds, bodies and
attempts, never the credentials.
"""

from __future__ import annotations

import base64
import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
import simplejson

#: Seconds to wait before each retry: 10 s, growing, about ten minutes in all.
RETRY_SCHEDULE: tuple[float, ...] = (10.0, 20.0, 40.0, 80.0, 160.0, 290.0)
#: ``(url, headers, body) -> status``; raises ``OSError`` (or ``requests``' errors) when
#: the request got no answer.
Post = Callable[[str, Mapping[str, str], bytes], int]
Sleep = Callable[[float], None]


def _http_post(url: str, headers: Mapping[str, str], body: bytes) -> int:
    return requests.post(url, data=body, headers=dict(headers), timeout=10).status_code


def _dumps(value: Any) -> str:
    """Exact decimals, as Talon.One writes its numbers."""
    return str(simplejson.dumps(value, use_decimal=True))


def _basic(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


@dataclass(frozen=True)
class Target:
    """Where notifications go, and how they authenticate (never shown in the log)."""

    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    header: str | None = None
    secret: str | None = field(default=None, repr=False)
    kinds: frozenset[str] = frozenset()

    def wants(self, notification_type: str) -> bool:
        return not self.kinds or notification_type in self.kinds

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.password is not None:
            headers["Authorization"] = _basic(self.username or "talonone", self.password)
        if self.header and self.secret is not None:
            headers[self.header] = self.secret
        return headers

    def public(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "auth": "basic" if self.password is not None else ("header" if self.header else None),
            "kinds": sorted(self.kinds),
        }


def parse_targets(data: Any) -> list[Target]:
    """Targets from JSON: ``[{"url", "username"?, "password"?, "header"?, "secret"?,
    "kinds"?}]``; a ``ValueError`` names the bad field."""
    if not isinstance(data, list):
        raise ValueError("targets: must be an array")
    targets = []
    for index, item in enumerate(data):
        where = f"targets[{index}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: must be an object")
        unknown = sorted(set(item) - {"url", "username", "password", "header", "secret", "kinds"})
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
        url = item.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"{where}.url: must be an http(s) URL")
        for key in ("username", "password", "header", "secret"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ValueError(f"{where}.{key}: must be a string")
        kinds = item.get("kinds") or []
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise ValueError(f"{where}.kinds: must be an array of NotificationType names")
        targets.append(
            Target(
                url=url,
                username=item.get("username"),
                password=item.get("password"),
                header=item.get("header"),
                secret=item.get("secret"),
                kinds=frozenset(kinds),
            )
        )
    return targets


def _retryable(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500


class Notifier:
    """Sends notifications to the targets, retrying like Talon.One; keeps a log."""

    def __init__(
        self,
        targets: Sequence[Target] = (),
        *,
        post: Post = _http_post,
        schedule: Sequence[float] = RETRY_SCHEDULE,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._targets = list(targets)
        self._post = post
        self._schedule = tuple(schedule)
        self._sleep = sleep
        self._lock = threading.Lock()
        self._log: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue()
        self._worker: threading.Thread | None = None

    # -- configuration -------------------------------------------------------------------

    @property
    def targets(self) -> list[Target]:
        with self._lock:
            return list(self._targets)

    def configure(self, targets: Sequence[Target]) -> None:
        with self._lock:
            self._targets = list(targets)

    def sent(self) -> list[dict[str, Any]]:
        """Every notification queued so far, oldest first, with its attempts."""
        with self._lock:
            copied: list[dict[str, Any]] = simplejson.loads(_dumps(self._log), use_decimal=True)
            return copied

    def clear(self) -> None:
        with self._lock:
            self._log.clear()

    # -- sending -------------------------------------------------------------------------

    def notify(self, body: Mapping[str, Any]) -> list[str]:
        """Queue ``body`` for every target that wants its kind; returns the X-UUIDs."""
        kind = str(body.get("NotificationType") or body.get("notificationType") or "webhook")
        encoded = _dumps(body).encode("utf-8")
        uuids = []
        with self._lock:
            for target in self._targets:
                if not target.wants(kind):
                    continue
                entry = {
                    "uuid": str(uuid.uuid4()),
                    "url": target.url,
                    "notificationType": kind,
                    "body": simplejson.loads(encoded, use_decimal=True),
                    "state": "pending",
                    "attempts": [],
                }
                self._log.append(entry)
                self._queue.put({"entry": entry, "target": target, "data": encoded})
                uuids.append(str(entry["uuid"]))
            if uuids and (self._worker is None or not self._worker.is_alive()):
                self._worker = threading.Thread(
                    target=self._run, name="emulator-notifier", daemon=True
                )
                self._worker.start()
        return uuids

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued notification is delivered or given up (tests, demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=1.0)
            except queue.Empty:
                return
            try:
                self._deliver(job["entry"], job["target"], job["data"])
            finally:
                self._queue.task_done()

    def _deliver(self, entry: dict[str, Any], target: Target, data: bytes) -> None:
        headers = {**target.headers(), "X-UUID": str(entry["uuid"])}
        for attempt in range(len(self._schedule) + 1):
            if attempt:
                self._sleep(self._schedule[attempt - 1])
            status: int | None
            try:
                status = self._post(target.url, headers, data)
                error = None
            except (OSError, requests.RequestException) as failure:
                status, error = None, type(failure).__name__
            with self._lock:
                entry["attempts"].append({"status": status, "error": error})
                if not _retryable(status):
                    entry["state"] = (
                        "delivered" if status is not None and status < 300 else "refused"
                    )
                    return
        with self._lock:
            entry["state"] = "gave up"
