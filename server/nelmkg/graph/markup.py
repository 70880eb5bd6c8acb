"""The extraction's inline markup in the graph's literals, rendered for reading.

The review was extracted to text with two marks that the graph keeps verbatim in quotes,
values and entries: ``*…*`` for italics (``*vs.*``, ``*et al.*``) and ``$…$`` around inline
math (``$P < 0.001$``). Stored literals stay exactly as printed; whatever shows them to a
person goes through :func:`html` (italics as ``<em>``, math delimiters dropped) or
:func:`plain` (both marks dropped: CSV, spreadsheets, messages).
"""

from __future__ import annotations

import re

from markupsafe import escape

_ITALICS = re.compile(r"\*([^*\n]+)\*")
_MATH = re.compile(r"\$([^$\n]+)\$")


def plain(text: object) -> str:
    """Return ``text`` with the extraction's marks removed (``'*vs.*'`` -> ``'vs.'``)."""
    if text is None:
        return ""
    return _MATH.sub(r"\1", _ITALICS.sub(r"\1", str(text)))


def html(text: object) -> str:
    """Return ``text`` as escaped HTML with ``*…*`` as ``<em>`` and ``$…$`` unwrapped."""
    if text is None:
        return ""
    escaped = str(escape(str(text)))
    return _MATH.sub(r"\1", _ITALICS.sub(r"<em>\1</em>", escaped))
