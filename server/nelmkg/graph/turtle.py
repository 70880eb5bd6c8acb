"""Write hand-readable Turtle for generated files: terms, prefix blocks, statements.

The generated shapes and contexts are committed and reviewed like hand-written files, so they
are written as a person would write them (one resource per block, prefixed names, a comment
header) rather than by rdflib's serialiser, and the same input always gives the same bytes.
Only what the generators need is here: IRIs, plain and language-tagged strings, booleans,
integers and decimals (other datatypes as ``"lexical"^^<datatype>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

# A local name we may write after a prefix without escaping (a safe subset of PN_LOCAL).
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string(text: str) -> str:
    """Return ``text`` as a Turtle short string (escaped)."""
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def iri(value: str, prefixes: Mapping[str, str]) -> str:
    """Return ``prefix:local`` for an IRI when a prefix fits, else ``<iri>``."""
    best = max(
        (p for p, ns in prefixes.items() if value.startswith(ns)),
        key=lambda p: len(prefixes[p]),
        default=None,
    )
    if best is not None:
        local = value[len(prefixes[best]) :]
        if _LOCAL.match(local):
            return f"{best}:{local}"
    return f"<{value}>"


def term(node: Node, prefixes: Mapping[str, str]) -> str:
    """Return the Turtle form of an IRI or literal."""
    if isinstance(node, URIRef):
        return iri(str(node), prefixes)
    if not isinstance(node, Literal):
        raise TypeError(f"cannot write {node!r} in generated Turtle")
    if node.language:
        return f"{string(str(node))}@{node.language}"
    datatype = node.datatype
    if datatype is None or datatype == XSD.string:
        return string(str(node))
    if datatype == XSD.boolean:
        return "true" if node.toPython() is True else "false"
    if datatype == XSD.integer and re.fullmatch(r"[+-]?\d+", str(node)):
        return str(node)
    if datatype == XSD.decimal and re.fullmatch(r"[+-]?\d*\.\d+", str(node)):
        return str(node)
    return f"{string(str(node))}^^{iri(str(datatype), prefixes)}"


def prefix_block(prefixes: Mapping[str, str]) -> str:
    """Return the ``@prefix`` lines, aligned, in the given order."""
    width = max(len(p) for p in prefixes) + 2
    return "".join(f"@prefix {p + ':':<{width}}<{ns}> .\n" for p, ns in prefixes.items())


def comment(lines: Iterable[str]) -> str:
    """Return ``# ``-prefixed comment lines (an empty line gives a bare ``#``)."""
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def block(subject: str, statements: Sequence[tuple[str, str]]) -> str:
    """Return one resource: ``subject p1 o1 ;`` with one predicate-object pair per line."""

    def pair(p: str, o: str) -> str:
        return f"{p}{o}" if o.startswith("\n") else f"{p} {o}"

    lines = [f"{subject} {pair(*statements[0])}"]
    lines += [f"    {pair(p, o)}" for p, o in statements[1:]]
    return " ;\n".join(lines) + " .\n"
