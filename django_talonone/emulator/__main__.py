"""``python -m django_talonone.emulator``: serve the emulator over HTTP until stopped.

Prints exactly one line containing the base URL once the socket is listening, so scripts
(``make demo``, CI) can wait for it; SIGTERM and SIGINT stop it cleanly with exit code 0.
Configuration mistakes exit with code 2 and a message naming the problem.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .app import EmulatorApp
from .campaigns import load_config_file
from .faults import FaultSpec, parse_faults
from .notifier import Notifier, Target, parse_targets
from .server import make_server
from .state import EmulatorState
from .validation import strict_validation
from .wsgi import loads

API_KEY_ENV = "TALONONE_EMULATOR_API_KEY"
MANAGEMENT_KEY_ENV = "TALONONE_EMULATOR_MANAGEMENT_KEY"
#: The basic auth password of --notify-url: from the environment, so it is not in `ps`.
NOTIFY_PASSWORD_ENV = "TALONONE_EMULATOR_NOTIFY_PASSWORD"  # noqa: S105 (a variable name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m django_talonone.emulator",
        description="Serve a local emulator of Talon.One's Integration API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument(
        "--api-key",
        default=os.environ.get(API_KEY_ENV),
        help=f"the accepted ApiKey-v1 key (default: ${API_KEY_ENV})",
    )
    parser.add_argument(
        "--management-key",
        default=os.environ.get(MANAGEMENT_KEY_ENV),
        help="also accept this key as ManagementKey-v1/Bearer on the audience deletes",
    )
    parser.add_argument("--campaigns", metavar="FILE", help="campaigns file (JSON)")
    parser.add_argument(
        "--application",
        action="append",
        default=[],
        metavar="NAME[=FILE]",
        help="emulate one more Application (repeatable), with campaigns FILE; its key comes "
        "from $TALONONE_EMULATOR_<NAME>_API_KEY (and _MANAGEMENT_KEY), never the command line",
    )
    parser.add_argument("--state", metavar="FILE", help="keep the state in FILE across restarts")
    parser.add_argument("--faults", metavar="JSON", help="faults to inject from the start")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    parser.add_argument(
        "--notify-url",
        action="append",
        default=[],
        metavar="URL",
        help="send Talon.One's notifications to URL (repeatable), with basic auth: the "
        f"password from ${NOTIFY_PASSWORD_ENV}, the user name from --notify-user",
    )
    parser.add_argument("--notify-user", default="talonone", help="basic auth user name")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse body properties today's schemas do not define (Talon.One ignores them)",
    )
    return parser


def _faults(text: str | None) -> FaultSpec | None:
    if text is None:
        return None
    try:
        return parse_faults(loads(text))
    except ValueError as exc:
        raise ValueError(f"--faults: {exc}") from None


def _targets(args: argparse.Namespace) -> list[Target]:
    password = os.environ.get(NOTIFY_PASSWORD_ENV) or None
    if args.notify_url and password is None:
        raise ValueError(f"--notify-url: set the webhook's password in ${NOTIFY_PASSWORD_ENV}")
    targets = parse_targets([{"url": url} for url in args.notify_url])
    return [Target(url=t.url, username=args.notify_user, password=password) for t in targets]


def build_app(args: argparse.Namespace) -> EmulatorApp:
    """The app the options describe; ``ValueError`` explains any bad option or file.

    A campaigns file given together with an existing state file replaces the saved
    campaigns but keeps the saved sessions, profiles and counters.
    """
    config = load_config_file(args.campaigns) if args.campaigns else None
    app = EmulatorApp(
        EmulatorState(config),
        args.api_key,
        args.management_key or None,
        state_file=args.state,
        faults=_faults(args.faults),
        validator=strict_validation if args.strict else None,
        notifier=Notifier(_targets(args)),
    )
    if config is not None and app.state.config != config:
        app.state.configure(config)
        app.persist()
    for option in args.application:
        _add_application(app, option)
    return app


def _add_application(app: EmulatorApp, option: str) -> None:
    """``--application NAME[=FILE]``: its key from the environment, so not in ``ps``."""
    name, _, campaigns = option.partition("=")
    prefix = f"TALONONE_EMULATOR_{name.upper()}_"
    api_key = os.environ.get(prefix + "API_KEY")
    if not api_key:
        raise ValueError(f"--application {name}: set its API key in ${prefix}API_KEY")
    config = load_config_file(campaigns) if campaigns else None
    state = app.add_application(
        name,
        api_key,
        EmulatorState(config),
        management_key=os.environ.get(prefix + "MANAGEMENT_KEY") or None,
    )
    if config is not None and state.config != config:
        state.configure(config)
        app.persist()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error(f"--api-key is required (or set {API_KEY_ENV})")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        app = build_app(args)
        server = make_server(app, args.host, args.port, verbose=args.verbose)
    except (ValueError, OSError) as exc:
        print(f"talonone emulator: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    serving.start()
    port = server.server_address[1]
    print(f"Talon.One emulator listening on http://{args.host}:{port}", flush=True)
    try:
        stop.wait()
    finally:
        server.shutdown()
        serving.join()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
