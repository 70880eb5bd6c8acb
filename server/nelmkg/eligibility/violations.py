"""Read SHACL validation results: which shapes fired, and case violations as JSON.

Results are :class:`nelmkg.shacl.pyshacl_engine.Result` records (source shape, constraint component,
severity, path, value, message), the content of pyshacl's ``sh:ValidationReport``.
Eligibility results are keyed by source shape and constraint component; well-formedness
violations (results of the case shapes) become ``{path, value, message}`` entries, where
``path`` is the JSON key when the case came as JSON with the case format's keys, else the
property IRI.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import URIRef
from rdflib.namespace import SH

from nelmkg.cases.context import CaseKey
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.model import Case
from nelmkg.graph.jsonvalues import to_json
from nelmkg.shacl.pyshacl_engine import Result


def fired(results: Iterable[Result]) -> dict[URIRef, set[URIRef]]:
    """Return, for every shape with a result, the constraint components that fired."""
    found: dict[URIRef, set[URIRef]] = {}
    for result in results:
        found.setdefault(result.shape, set()).add(result.component)
    return found


def violations(
    results: Iterable[Result],
    case: Case,
    shapes: set,
    keys: dict[URIRef, CaseKey],
    names: dict[URIRef, str],
) -> list[dict[str, Any]]:
    """Return the violations of the case shapes (``shapes``) among ``results``, sorted, unique."""
    found: dict[tuple, dict[str, Any]] = {}
    for result in results:
        if result.shape not in shapes or result.severity != SH.Violation:
            continue
        value = to_json(result.value, names)
        key = keys.get(result.path)
        if case.keyed and key is not None:
            shown = key.key
            if case.facts is not None and key.key in case.facts:
                value = to_json(case.facts[key.key])
        else:
            shown = str(result.path) if result.path is not None else None
        entry = {"path": shown, "value": value, "message": result.message}
        found.setdefault((str(shown), repr(value), result.message), entry)
    return [found[k] for k in sorted(found)]


def reader_violation(exc: CaseInputError) -> dict[str, Any]:
    """Return the violation entry ``nelmkg assess`` shows for a case the reader refuses."""
    entry = {"path": exc.key, "value": exc.value, "message": exc.message}
    return {k: v for k, v in entry.items() if v is not None}
