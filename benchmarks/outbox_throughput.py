"""How fast the outbox delivers: rows per second, and how long a row waits, over real HTTP.

The emulator runs in its own process (``python -m django_talonone.emulator``), so the
workers' HTTP calls cross a real socket. Each run uses a fresh database (a SQLite file in
WAL mode, or ``test_<name>`` on PostgreSQL) and a fresh emulator, and has two parts:

1. Throughput: ``--rows`` UpdateCustomerSessionV2 rows spread over ``--lanes`` session
   lanes are in the outbox before any worker starts; ``N`` worker threads deliver them the
   way ``talonone_deliver --loop`` does (due lanes, one ``deliver_lane`` each) until none
   is left (``4p`` in ``--workers``: four forked processes instead of threads).
   Reported: rows/s, and the time per delivery (claim, HTTP call, settle), read from
   consecutive ``delivered_at`` stamps of each lane. Next to it, the floor: a bare
   ``requests`` loop sending the same calls (the same bytes, each lane's calls in order on
   one worker) to the same emulator at the same concurrency, and the ratio
   outbox / bare (goal: >= 0.8 with one worker, >= 0.7 with four).
2. Latency: a shop thread enqueues rows through ``outbox.enqueue`` (the shop's code path)
   at ``--load`` times the measured throughput for ``--seconds`` seconds while the workers
   poll every ``POLL`` seconds; reported is each row's wait from commit to delivered
   (``delivered_at - created_at``), p50 and p95.

    .venv/bin/python benchmarks/outbox_throughput.py [--rows 2000] [--lanes 50]
        [--workers 1,4,4p] [--seconds 5] [--load 0.5]
        [--database sqlite|postgres://user:password@host:port/name]

``--database`` defaults to ``$TALONONE_TEST_DATABASE_URL`` when it is set (``.ci/services.sh``
starts PostgreSQL and prints it), else SQLite.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _databases import file_or_postgres_settings  # beside this script

API_KEY = "benchmark-api-key"
#: Seconds an idle worker sleeps before looking for due lanes again.
POLL = 0.005

_early = argparse.ArgumentParser(add_help=False)
_early.add_argument("--database", default=os.environ.get("TALONONE_TEST_DATABASE_URL", "sqlite"))
DATABASE = _early.parse_known_args()[0].database
FOLDER = tempfile.mkdtemp(prefix="talonone-outbox-bench-")

settings.configure(
    SECRET_KEY="benchmark-only",
    DEBUG=False,
    USE_TZ=True,
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django_talonone"],
    DATABASES={"default": file_or_postgres_settings(DATABASE, FOLDER, "outbox.sqlite3")},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    TALONONE={"BASE_URL": "http://127.0.0.1:1", "API_KEY": API_KEY},  # set per run
    LOGGING_CONFIG=None,
)
django.setup()

import requests  # noqa: E402
from celery import Celery  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from django_talonone.client.encoding import dumps  # noqa: E402
from django_talonone.models import Delivery, DeliveryStatus, Operation  # noqa: E402
from django_talonone.outbox import (  # noqa: E402
    deliver_lane,
    due_lanes,
    encode_payload,
    enqueue,
    session_lane,
)


def body(number: int) -> dict[str, Any]:
    """A two-line open cart; ``number`` varies the quantity so every call changes it."""
    items = [
        {"sku": "SHOES", "name": "Shoes", "quantity": 1 + number % 3, "price": Decimal("59.90")},
        {"sku": "SOCKS", "name": "Socks", "quantity": 2, "price": Decimal("4.99")},
    ]
    return {
        "customerSession": {"profileId": f"p{number % 97}", "state": "open", "cartItems": items},
        "responseContent": ["customerSession"],
    }


@contextmanager
def emulator_process() -> Iterator[str]:
    """The emulator CLI on a free port; yields its base URL."""
    command = [sys.executable, "-m", "django_talonone.emulator", "--host", "127.0.0.1"]
    command += ["--port", "0", "--api-key", API_KEY]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = next(word for word in line.split() if word.startswith("http://"))
        yield url.rstrip(".,")
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Run:
    workers: int
    rows: int
    seconds: float
    per_delivery: list[float]
    waits: list[float]

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def preload(rows: int, lanes: int) -> None:
    """``rows`` pending rows over ``lanes`` lanes, written at once (no kicks)."""
    Delivery.objects.bulk_create(
        Delivery(
            operation=Operation.UPDATE_SESSION,
            lane=session_lane(f"bench-{number % lanes}"),
            payload=encode_payload([f"bench-{number % lanes}"], body(number), None),
        )
        for number in range(rows)
    )


def work(stop: Any, seed: int) -> None:
    """One worker: deliver due lanes (in its own shuffled order) until told to stop."""
    shuffle = random.Random(seed).shuffle
    try:
        while not stop.is_set():
            lanes = due_lanes(now=timezone.now())
            shuffle(lanes)
            if not lanes:
                time.sleep(POLL)
            for lane in lanes:
                deliver_lane(lane)
    finally:
        connections.close_all()


def pending() -> bool:
    return Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT]
    ).exists()


@contextmanager
def workers(spec: str) -> Iterator[None]:
    """``"4"``: four worker threads; ``"4p"``: four forked worker processes."""
    count = int(spec.rstrip("p"))
    runners: list[Any]
    if spec.endswith("p"):
        connections.close_all()  # children must not share the parent's connection
        fork = multiprocessing.get_context("fork")
        stop: Any = fork.Event()
        runners = [fork.Process(target=work, args=(stop, n)) for n in range(count)]
    else:
        stop = threading.Event()
        runners = [threading.Thread(target=work, args=(stop, n)) for n in range(count)]
    for runner in runners:
        runner.start()
    try:
        yield
    finally:
        stop.set()
        for runner in runners:
            runner.join()


def per_delivery_times() -> list[float]:
    """Gaps between consecutive deliveries of each lane (lanes are served back to back)."""
    stamps: dict[str, list[Any]] = {}
    for lane, delivered in Delivery.objects.order_by("id").values_list("lane", "delivered_at"):
        stamps.setdefault(lane, []).append(delivered)
    gaps = []
    for times in stamps.values():
        times.sort()
        gaps += [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    return gaps


def throughput(count: str, rows: int, lanes: int) -> tuple[float, list[float]]:
    Delivery.objects.all().delete()
    preload(rows, lanes)
    started = time.perf_counter()
    with workers(count):
        while pending():
            time.sleep(0.01)
    elapsed = time.perf_counter() - started
    failed = Delivery.objects.exclude(status=DeliveryStatus.DONE).count()
    if failed:
        raise SystemExit(f"{failed} row(s) were not delivered; see Delivery.last_error")
    return elapsed, per_delivery_times()


def _send_bare(url: str, calls: list[tuple[str, bytes]]) -> None:
    with requests.Session() as http:
        headers = {"Authorization": f"ApiKey-v1 {API_KEY}", "Content-Type": "application/json"}
        for session_id, data in calls:
            reply = http.put(
                f"{url}/v2/customer_sessions/{session_id}", data=data, headers=headers, timeout=30
            )
            reply.raise_for_status()


def bare(count: str, rows: int, lanes: int, url: str) -> float:
    """Seconds a bare ``requests`` loop takes to send the rows' calls at the same concurrency.

    Lane ``n`` goes to worker ``n % workers``, so each session's calls stay in order on
    one connection, as the outbox sends them; bodies are the client's own bytes.
    """
    size = int(count.rstrip("p"))
    shares: list[list[tuple[str, bytes]]] = [[] for _ in range(size)]
    for number in range(rows):
        session_id = f"bench-{number % lanes}"
        shares[(number % lanes) % size].append((session_id, dumps(body(number))))
    runners: list[Any]
    if count.endswith("p"):
        fork = multiprocessing.get_context("fork")
        runners = [fork.Process(target=_send_bare, args=(url, share)) for share in shares]
    else:
        runners = [threading.Thread(target=_send_bare, args=(url, share)) for share in shares]
    started = time.perf_counter()
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    return time.perf_counter() - started


def latency(count: str, rate: float, seconds: float, lanes: int) -> list[float]:
    """Enqueue at ``rate`` rows/s for ``seconds`` while ``count`` workers poll."""
    Delivery.objects.all().delete()
    total = max(1, int(rate * seconds))
    with workers(count):
        began = time.perf_counter()
        for number in range(total):
            lane = f"live-{number % lanes}"
            enqueue(
                Operation.UPDATE_SESSION, lane=session_lane(lane), args=[lane], body=body(number)
            )
            pause = began + (number + 1) / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        while pending():
            time.sleep(0.01)
    return [
        (delivered - created).total_seconds()
        for created, delivered in Delivery.objects.values_list("created_at", "delivered_at")
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--lanes", type=int, default=50)
    parser.add_argument(
        "--workers", default="1,4,4p", help="thread counts; 4p means four processes"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the latency run")
    parser.add_argument("--load", type=float, default=0.5, help="latency run load (x throughput)")
    parser.add_argument("--database", default=DATABASE, help="sqlite or a postgres:// URL")
    options = parser.parse_args()
    counts = options.workers.split(",")
    # Kicks go to an in-memory broker nobody reads: the worker threads poll instead.
    Celery("outbox-benchmark", broker="memory://", set_as_current=True).set_default()
    original = settings.DATABASES["default"]["NAME"]
    if DATABASE != "sqlite":
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    try:
        with (
            emulator_process() as url,
            override_settings(TALONONE={"BASE_URL": url, "API_KEY": API_KEY}),
        ):
            report(options, counts, url)
    finally:
        if DATABASE != "sqlite":
            connection.creation.destroy_test_db(original, verbosity=0)
    return 0


def report(options: argparse.Namespace, counts: list[str], url: str) -> None:
    where = "SQLite file (WAL)" if DATABASE == "sqlite" else f"PostgreSQL {connection.pg_version}"
    print(f"database: {where}; emulator: {url} (own process)")
    print(f"Python {sys.version.split()[0]}; {os.cpu_count()} CPU(s) shared by all processes")
    print(f"{options.rows} rows over {options.lanes} lanes; latency run: {options.seconds:g} s")
    print(f"at {options.load:g}x the throughput, workers poll every {POLL * 1000:g} ms")
    for count in counts:
        requests.post(f"{url}/_emulator/reset", timeout=5)
        floor = options.rows / bare(count, options.rows, options.lanes, url)
        requests.post(f"{url}/_emulator/reset", timeout=5)
        elapsed, gaps = throughput(count, options.rows, options.lanes)
        rate = options.rows / elapsed
        goal = 0.8 if count == "1" else 0.7
        print(
            f"workers={count}: outbox {rate:.0f} rows/s, bare requests {floor:.0f} rows/s: "
            f"ratio {rate / floor:.2f} (goal >= {goal:g})"
        )
        waits = latency(count, rate * options.load, options.seconds, options.lanes)
        print(
            f"workers={count}: {rate:7.0f} rows/s; per delivery p50 "
            f"{percentile(gaps, 0.5) * 1000:.1f} ms, p95 {percentile(gaps, 0.95) * 1000:.1f} ms; "
            f"wait at {rate * options.load:.0f} rows/s: p50 "
            f"{statistics.median(waits) * 1000:.1f} ms, p95 {percentile(waits, 0.95) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
