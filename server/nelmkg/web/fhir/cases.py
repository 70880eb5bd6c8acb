"""Bundles on ``/assess`` and ``/validate`` (called by :mod:`nelmkg.web.cases.routes`).

With ``Content-Type: application/fhir+json`` the body is one Bundle and the caller is a FHIR
caller: data problems (unparseable JSON 400, an invalid Bundle or a case that breaks the case
shapes 422, too many entries 413) are an OperationOutcome. The assessment itself is the
plain assessment JSON plus its ``mapping`` report. A Bundle posted as ``application/json``
(alone, in a JSON array or NDJSON) is detected by its ``resourceType`` and gets the same
assessment; its problems are problem+json, or a ``well_formed: false`` entry in a batch.
``/validate`` answers the SHACL report of the case shapes together with the case graph, in
which each fact is ``prov:wasDerivedFrom`` its entry, and each result cites its entry.
"""

from __future__ import annotations

import warnings

from flask import Response
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, SH

from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import load_json
from nelmkg.fhir.outcome import violation_issues
from nelmkg.fhir.reader import BundleCase, is_bundle
from nelmkg.graph.vocab import NELM
from nelmkg.web import fhir
from nelmkg.web.fhir.responses import json_response, outcome, outcome_of
from nelmkg.web.metrics import tally
from nelmkg.web.service import current as current_service

MEDIA_TYPE = "application/fhir+json"


def _quietly(call):
    # rdflib warns about ill-typed literals with their value (patient data) in the message.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


def _bundle(body: bytes) -> dict:
    """Parse a FHIR caller's body as one Bundle; raise CaseInputError (syntax, not a case)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseInputError(f"the body is not UTF-8 (byte {exc.start})") from exc
    doc = load_json(text)
    if not is_bundle(doc):
        raise CaseInputError(
            "a FHIR case is one Bundle (a JSON object with resourceType Bundle)",
            kind="not-a-case",
        )
    return doc


def assess_fhir(body: bytes) -> Response:
    """Assess one Bundle for a FHIR caller: assessment JSON, or an OperationOutcome."""
    try:
        doc = _bundle(body)
        result, read = _quietly(lambda: fhir.current().assess(doc, fhir.max_entries()))
    except CaseInputError as exc:
        return outcome_of(exc)
    current_service().metrics.count_cases(tally([result]))
    if not result["well_formed"]:
        return outcome(422, violation_issues(result["violations"], read.report["facts"]))
    return json_response(result)


def report_graph(read: BundleCase, report: Graph) -> Graph:
    """Return the SHACL report plus the case graph; results cite the entry of their fact."""
    graph = Graph()
    for prefix, namespace in (("sh", SH), ("prov", PROV), ("nelm", NELM)):
        graph.bind(prefix, namespace)
    graph += report
    graph += read.case.graph
    sources = read.case.provenance or {}
    for result, path in report.subject_objects(SH.resultPath):
        url = sources.get(path, {}).get("fullUrl")
        if isinstance(url, str) and (result, SH.resultPath, path) in report:
            node = URIRef(url)
            if (None, PROV.wasDerivedFrom, node) in graph:  # an IRI the case graph could hold
                graph.add((result, PROV.wasDerivedFrom, node))
    return graph


def validate_fhir(body: bytes, rdf_format: str, content_type: str) -> Response:
    """Validate one Bundle for a FHIR caller: the report, or an OperationOutcome."""
    service = fhir.current()
    try:
        read = service.read(_bundle(body), fhir.max_entries())
    except CaseInputError as exc:
        return outcome_of(exc)
    validation = _quietly(lambda: service.assessor.validate(read.case))
    text = _quietly(lambda: report_graph(read, validation.report).serialize(format=rdf_format))
    response = Response(text, content_type=content_type)
    response.vary.add("Accept")
    return response
