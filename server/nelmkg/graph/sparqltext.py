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
from urllib.parse import urljoin

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


def term_text(term) -> str:
    """Return a term in SPARQL syntax: an rdflib term (``n3``) or an Oxigraph one (``str``).

    Blank nodes are refused: in a query they would be variables, not the node.
    """
    text = term.n3() if hasattr(term, "n3") else str(term)
    if text.startswith("_:"):
        raise ValueError(f"a blank node cannot be bound in query text: {text}")
    return text


def declares_base(text: str) -> bool:
    """Return True when the query's prologue has a ``BASE`` declaration of its own.

    A remote store is then not sent a second one (Virtuoso refuses two; the grammar allows it).
    """
    for kind, token, _ in tokens(text):
        if kind == "name" and token.upper() == "BASE":
            return True
        if kind == "name" and token.upper() in _FORMS:
            return False
    return False


def dataset_clauses(
    text: str, base_iri: str | None = None
) -> tuple[list[str] | None, list[str] | None, str]:
    """Return ``(FROM IRIs, FROM NAMED IRIs, text without them)``, for a remote store.

    Both lists are None when the query has no dataset clause. Prefixed names are expanded with
    the query's own ``PREFIX`` declarations and relative IRIs resolved against its ``BASE`` (or
    ``base_iri``), so the dataset can be sent as protocol parameters instead (some stores merge
    a query's ``FROM`` with the protocol's ``default-graph-uri`` rather than let the protocol
    win). Raises ``ValueError`` for a prefix the query does not declare.
    """
    prefixes: dict[str, str] = {}
    base = base_iri or ""
    default: list[str] = []
    named: list[str] = []
    cuts: list[tuple[int, int]] = []
    depth = 0
    pending: list[tuple[str, str, int]] = []  # a clause being read: FROM [NAMED] / PREFIX / BASE

    def iri_of(kind: str, token: str) -> str:
        if kind == "iri":
            return urljoin(base, token[1:-1]) if base else token[1:-1]
        prefix, _, local = token.partition(":")
        if prefix not in prefixes:
            raise ValueError(f"undeclared prefix {prefix}:")
        return prefixes[prefix] + local

    for kind, token, end in tokens(text):
        if token.isspace():
            continue
        if depth == 0 and pending:
            head = pending[0][1].upper()
            if head == "PREFIX" and len(pending) == 1 and kind == "name":
                pending.append((kind, token, end))
                continue
            if head == "PREFIX" and len(pending) == 2 and kind == "iri":
                prefixes[pending[1][1].rstrip(":")] = iri_of("iri", token)
                pending = []
                continue
            if head == "BASE" and kind == "iri":
                base = iri_of("iri", token)
                pending = []
                continue
            if head == "FROM" and kind == "name" and token.upper() == "NAMED" and len(pending) == 1:
                pending.append((kind, token, end))
                continue
            if head == "FROM" and kind in ("iri", "name"):
                (named if len(pending) == 2 else default).append(iri_of(kind, token))
                start = pending[0][2] - len(pending[0][1])
                cuts.append((start, end))
                pending = []
                continue
            pending = []
        if kind == "name" and depth == 0 and token.upper() in ("PREFIX", "BASE", "FROM"):
            pending = [(kind, token, end)]
            continue
        depth += (token == "{") - (token == "}")
    if not cuts:
        return None, None, text
    kept, at = [], 0
    for start, end in cuts:
        kept.append(text[at:start])
        at = end
    kept.append(text[at:])
    return default, named, " ".join(kept)
