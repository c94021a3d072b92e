"""Run the whole demo with one command: ``python example_project/demo.py`` (``make demo``).

Migrates and seeds the shop's database, then starts, each in its own process group, and
waits for each to answer before the next:

1. the Talon.One emulator, its state persisted in the demo directory, with the campaigns
   of ``demo_campaigns.json``;
2. a Celery worker with embedded beat (outbox delivery and its sweeper), on Redis when
   ``REDIS_URL`` is set, else on the folder broker (see ``demoshop/celery.py``);
3. the shop (Django's development server, which also serves the static files), whose
   products are then synced to the emulator's catalogue: the emulator pushes their
   strikethrough prices to the shop's notification endpoint (``--notify-url``).

Then it prints the URLs and logins and waits. Ctrl-C or SIGTERM, at any point, stops all
three (each whole process group, so no worker child is orphaned) and exits 0; if one of
them dies, or preparing the database fails, the others are stopped and the exit code is 1.
Everything lives under ``SHOP_DEMO_DIR`` (default ``.demo/`` at the repository root, logs
in ``logs/``) except the shop's database, ``example_project/db.sqlite3`` unless
``SHOP_DATABASE`` names another file; ports come from ``SHOP_PORT`` (8000) and
``EMULATOR_PORT`` (9100), so tests run a private copy.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

HERE = Path(__file__).resolve().parent
#: The emulator's campaigns: Talon.One's defaults plus an expired and a single-use coupon.
CAMPAIGNS = HERE / "demo_campaigns.json"
#: The EUR Application's campaigns: the shop's carts in EUR are priced by these.
EUR_CAMPAIGNS = HERE / "demo_campaigns_eur.json"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
POLL_INTERVAL = 0.1


#: The demo's public webhook secret (``SHOP_NOTIFICATION_SECRET`` overrides it).
DEMO_NOTIFICATION_SECRET = "demo-notification-secret-not-for-production"  # noqa: S105


class StartupError(RuntimeError):
    """A process did not come up; the message names it and its log."""


@dataclass(frozen=True)
class DemoConfig:
    shop_port: int
    emulator_port: int
    demo_dir: Path
    api_key: str
    #: The key of the EUR Application (the emulator serves both, told apart by key).
    eur_api_key: str = "demo-eur-api-key"
    #: What the emulator's notifications carry and the shop accepts (basic auth password).
    notification_secret: str = DEMO_NOTIFICATION_SECRET

    @classmethod
    def from_env(cls) -> DemoConfig:
        return cls(
            shop_port=int(os.environ.get("SHOP_PORT", "8000")),
            emulator_port=int(os.environ.get("EMULATOR_PORT", "9100")),
            demo_dir=Path(os.environ.get("SHOP_DEMO_DIR", HERE.parent / ".demo")).resolve(),
            api_key=os.environ.get("TALONONE_API_KEY", "demo-api-key"),
            eur_api_key=os.environ.get("TALONONE_EUR_API_KEY", "demo-eur-api-key"),
            notification_secret=os.environ.get(
                "SHOP_NOTIFICATION_SECRET", DEMO_NOTIFICATION_SECRET
            ),
        )

    @property
    def shop_url(self) -> str:
        return f"http://127.0.0.1:{self.shop_port}"

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    @property
    def worker_ready_file(self) -> Path:
        return self.demo_dir / "worker.ready"

    def environment(self) -> dict[str, str]:
        """What every child sees: where the data is, and how to reach the emulator."""
        return os.environ | {
            "SHOP_DEMO_DIR": str(self.demo_dir),
            "TALONONE_BASE_URL": self.emulator_url,
            "TALONONE_API_KEY": self.api_key,
            # The emulator takes its key from here, so it never shows up in `ps`.
            "TALONONE_EMULATOR_API_KEY": self.api_key,
            "TALONONE_EUR_API_KEY": self.eur_api_key,
            "TALONONE_EMULATOR_EUR_API_KEY": self.eur_api_key,
            # The shop's notification secret, and the emulator's password for its webhook.
            "SHOP_NOTIFICATION_SECRET": self.notification_secret,
            "TALONONE_EMULATOR_NOTIFY_PASSWORD": self.notification_secret,
            "SHOP_WORKER_READY_FILE": str(self.worker_ready_file),
            "PYTHONUNBUFFERED": "1",
        }


@dataclass
class Stack:
    """The running children, stopped newest first."""

    config: DemoConfig
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def log_path(self, name: str) -> Path:
        return self.config.demo_dir / "logs" / f"{name}.log"

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = self.log_path(name).open("ab")
        self.logs.append(log)
        process = subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
            argv,
            cwd=HERE,
            env=self.config.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C is ours to relay
        )
        self.children.append((name, process))
        return process

    def dead_child(self) -> str | None:
        for name, process in self.children:
            if process.poll() is not None:
                return f"{name} exited with code {process.returncode}; see {self.log_path(name)}"
        return None

    def stop(self) -> None:
        # SIGTERM to each leader only: the Celery worker then shuts its pool down warmly
        # (its children would count a group-wide signal as a crash).
        for _, process in reversed(self.children):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for _, process in reversed(self.children):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            # Whatever is left in the group (a pool child, say) goes too.
            _signal_group(process, signal.SIGKILL)
        for log in self.logs:
            log.close()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 (loopback URL)
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until(ready: Callable[[], bool], name: str, stack: Stack, stop: threading.Event) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        problem = stack.dead_child()
        if problem:
            raise StartupError(problem)
        if stop.is_set():
            return
        if time.monotonic() > deadline:
            raise StartupError(f"{name} did not start in {START_TIMEOUT:.0f} s; see its log")
        time.sleep(POLL_INTERVAL)


def prepare(config: DemoConfig) -> None:
    """Migrate and load the demo data (both idempotent)."""
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", *command],
            cwd=HERE,
            env=config.environment(),
            check=True,
            stdout=subprocess.DEVNULL if command[0] == "migrate" else None,
        )


def start_all(config: DemoConfig, stack: Stack, stop: threading.Event) -> None:
    python = sys.executable
    state_file = config.demo_dir / "emulator-state.json"
    stack.start(
        "emulator",
        [
            *(python, "-m", "django_talonone.emulator", "--host", "127.0.0.1"),
            *("--port", str(config.emulator_port), "--state", str(state_file)),
            *("--campaigns", str(CAMPAIGNS)),
            *("--application", f"eur={EUR_CAMPAIGNS}"),
            *("--notify-url", f"{config.shop_url}/talonone/notifications/"),
        ],
    )
    health = f"{config.emulator_url}/_emulator/health"
    wait_until(lambda: _answers(health), "the emulator", stack, stop)

    config.worker_ready_file.unlink(missing_ok=True)
    stack.start(
        "worker",
        [
            *(python, "-m", "celery", "-A", "demoshop", "worker", "--beat", "--loglevel", "INFO"),
            *("--concurrency", "2", "--hostname", f"demoshop-{config.shop_port}@%h"),
            *("--without-mingle", "--without-gossip"),
        ],
    )
    wait_until(config.worker_ready_file.exists, "the Celery worker", stack, stop)

    stack.start(
        "shop",
        [python, "manage.py", "runserver", f"127.0.0.1:{config.shop_port}", "--noreload"],
    )
    wait_until(lambda: _answers(f"{config.shop_url}/"), "the shop", stack, stop)
    # Talon.One prices a synced catalogue and pushes strikethrough prices to the shop.
    synced = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [python, "manage.py", "sync_catalog"], cwd=HERE, env=config.environment(), check=False
    )
    if synced.returncode:  # the shop runs without strikethrough prices: not worth stopping
        print("demo: manage.py sync_catalog failed; see above", file=sys.stderr, flush=True)


def banner(config: DemoConfig, stack: Stack) -> str:
    emulator = config.emulator_url
    broker = "Redis at REDIS_URL" if os.environ.get("REDIS_URL") else "folders (no server)"
    return "\n".join(
        [
            "",
            "The demo shop is running.",
            f"  Shop            {config.shop_url}/",
            f"  Admin           {config.shop_url}/admin/",
            f"  Talon.One       {emulator}  (emulator, API key {config.api_key!r};",
            f"                  EUR carts: Application 'eur', key {config.eur_api_key!r})",
            f"    state         {emulator}/_emulator/state",
            f"    requests      {emulator}/_emulator/requests",
            f"    faults        {emulator}/_emulator/faults  (PUT to inject, DELETE to heal)",
            f"    notifications {emulator}/_emulator/notifications  (sent to the shop)",
            f"  Celery broker   {broker}",
            "  Logins          demo / demo (shopper), admin / admin (staff),",
            "                  viewer / viewer (staff who may only look)",
            "  Coupons         WELCOME10 (10 % off); 5 off from a subtotal of 100;",
            "                  SPRING5 (expired) and ONCE5 (used up) in demo's wallet",
            f"  Logs            {stack.log_path('*')}",
            "Press Ctrl-C to stop.",
            "",
        ]
    )


def main() -> int:
    config = DemoConfig.from_env()
    (config.demo_dir / "logs").mkdir(parents=True, exist_ok=True)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("Preparing the database…", flush=True)
    try:
        prepare(config)
    except subprocess.CalledProcessError as error:
        if stop.is_set():  # Ctrl-C reached manage.py too: stopping was asked for
            print("Stopped.", flush=True)
            return 0
        command = " ".join(error.cmd[1:])
        print(f"demo: {command} exited with {error.returncode}; see above", file=sys.stderr)
        return 1
    if stop.is_set():
        print("Stopped.", flush=True)
        return 0
    stack = Stack(config)
    try:
        start_all(config, stack, stop)
        if not stop.is_set():
            print(banner(config, stack), flush=True)
        while not stop.wait(0.5):
            problem = stack.dead_child()
            if problem:
                print(f"demo: {problem}; stopping.", file=sys.stderr, flush=True)
                return 1
    except StartupError as error:
        print(f"demo: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        print("Stopping…", flush=True)
        stack.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
