"""Reading docs/quickstart.md's code blocks, and running commands in a throwaway project.

The quickstart acceptance test applies the page's snippets as a reader would paste them:
this module finds them in the Markdown (a snippet is never copied into a test), says which
file each one belongs to, and turns the page's shell lines into commands for the fresh
virtual environment. It also runs those commands with a timeout and a failure message that
shows what the command printed, and starts and stops the emulator the page runs.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import socket
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A fenced block at the start of a line: ```lang ... ``` (the page indents none).
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
#: The first line of a python or django block that names its file.
PYTHON_NAME = re.compile(r"^# (?P<path>[\w/.]+\.py)\b")
DJANGO_NAME = re.compile(r"^\{# (?P<path>[\w/.]+) #\}$")

#: What a subprocess of the test must not inherit from pytest's own process: the suite's
#: settings module, its import path and its Talon.One and Celery environment.
INHERITED = ("DJANGO_", "TALONONE_", "CELERY_", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


@dataclass(frozen=True)
class Block:
    """One fenced code block of the page; ``line`` is where its body starts (1-based)."""

    lang: str
    body: str
    line: int

    @property
    def path(self) -> str | None:
        """The file the block says it belongs to (its first line), if it names one."""
        first = self.body.split("\n", 1)[0]
        pattern = {"python": PYTHON_NAME, "django": DJANGO_NAME}.get(self.lang)
        match = pattern.match(first) if pattern else None
        return match.group("path") if match else None

    @property
    def lines(self) -> list[str]:
        """The block's non-empty lines, for shell blocks."""
        return [line.strip() for line in self.body.splitlines() if line.strip()]


def blocks(markdown: str) -> list[Block]:
    return [
        Block(
            lang=match.group("lang"),
            body=match.group("body"),
            line=markdown.count("\n", 0, match.start("body")) + 1,
        )
        for match in FENCE.finditer(markdown)
    ]


def one(found: Sequence[Block], what: str) -> Block:
    assert len(found) == 1, f"docs/quickstart.md should have one {what}, found {len(found)}"
    return found[0]


def shell_line(block: Block, start: str) -> str:
    """The line of a shell block that starts with ``start``, its comment cut off."""
    found = [line for line in block.lines if line.startswith(start)]
    assert len(found) == 1, f"the sh block at line {block.line} has no single {start!r} line"
    return found[0]


def words(line: str, python: Path) -> list[str]:
    """A shell line of the page as argv: ``python`` and ``pip`` become the venv's own."""
    argv = shlex.split(line, comments=True)
    if argv[0] == "python":
        return [str(python), *argv[1:]]
    if argv[0] == "pip":
        return [str(python), "-m", "pip", *argv[1:]]
    raise AssertionError(f"not a python or pip command: {line!r}")


def exports(block: Block) -> dict[str, str]:
    """The ``export NAME=value`` lines of a shell block."""
    pairs = (
        shlex.split(line, comments=True)[1] for line in block.lines if line.startswith("export ")
    )
    return dict(pair.split("=", 1) for pair in pairs)


def clean_environment(venv: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the suite's settings, with ``venv`` activated."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(INHERITED)}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONUNBUFFERED"] = "1"
    return {**env, **(extra or {})}


def describe(argv: Sequence[str], result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"$ {shlex.join(argv)}\nexit code {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv``; with ``check``, fail the test with its output unless it exits 0."""
    try:
        result = subprocess.run(
            list(argv),
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode(errors="replace") if isinstance(error.stdout, bytes) else ""
        err = error.stderr.decode(errors="replace") if isinstance(error.stderr, bytes) else ""
        raise AssertionError(
            f"$ {shlex.join(argv)}\ntimed out after {timeout} s\n"
            f"--- stdout ---\n{out}\n--- stderr ---\n{err}"
        ) from None
    if check:
        assert result.returncode == 0, describe(argv, result)
    return result


def last_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


def redis_is_listening() -> bool:
    """Whether the broker of the page's CELERY_BROKER_URL (localhost:6379) accepts a socket."""
    try:
        with socket.create_connection(("localhost", 6379), timeout=1):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class Shop:
    """The project, migrated, with the emulator running and the page's environment."""

    root: Path
    python: Path
    env: dict[str, str]
    url: str  # the emulator's
    timeout: float  # seconds, for each command

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return run(argv, cwd=self.root, env=self.env, timeout=self.timeout)

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.python), "manage.py", *args])


def started(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """Start ``argv`` and wait for the one line the emulator prints once it listens."""
    stderr = (cwd.parent / "emulator.stderr").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    output = process.stdout
    assert output is not None
    threading.Thread(target=lambda: lines.put(output.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=30)
    except queue.Empty:
        line = "(nothing within 30 s)"
    if "listening on http://" not in line:
        stop(process)
    stderr.seek(0)
    assert "listening on http://" in line, f"$ {shlex.join(argv)}\n{line}\n{stderr.read()}"
    stderr.close()
    return process, line.rsplit(" ", 1)[-1].strip()


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()  # the emulator exits 0 on SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()
