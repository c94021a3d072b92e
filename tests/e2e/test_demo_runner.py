"""``make demo`` stopped with Ctrl-C while it is still preparing the database.

A terminal's Ctrl-C reaches the whole foreground process group, so ``manage.py migrate``
dies of it too; the runner must treat that as the stop it is (exit 0, quietly), not as a
failed migration.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.e2e.conftest import eventually, free_port, launch_demo


def test_ctrl_c_while_preparing_stops_cleanly(tmp_path: Path) -> None:
    output = tmp_path / "demo.out"
    with output.open("wb") as sink:
        demo = launch_demo(tmp_path, free_port(), free_port(), sink)
        try:
            eventually(lambda: b"Preparing the database" in output.read_bytes(), "the runner")
            os.killpg(demo.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
            code = demo.wait(timeout=60)
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGKILL)
    text = output.read_text()
    assert code == 0, text
    assert "CalledProcessError" not in text  # manage.py's own KeyboardInterrupt may show
    assert text.rstrip().endswith("Stopped."), text
    assert not (tmp_path / "logs" / "emulator.log").exists(), "the emulator was started"
