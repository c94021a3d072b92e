"""MkDocs hook: tidy Sphinx roles left in docstrings rendered by mkdocstrings.

The code's docstrings use reST roles (``:class:`Evaluation```); Markdown renders the role
name as plain text before the code span, so it is dropped here, with the ``~`` and leading
dots Sphinx uses to shorten a dotted name.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):(<code>)[~.]*")


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub(r"\1", html)
