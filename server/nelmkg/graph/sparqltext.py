"""Read the few things the service needs from a SPARQL query's text, without parsing it.

Parsing a query with rdflib costs milliseconds; Oxigraph parses it again anyway. Three facts
are read from the tokens instead (comments, strings, IRIs, variables, prefixed names and
language tags are skipped whole, so a ``FROM`` or ``{`` inside them is never taken for syntax):

- :func:`has_dataset_clause`: whether the query names its own dataset (``FROM`` or
  ``FROM NAMED``). The store's default graph is a *view* of the union of the named graphs
  (:mod:`nelmkg.graph.store`), asked for per query, and that option would replace a query's
  own ``FROM``: so the view is asked for only when there is none. ``FROM`` is a keyword that
  may stand only in the dataset clause, so a bare ``FROM`` token anywhere means one.
- :func:`group_start`: where the outermost ``WHERE`` group opens, for binding a named query's
  parameters with a ``VALUES`` block (:func:`with_values`).
- :func:`query_form`: ``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``.

Oxigraph does not apply ``\\u`` escapes outside strings and IRIs (``FR\\u004FM`` is a syntax
error there), so the text is tokenised as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<name>(?:[A-Za-z_][\w.-]*)?:(?:[\w.:%-]|\\[_~.!$&'()*+,;=/?\#@%-])*
              |[A-Za-z_][\w.-]*)
  | (?P<punct>[{}()])
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_MAYBE_FROM = re.compile("from", re.IGNORECASE)


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """Yield ``(kind, token, end offset)`` for the query's tokens (comments left out)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "comment":
            yield kind, match[0], match.end()


def has_dataset_clause(text: str) -> bool:
    """Return True if the query has a ``FROM`` or ``FROM NAMED`` clause."""
    if not _MAYBE_FROM.search(text):  # the common case, at the speed of one C scan
        return False
    return any(kind == "name" and token.upper() == "FROM" for kind, token, _ in tokens(text))


def query_form(text: str) -> str | None:
    """Return the query form keyword (``SELECT``, ...), or None if there is none."""
    for kind, token, _ in tokens(text):
        if kind == "name" and token.upper() in _FORMS:
            return token.upper()
    return None


def group_start(text: str) -> int:
    """Return the offset just after the ``{`` that opens the query's WHERE group.

    That is the first ``{`` outside braces and parentheses that follows the keyword
    ``WHERE``, or, in a SELECT, ASK or DESCRIBE query, that follows the query form (``WHERE``
    is optional there). Raises ``ValueError`` when the text has no such group.
    """
    form, last, braces, parens = None, None, 0, 0
    for kind, token, end in tokens(text):
        if kind == "name":
            last = token.upper()
            if form is None and braces == parens == 0 and last in _FORMS:
                form = last
            continue
        opens_group = last == "WHERE" or form in ("SELECT", "ASK", "DESCRIBE")
        if token == "{" and braces == parens == 0 and opens_group:
            return end
        braces += (token == "{") - (token == "}")
        parens += (token == "(") - (token == ")")
        last = None
    raise ValueError("no WHERE group found in the query")


def values_block(bindings: dict[str, str]) -> str:
    """Return ``VALUES (?a ?b) { (t1 t2) }`` for variables and terms in N-Triples syntax."""
    names = " ".join(f"?{name}" for name in bindings)
    return f"VALUES ({names}) {{ ({' '.join(bindings.values())}) }}"


def with_values(text: str, bindings: dict[str, str], at: int | None = None) -> str:
    """Return ``text`` with a ``VALUES`` block binding ``bindings`` first in its WHERE group.

    ``bindings`` maps variable names to terms in N-Triples syntax; ``at`` is the query's
    :func:`group_start` when already known. A ``VALUES`` block there joins with the rest of
    the group before any ``OPTIONAL``, ``FILTER``, grouping or aggregate, so each solution has
    the variables bound as rdflib's ``initBindings`` binds them.
    """
    if not bindings:
        return text
    at = group_start(text) if at is None else at
    return f"{text[:at]}\n  {values_block(bindings)}\n{text[at:]}"
