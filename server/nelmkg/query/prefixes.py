"""Name the prefix a query uses without declaring it, and the IRI it probably means.

Oxigraph reports an undeclared prefix as "Prefix not found" at the position just after the
prefixed name. :func:`undeclared` reads the name ending there (or, failing that, the first
prefixed name whose prefix the query does not declare) and :func:`suggest` looks the prefix
up in the project prefix table (:data:`nelmkg.graph.params.PARAM_PREFIXES`, the prefixes of
docs/kg-authoring.md), so the answer can say "add ``PREFIX nelm: <...>``".
"""

from __future__ import annotations

import re

from nelmkg.graph.params import PARAM_PREFIXES

MARKER = "Prefix not found"
_NAME_BEFORE = re.compile(r"(?:^|[^\w.:<\"'?$-])([A-Za-z](?:[\w.-]*\w)?)?:[\w.%-]*$")
_DECLARED = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")
# A prefixed name outside IRIs, strings and comments (those are blanked out first).
_PREFIXED = re.compile(r"(?<![\w.:<?$-])([A-Za-z](?:[\w.-]*\w)?)?:(?=[A-Za-z0-9_%])")
_SKIP = re.compile(r"<[^>\s]*>|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*")


def undeclared(query: str, line: int | None, column: int | None) -> str | None:
    """Return the undeclared prefix (``""`` for the empty one) or None if none is found."""
    if line and column:
        lines = query.splitlines()
        if 0 < line <= len(lines):
            found = _NAME_BEFORE.search(lines[line - 1][: column - 1])
            if found:
                return found[1] or ""
    declared = {m[1] or "" for m in _DECLARED.finditer(query)}
    blanked = _SKIP.sub(lambda m: " " * len(m[0]), query)
    for match in _PREFIXED.finditer(blanked):
        if (match[1] or "") not in declared:
            return match[1] or ""
    return None


def suggest(prefix: str) -> str | None:
    """Return the IRI the project's prefix table gives ``prefix`` (None if it has none)."""
    return PARAM_PREFIXES.get(prefix)
