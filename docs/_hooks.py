"""MkDocs hook: tidy the reST left in docstrings that mkdocstrings renders as Markdown.

The code's docstrings are written for Sphinx: roles (``:class:`Evaluation```) and ``::``
before a literal block. Markdown renders the role name as plain text before the code span
and keeps both colons, so the role (with the ``~`` and leading dots Sphinx uses to shorten
a dotted name) and the extra colon are dropped here.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):(<code>)[~.]*")
_LITERAL_MARKER = re.compile(r"::</p>")


def on_page_content(html: str, **kwargs: Any) -> str:
    return _LITERAL_MARKER.sub(":</p>", _ROLE.sub(r"\1", html))
