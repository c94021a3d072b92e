"""The demo's folder broker: kombu's ``filesystem://`` transport, publishing atomically.

kombu writes a message straight into the queue folder, so a worker polling that folder can
take the file between its creation and its content, read nothing, and die on the empty
JSON, which stops the whole demo (kombu issue #1551). Here a message is written under a name
no consumer looks at, then renamed into the queue: a rename within a folder is atomic, so a
consumer finds a whole message or none.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps

#: Consumers pick files ending in ``.<queue>.msg``; a file being written ends in this.
PARTIAL_SUFFIX = ".part"


class Channel(filesystem.Channel):  # type: ignore[misc]  # kombu ships no type hints
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Publishing fails until the queue folder exists, and any process may publish
        # first: each channel makes sure it is there (settings stay free of side effects).
        for folder in {self.data_folder_in, self.data_folder_out}:
            os.makedirs(folder, exist_ok=True)

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # kombu's own name: milliseconds first, so consumers take messages in order.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        data = dumps(payload).encode("utf-8")
        try:
            with open(partial, "wb") as handle:
                handle.write(data)
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add a message to {self.data_folder_out!r}") from exc


class Transport(filesystem.Transport):  # type: ignore[misc]
    Channel = Channel
