"""The demo's folder broker never hands a consumer a message that is still being written.

A consumer polling the queue folder while a message is published must find either nothing
or the whole message: kombu's stock transport let it take an empty file, and the Celery
worker died on it (taking the demo down). The probe below reads the queue from inside the
publish, at the moment the payload is serialised.
"""

from __future__ import annotations

import importlib.util
import queue
from pathlib import Path
from types import ModuleType
from typing import Any

from kombu import Connection

from tests.e2e.conftest import ROOT


def _broker_module() -> ModuleType:
    # Loaded from its file: importing the ``demoshop`` package would set up the Celery app.
    path = ROOT / "example_project" / "demoshop" / "broker.py"
    spec = importlib.util.spec_from_file_location("demoshop_broker_under_test", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _connection(folder: Path) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    return Connection(
        "filesystem://", transport=_broker_module().Transport, transport_options=options
    )


def test_a_message_being_published_is_invisible_until_complete(tmp_path: Path) -> None:
    seen_while_publishing: list[object] = []
    with _connection(tmp_path) as consumer_side, _connection(tmp_path) as publisher_side:
        consumer = consumer_side.default_channel

        class Probe:
            def __json__(self) -> str:
                try:
                    seen_while_publishing.append(consumer._get("tasks"))
                except queue.Empty:
                    seen_while_publishing.append("nothing")
                return "probe"

        publisher_side.default_channel._put("tasks", {"body": Probe(), "n": 1})

        assert seen_while_publishing == ["nothing"]
        message: dict[str, Any] = consumer._get("tasks")
        assert message == {"body": "probe", "n": 1}
        assert list(tmp_path.iterdir()) == []
