"""``POST /validate`` and ``POST /assess``: patient cases in, SHACL report or assessment out.

``/validate`` reads one case in any format of :data:`nelmkg.cases.read.FORMATS` (by
``Content-Type``) and answers 200 with the ``sh:ValidationReport`` of the case shapes, Turtle
or JSON-LD by ``Accept`` (406 otherwise), whether or not the case conforms.

``/assess`` answers the assessment JSON of ``docs/case-format.md``, shaped like its input: a
JSON object gives an object, a JSON array an array, NDJSON (``application/x-ndjson``) NDJSON.
An RDF body (or ``application/ld+json``) is one case. The route checks the request's media
type and negotiates the answer; the body itself is read, checked and answered in a case
evaluator process under ``CASE_TIMEOUT`` (:mod:`nelmkg.web.casework`; a web thread never
parses such a body, so none can hold one). In an array or NDJSON a case the reader refuses
becomes its own ``well_formed: false`` entry; a body that does not parse fails the request
(400 with line and column). At most ``MAX_BATCH`` cases per request (413).

A Bundle sent as ``application/fhir+json`` is handed to :mod:`nelmkg.web.fhir.cases` (data
problems as an OperationOutcome); a Bundle sent as JSON is read by the FHIR reader the batch
reader is given (docs/fhir.md).

Errors of a single case follow :attr:`CaseInputError.status` (400, 413, 415, 422), as
problem+json with the error's ``kind``, ``key``, ``value``, ``line`` and ``column``. Bodies are
never logged (the access log writes sizes only, :mod:`nelmkg.web.hooks`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from nelmkg.cases.read import FORMATS, NDJSON_TYPES
from nelmkg.web import caselane, conneg
from nelmkg.web.fhir import cases as fhir_cases
from nelmkg.web.problems import Problem
from nelmkg.web.service import current

bp = Blueprint("cases", __name__)
FHIR_TYPE = "application/fhir+json"  # one FHIR R4 Bundle (nelmkg.web.fhir.cases)

# /validate answers: the first row is the default.
REPORT_FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("turtle", "text/turtle", ("application/x-turtle",), charset=True),
    conneg.Format("jsonld", "application/ld+json", ("application/json",)),
)
RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld"}  # for FHIR callers' reports
ASSESS_FORMATS = (conneg.Format("json", "application/json"),)
NDJSON_FORMATS = (conneg.Format("ndjson", "application/x-ndjson", ("application/ndjson",)),)

# CaseInputError.kind -> problem type slug.
SLUGS = {
    "syntax": "case-syntax",
    "not-utf8": "not-utf8",
    "media-type": "unsupported-media-type",
    "unknown-key": "unknown-case-key",
    "bad-value": "bad-case-value",
    "remote-context": "remote-context",
    "not-a-case": "not-a-case",
    "batch-too-large": "batch-too-large",
    "too-complex": "case-too-complex",
    "doctype": "dtd-not-allowed",
}


def accepted(ndjson: bool) -> str:
    """Return the media types a case may be posted as (read from the reader's table)."""
    return ", ".join([*FORMATS, FHIR_TYPE, *(NDJSON_TYPES if ndjson else ())])


def _media_type(accepted: str) -> str:
    """Return the request's bare media type; 415 if absent, not UTF-8, or not accepted."""
    media = request.mimetype
    charset = request.mimetype_params.get("charset")
    headers = {"Accept-Post": accepted}
    if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise Problem(
            415, "unsupported-charset", f"The body must be UTF-8, not {charset}.", headers=headers
        )
    if media not in accepted.split(", "):
        shown = f"'{media}'" if media else "no Content-Type"
        raise Problem(
            415,
            "unsupported-media-type",
            f"Cannot read a case sent as {shown}; send one of: {accepted}.",
            headers=headers,
        )
    return media


def _choose(table: tuple[conneg.Format, ...], what: str) -> conneg.Format:
    fmt = conneg.choose(request.headers.get("Accept"), request.args.get("format"), table)
    if fmt is None:
        names = ", ".join(f.media_type for f in table)
        raise Problem(406, "not-acceptable", f"{what} is available as {names}.")
    return fmt


def run_case(op: str, payload: dict) -> Any:
    """Run case operation ``op`` in a case evaluator under the case time limit; return its
    answer (the text; for ``assess`` the text and the tally of verdicts).

    A refused body becomes its problem; the lane's own failures are problems of
    :func:`nelmkg.web.caselane.send`.
    """
    status, value = caselane.send(op, payload)
    if status == "refused":
        fields = dict(value)
        code, message = fields.pop("status"), fields.pop("message")
        slug = fields.pop("slug", None) or SLUGS.get(fields["kind"], "case-syntax")
        raise Problem(code, slug, message, **fields)
    return value


@bp.post("/validate")
def validate() -> Response:
    """Validate one case against the case shapes; answer the SHACL report."""
    media = _media_type(accepted(ndjson=False))
    fmt = _choose(REPORT_FORMATS, "The validation report")
    body = request.get_data(cache=False)
    if media == FHIR_TYPE:
        return fhir_cases.validate_fhir(body, RDFLIB_FORMAT[fmt.key], fmt.content_type)
    text = run_case("validate", {"body": body, "media": media, "format": fmt.key})
    response = Response(text, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


@bp.post("/assess")
def assess() -> Response:
    """Assess one case, a JSON array of cases or NDJSON against every treatment option."""
    media = _media_type(accepted(ndjson=True))
    ndjson = media in NDJSON_TYPES
    if ndjson:
        _choose(NDJSON_FORMATS, "An NDJSON assessment")
    else:
        _choose(ASSESS_FORMATS, "The assessment")
    body = request.get_data(cache=False)
    if media == FHIR_TYPE:  # a FHIR caller: data problems as an OperationOutcome
        return fhir_cases.assess_fhir(body)
    payload = {
        "body": body,
        "media": media,
        "limit": current_app.config["MAX_BATCH"],
        "fhir_max_entries": current_app.config["FHIR_MAX_ENTRIES"],
    }
    text, counts = run_case("assess", payload)
    current().metrics.count_cases(counts)
    if ndjson:
        return Response(text, content_type="application/x-ndjson; charset=utf-8")
    return Response(text, mimetype="application/json")
