"""Plain-JSON and JSON-LD case documents to RDF, through the local case context only.

Plain JSON (an object with no ``@`` keys) is checked key by key against the context (unknown
key, wrong JSON type: :class:`~nelmkg.cases.errors.CaseInputError` naming key and value), then gets
the local context and ``"@type": nelm:Patient`` and goes through rdflib's JSON-LD processor.
A JSON-LD document may use the published context IRI, which is replaced by the local copy;
any other context IRI (and any ``@import``) is refused, never fetched. Ranges and allowed
values are not checked here: the case shapes do that, for RDF input too.

:func:`to_values` is the same mapping done directly for plain JSON, without the JSON-LD
processor (about 30 times faster): the patient's facts as RDF terms made by the very calls the
processor makes, from the context's own key table. A categorical string outside the key's
values becomes a plain literal that the case shapes reject by name, where JSON-LD would expand
it into an IRI or silently drop it. ``tests/test_compiled_shacl.py`` checks that both give the
same terms for every allowed value.
"""

from __future__ import annotations

import functools
import json
import math
import re
from decimal import Decimal
from typing import Any

import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.parsers.jsonld import to_rdf
from rdflib.plugins.shared.jsonld.util import norm_url
from rdflib.term import IdentifiedNode, Node

from nelmkg.cases.bounds import MAX_WRITTEN_DIGITS, check_tree, json_number
from nelmkg.cases.context import CONTEXT_IRI, CaseContext
from nelmkg.cases.errors import CaseInputError
from nelmkg.graph.jsonvalues import to_json
from nelmkg.graph.vocab import NELM

# A case id becomes the last segment of an IRI under the context's @base.
_ID = re.compile(r"^[A-Za-z0-9_~.-]+$")
_EXPECTED = {
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "concept": "a string",
}


