"""The JSON-LD context of the plain-JSON case format, read into a table of keys.

The context file (:func:`nelmkg.paths.case_context_file`) is the one definition of the case
format: each key maps to a ``nelm:`` patient property with a datatype (``xsd:decimal``,
``xsd:nonNegativeInteger``, ``xsd:boolean``) or ``@type: @vocab`` with a property-scoped
context mapping the allowed strings to the value individuals. Python never lists the keys;
it reads them from here. The context is published under :data:`CONTEXT_IRI` but never fetched:
documents that name that IRI get this local copy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import XSD

from nelmkg import paths

CONTEXT_IRI = "https://w3id.org/nelmkg/context/case-v1.jsonld"
CASE_BASE = "https://w3id.org/nelmkg/case/"

# How a key's JSON value is checked before JSON-LD processing, by the context's @type.
KINDS = {
    str(XSD.decimal): "number",
    str(XSD.nonNegativeInteger): "integer",
    str(XSD.integer): "integer",
    str(XSD.boolean): "boolean",
    "@vocab": "concept",
}


@dataclass(frozen=True)
class CaseKey:
    """One key of the case format: its property, datatype and (for concepts) allowed values."""

    key: str
    property: URIRef
    kind: str  # number | integer | boolean | concept
    datatype: URIRef | None = None
    values: dict[str, URIRef] = field(default_factory=dict)  # JSON string -> value individual


@dataclass(frozen=True)
class CaseContext:
    """The parsed context: the JSON-LD ``@context`` object and its key table."""

    document: dict
    keys: dict[str, CaseKey]
    id_key: str

    @property
    def by_property(self) -> dict[URIRef, CaseKey]:
        """Return the keys indexed by their ``nelm:`` property."""
        return {k.property: k for k in self.keys.values()}

    @property
    def base(self) -> str:
        """Return the ``@base`` against which case ids are resolved."""
        return self.document.get("@base", CASE_BASE)


def _expand(term: str, prefixes: dict[str, str]) -> str:
    """Expand a compact IRI ``prefix:local`` with the context's own prefix terms."""
    head, sep, local = term.partition(":")
    if sep and head in prefixes and not local.startswith("//"):
        return prefixes[head] + local
    return term


def parse_context(document: dict) -> CaseContext:
    """Build the key table from a context document (``{"@context": {...}}``)."""
    ctx = document["@context"]
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    keys: dict[str, CaseKey] = {}
    id_key = next(k for k, v in ctx.items() if v == "@id")
    for key, term in ctx.items():
        if not isinstance(term, dict) or "@id" not in term:
            continue
        kind = KINDS[_expand(term["@type"], prefixes)]
        values = {}
        if kind == "concept":
            scoped = term.get("@context", {})
            values = {s: URIRef(_expand(iri, prefixes)) for s, iri in scoped.items()}
        datatype = None if kind == "concept" else URIRef(_expand(term["@type"], prefixes))
        keys[key] = CaseKey(key, URIRef(_expand(term["@id"], prefixes)), kind, datatype, values)
    return CaseContext(document=ctx, keys=keys, id_key=id_key)


def load_context(path: Path | None = None) -> CaseContext:
    """Read and parse the case context file (the repository's one unless ``path`` is given)."""
    path = path or paths.case_context_file()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise paths.DataFileError(f"{paths.relative(path)}: cannot read ({exc})") from exc
    return parse_context(json.loads(text))


@dataclass(frozen=True)
class ContextFile:
    """One published context document: its file name, bytes and their ETag."""

    name: str
    data: bytes
    etag: str


@dataclass(frozen=True)
class Contexts:
    """Every context document of ``ontology/context/`` by file name, and the current one's."""

    files: dict[str, ContextFile]
    current: str


def load_contexts() -> Contexts:
    """Read every ``*.jsonld`` beside the current case context (served as published)."""
    current_file = paths.need_file(paths.case_context_file())
    found = {}
    for path in sorted(current_file.parent.glob("*.jsonld")):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise paths.DataFileError(f"{paths.relative(path)}: cannot read ({exc})") from exc
        found[path.name] = ContextFile(path.name, data, hashlib.sha256(data).hexdigest()[:32])
    return Contexts(found, current_file.name)
