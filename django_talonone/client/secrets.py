"""Credentials that never show themselves: the ``Authorization`` header value.

Django's technical 500 page and the error report it mails to the admins print every
frame's local variables with ``repr``; the header dict of a call sits in the client's
frames and in requests' and urllib3's below them. :class:`Credential` is a ``str`` (so it
is sent as it is: requests keeps header values as given, and ``http.client`` encodes
them) whose ``repr`` names only its scheme, and which refuses to be pickled or copied
into something that would show it.
"""

from __future__ import annotations

from typing import Any


class Credential(str):
    """``"<scheme> <secret>"`` that shows as ``'<scheme> ***'``."""

    __slots__ = ()

    @property
    def scheme(self) -> str:
        return self.split(" ", 1)[0]

    def __repr__(self) -> str:
        return repr(f"{self.scheme} ***")

    def __reduce__(self) -> Any:
        raise TypeError("a Talon.One credential cannot be pickled")

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("a Talon.One credential cannot be pickled")