def load_json(text: str) -> Any:
    """Parse JSON text within :mod:`nelmkg.cases.bounds` (numbers with a fraction or exponent
    as ``Decimal``): numbers are checked on their lexical form before conversion, strings after
    parsing (a case's nesting depth is checked where it is read as a case)."""

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        doc = json.loads(
            text, parse_float=json_number, parse_int=json_number, parse_constant=constant
        )
    except CaseInputError:
        raise
    except json.JSONDecodeError as exc:
        raise CaseInputError(f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from exc
    except ValueError as exc:
        raise CaseInputError(f"invalid JSON: {exc}") from exc
    except RecursionError as exc:  # the C scanner stops at the interpreter's recursion limit
        raise CaseInputError("invalid JSON: nested too deeply to read") from exc
    check_tree(doc, max_depth=None)
    return doc


def is_plain(doc: Any) -> bool:
    """Return True for a plain-JSON case: an object without ``@`` keywords."""
    return isinstance(doc, dict) and not any(str(k).startswith("@") for k in doc)


def _bad(key: str, value: Any, what: str) -> CaseInputError:
    shown = json.dumps(to_json(value), default=str)
    return CaseInputError(
        f"{key} must be {what}, not {shown}", kind="bad-value", key=key, value=to_json(value)
    )


def _number(key: str, value: Any, kind: str) -> Any:
    """Check a JSON number for ``kind`` (number or integer); floats become ``Decimal``."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _bad(key, value, _EXPECTED[kind])
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _bad(key, value, "a finite number")
        value = Decimal(repr(value))  # keeps the lexical form canonical (no 1e-07)
    if _too_big(value):  # a number given by code rather than read from JSON text
        raise _bad(key, str(value)[:24], f"a number of at most {MAX_WRITTEN_DIGITS} digits")
    if kind == "integer" and not isinstance(value, int):
        raise _bad(key, value, _EXPECTED[kind])
    return value


def _too_big(value: int | Decimal) -> bool:
    """Return True for a number whose digits would be costly to write out
    (:data:`~nelmkg.cases.bounds.MAX_WRITTEN_DIGITS`), found without writing them
    (``bit_length`` and ``adjusted`` cost nothing)."""
    if isinstance(value, int):
        return value.bit_length() > MAX_WRITTEN_DIGITS * 3.33
    digits = len(value.as_tuple().digits)
    return digits > MAX_WRITTEN_DIGITS or abs(value.adjusted()) > MAX_WRITTEN_DIGITS


def check_plain(doc: dict, context: CaseContext) -> dict:
    """Check a plain-JSON case against the context; return it without null values."""
    checked: dict[str, Any] = {}
    for key, value in doc.items():
        if value is None:  # JSON-LD drops null: an explicitly unknown fact
            continue
        if key == context.id_key:
            if not isinstance(value, str) or not _ID.match(value) or value in (".", ".."):
                raise _bad(key, value, "a string of letters, digits and . _ ~ -")
        elif key not in context.keys:
            raise CaseInputError(
                f"unknown key {key!r}: not part of the case format",
                kind="unknown-key",
                key=key,
                value=to_json(value),
            )
        else:
            kind = context.keys[key].kind
            if kind in ("number", "integer"):
                value = _number(key, value, kind)
            elif kind == "boolean" and not isinstance(value, bool):
                raise _bad(key, value, _EXPECTED[kind])
            elif kind == "concept" and not isinstance(value, str):
                allowed = ", ".join(context.keys[key].values)
                raise _bad(key, value, f"one of the strings {allowed}")
        checked[key] = value
    return checked


def _local(value: Any, context: CaseContext) -> Any:
    """Return an ``@context`` value with the published IRI replaced by the local context."""
    if value is None:
        return None
    if isinstance(value, str):
        if value == CONTEXT_IRI:
            return context.document
        raise CaseInputError(
            f"remote @context {value!r} is not fetched; only {CONTEXT_IRI} is "
            "known (resolved locally)",
            kind="remote-context",
            key="@context",
            value=value,
        )
    if isinstance(value, list):
        return [_local(v, context) for v in value]
    if isinstance(value, dict):
        if "@import" in value:
            raise CaseInputError(
                "@import in a JSON-LD context is not supported (no fetching)",
                kind="remote-context",
                key="@import",
                value=value["@import"],
            )
        return {
            k: (
                {**v, "@context": _local(v["@context"], context)}
                if isinstance(v, dict) and "@context" in v
                else v
            )
            for k, v in value.items()
        }
    raise CaseInputError(
        "@context must be an IRI, an object or a list", kind="syntax", key="@context"
    )


def resolve_contexts(node: Any, context: CaseContext) -> Any:
    """Return a JSON-LD document whose every ``@context`` is local (see :func:`_local`)."""
    if isinstance(node, dict):
        return {
            k: _local(v, context) if k == "@context" else resolve_contexts(v, context)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [resolve_contexts(v, context) for v in node]
    return node


def uses_published_context(doc: Any) -> bool:
    """Return True for a single JSON-LD object whose ``@context`` is the published IRI."""
    return isinstance(doc, dict) and doc.get("@context") == CONTEXT_IRI


def to_graph(doc: Any, context: CaseContext) -> tuple[Graph, bool]:
    """Map a plain-JSON or JSON-LD case to RDF; also say whether paths are JSON keys.

    The flag is True when the document's keys are the case format's keys (plain JSON, or a
    JSON-LD object using the published context): violations then name keys, not IRIs.
    """
    if not isinstance(doc, dict | list):
        raise CaseInputError(
            "a case is a JSON object (or a JSON-LD document)",
            kind="not-a-case",
            value=to_json(doc),
        )
    keyed = is_plain(doc) or uses_published_context(doc)
    if is_plain(doc):
        doc = {
            "@context": context.document,
            "@type": str(NELM.Patient),
            **check_plain(doc, context),
        }
    else:
        if keyed:  # same keys as plain JSON: refuse unknown keys rather than drop them
            facts = check_plain({k: v for k, v in doc.items() if not k.startswith("@")}, context)
            doc = {**{k: v for k, v in doc.items() if k.startswith("@")}, **facts}
        doc = resolve_contexts(doc, context)
    parsed = Graph(bind_namespaces="none")
    try:
        to_rdf(doc, parsed, base=context.base)
    except Exception as exc:  # rdflib raises several types for invalid JSON-LD
        raise CaseInputError(f"invalid JSON-LD: {exc}") from exc
    return _from_lexical_forms(parsed), keyed


def _from_lexical_forms(parsed: Graph) -> Graph:
    """Return ``parsed`` with every literal re-made from its lexical form and datatype.

    rdflib's JSON-LD processor builds ``Literal(52, datatype=xsd:decimal)`` around the Python
    ``int``; the RDF term is the same as ``"52"^^xsd:decimal`` but its value stays an ``int``,
    which SHACL engines then do not count as a decimal. Parsing the lexical form gives the
    value every RDF parser would.
    """
    graph = Graph(bind_namespaces="none")
    for s, p, o in parsed:
        if isinstance(o, Literal) and o.datatype is not None:
            o = Literal(str(o), datatype=o.datatype)
        graph.add((s, p, o))
    return graph


@functools.lru_cache(maxsize=4096)
def _literal(_type: type, _text: str, value: Any, datatype: URIRef, _normalise: bool) -> Literal:
    """Return ``Literal(value, datatype)`` re-made from its lexical form, as :func:`to_graph`.

    Memoised (literals are immutable): the key is the value's type and text (``2.50`` is not
    ``2.5``, ``True`` is not ``1``) and rdflib's normalisation switch, which changes the term.
    """
    return Literal(str(Literal(value, datatype=datatype)), datatype=datatype)


def to_values(
    doc: Any, context: CaseContext
) -> tuple[IdentifiedNode, dict[URIRef, tuple[Node, ...]]] | None:
    """Map a plain-JSON case straight to its patient node and facts (predicate -> objects).

    Raises :class:`CaseInputError` as :func:`check_plain` does. Returns None when the document
    is not plain JSON or holds a value only the JSON-LD processor can map (:func:`to_graph`).
    Numbers and booleans become ``Literal(value, datatype)`` re-made from its lexical form, as
    :func:`to_graph` makes them; the id resolves against the context's base as rdflib does.
    """
    if not is_plain(doc):
        return None
    node: IdentifiedNode = BNode()
    values: dict[URIRef, tuple[Node, ...]] = {RDF.type: (NELM.Patient,)}
    normalise = rdflib.NORMALIZE_LITERALS
    for key, value in check_plain(doc, context).items():
        if key == context.id_key:
            node = URIRef(norm_url(context.base, value))
            continue
        spec = context.keys[key]
        if spec.kind == "concept":
            # A string outside the key's allowed values stays a plain literal, so the case
            # shapes report it (sh:in) with the key and the value as sent. The JSON-LD
            # processor would instead expand it into an IRI or drop it ("well " vanishes).
            term = spec.values.get(value) or Literal(value)
        else:
            term = _literal(type(value), str(value), value, spec.datatype, normalise)
        if spec.property in values:  # two keys, one property: let JSON-LD merge them
            return None
        values[spec.property] = (term,)
    return node, values
