"""The demo stack, started once for tests/e2e exactly as ``make demo`` starts it.

``example_project/demo.py`` runs in a temporary directory on free ports: the emulator, a
real Celery worker with beat on the folder broker, and the shop. Tests talk to it over
HTTP only (the browser, ``requests``, the emulator's control endpoints), so they need no
Django settings of their own and run in the default ``pytest`` run. Stopping the stack
like Ctrl-C does is checked too: exit code 0 and no process left behind.

Browser tests need Debian's chromium (``.ci/browser.sh``) and the ``playwright`` package:
without them they skip, except under ``CI`` where that is a broken build and they fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
import requests
import simplejson

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 120.0
STOP_TIMEOUT = 40.0
T = TypeVar("T")


def eventually(check: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after
    ``timeout`` seconds (outbox deliveries are asynchronous, never instant)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DemoStack:
    """The running demo: its URLs, and the emulator's control endpoints."""

    def __init__(self, directory: Path, shop_port: int, emulator_port: int) -> None:
        self.directory = directory
        self.shop_url = f"http://127.0.0.1:{shop_port}"
        self.emulator_url = f"http://127.0.0.1:{emulator_port}"
        self.http = requests.Session()

    def emulator_state(self) -> dict[str, Any]:
        reply = self.http.get(f"{self.emulator_url}/_emulator/state", timeout=10)
        reply.raise_for_status()
        data: dict[str, Any] = simplejson.loads(reply.content, use_decimal=True)["data"]
        return data

    def emulator_session(self, session_id: str) -> dict[str, Any] | None:
        session: dict[str, Any] | None = self.emulator_state()["sessions"].get(session_id)
        return session

    def fail_all(self, status: int = 503) -> None:
        """Every Integration API call answers ``status`` until :meth:`heal`."""
        reply = self.http.put(
            f"{self.emulator_url}/_emulator/faults",
            json={"seed": 1, "errorRates": {str(status): 1}},
            timeout=10,
        )
        reply.raise_for_status()

    def heal(self) -> None:
        self.http.delete(f"{self.emulator_url}/_emulator/faults", timeout=10).raise_for_status()

    def forget_cached_wallets(self) -> None:
        """Empty the demo's shared cache (a folder of files; removing them is its clear()).

        Tests share one stack, so another test may have read a wallet the shop now serves
        from the cache for ``INVENTORY_CACHE_TTL`` seconds, outage or not."""
        for entry in (self.directory / "cache").glob("*"):
            entry.unlink(missing_ok=True)

    def log_tail(self) -> str:
        logs = sorted((self.directory / "logs").glob("*.log"))
        return "\n".join(f"== {log.name}\n{log.read_text()[-3000:]}" for log in logs)


def launch_demo(
    directory: Path, shop_port: int, emulator_port: int, output: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Start ``demo.py`` with its data in ``directory``, in its own process group (so a
    test can send it the group-wide SIGINT a terminal's Ctrl-C sends)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
    } | {
        "SHOP_DEMO_DIR": str(directory),
        "SHOP_DATABASE": str(directory / "shop.sqlite3"),
        "SHOP_PORT": str(shop_port),
        "EMULATOR_PORT": str(emulator_port),
        # Retry failed deliveries after half a second, not the production five.
        "TALONONE_OUTBOX_BACKOFF": "0.5",
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "example_project" / "demo.py")],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
def demo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    directory = tmp_path_factory.mktemp("demo")
    shop_port, emulator_port = free_port(), free_port()
    stack = DemoStack(directory, shop_port, emulator_port)
    output = (directory / "demo.out").open("wb")
    process = launch_demo(directory, shop_port, emulator_port, output)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while b"The demo shop is running." not in (directory / "demo.out").read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "the demo did not start:\n"
                    f"{(directory / 'demo.out').read_text()}\n{stack.log_tail()}"
                )
            time.sleep(0.2)
        yield stack
    finally:
        worker_pid = _worker_pid(directory)
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            code = process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        finally:
            output.close()
        assert code == 0, (directory / "demo.out").read_text()
        if worker_pid is not None:
            assert not _alive(worker_pid), "the Celery worker outlived the demo"


def _worker_pid(directory: Path) -> int | None:
    ready = directory / "worker.ready"
    return int(ready.read_text()) if ready.exists() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(autouse=True)
def _healthy_emulator(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever a test injected, the next one starts with no faults."""
    if "demo_stack" not in request.fixturenames:
        yield
        return
    stack: DemoStack = request.getfixturevalue("demo_stack")
    stack.heal()
    yield
    stack.heal()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Debian chromium driven by Playwright; skips (fails under CI) without it."""
    problem = None
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        problem = "Debian's chromium is not installed (run .ci/browser.sh)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the playwright package is not installed (pip install playwright)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must provide it")
        pytest.skip(problem)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()


class Shot:
    """Saves ``test-output/e2e/<test>-<step>.png`` screenshots of one test's steps."""

    def __init__(self, page: Any, test_name: str) -> None:
        self.page = page
        self.test_name = test_name

    def __call__(self, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(chromium: Any, demo_stack: DemoStack) -> Iterator[Any]:
    """A fresh browser context per test: a new shopper with no cookies."""
    context = chromium.new_context(
        base_url=demo_stack.shop_url, viewport={"width": 1200, "height": 800}
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def shot(page: Any, request: pytest.FixtureRequest) -> Shot:
    return Shot(page, request.node.name.removeprefix("test_"))
