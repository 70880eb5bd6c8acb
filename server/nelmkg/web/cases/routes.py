"""``POST /validate`` and ``POST /assess``: patient cases in, SHACL report or assessment out.

``/validate`` reads one case in any format of :data:`nelmkg.cases.read.FORMATS` (by
``Content-Type``) and answers 200 with the ``sh:ValidationReport`` of the case shapes, Turtle
or JSON-LD by ``Accept`` (406 otherwise), whether or not the case conforms.

``/assess`` answers the assessment JSON of ``docs/case-format.md``, shaped like its input: a
JSON object gives an object, a JSON array an array, NDJSON (``application/x-ndjson``) NDJSON.
An RDF body (or ``application/ld+json``) is one case. The walk enters each room once: the body
is read by :func:`nelmkg.cases.read.read_batch` (cases room), each case assessed by the
service's :class:`~nelmkg.eligibility.assessor.Assessor` (eligibility room), and the
JSON-ready result written here. In an array or NDJSON a case the reader refuses becomes its own
``well_formed: false`` entry; a body that does not parse fails the request (400 with line and
column). At most ``MAX_BATCH`` cases per request (413).

A Bundle sent as ``application/fhir+json`` is handed to :mod:`nelmkg.web.fhir.cases` (data
problems as an OperationOutcome); a Bundle sent as JSON is read by the FHIR reader the batch
reader is given (docs/fhir.md).

Errors of a single case follow :attr:`CaseInputError.status` (400, 413, 415, 422), as
problem+json with the error's ``kind``, ``key``, ``value``, ``line`` and ``column``. Bodies are
never logged (the access log writes sizes only, :mod:`nelmkg.web.hooks`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request

from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.model import Case
from nelmkg.cases.read import FORMATS, NDJSON_TYPES, read_batch
from nelmkg.web import conneg, fhir
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
RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld"}
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
}


def as_problem(exc: CaseInputError) -> Problem:
    """Return the problem answering a case (or body) the reader refused."""
    fields = exc.as_dict()
    fields.pop("message")
    slug = getattr(exc, "slug", None) or SLUGS.get(exc.kind, "case-syntax")  # FHIR: its own
    return Problem(exc.status, slug, exc.message, **fields)


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


def _quietly(call: Callable[[], Any]) -> Any:
    # rdflib warns about ill-typed literals with their value (patient data) in the message.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return call()
        except CaseInputError as exc:
            raise as_problem(exc) from exc


@bp.post("/validate")
def validate() -> Response:
    """Validate one case against the case shapes; answer the SHACL report."""
    media = _media_type(accepted(ndjson=False))
    fmt = _choose(REPORT_FORMATS, "The validation report")
    body = request.get_data(cache=False)
    if media == FHIR_TYPE:
        return fhir_cases.validate_fhir(body, RDFLIB_FORMAT[fmt.key], fmt.content_type)
    result = _quietly(lambda: current().assessor.validate(body, media))
    text = _quietly(lambda: result.report.serialize(format=RDFLIB_FORMAT[fmt.key]))
    response = Response(text, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def dumps(value: Any) -> str:
    """Return a JSON-ready ``value`` as compact JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@bp.post("/assess")
def assess() -> Response:
    """Assess one case, a JSON array of cases or NDJSON against every treatment option."""
    media = _media_type(accepted(ndjson=True))
    ndjson = media in NDJSON_TYPES
    if ndjson:
        _choose(NDJSON_FORMATS, "An NDJSON assessment")
    else:
        _choose(ASSESS_FORMATS, "The assessment")
    assessor = current().assessor
    body = request.get_data(cache=False)
    if media == FHIR_TYPE:  # a FHIR caller: data problems as an OperationOutcome
        return fhir_cases.assess_fhir(body)
    limit = current_app.config["MAX_BATCH"]
    readers = (fhir.reader(),)  # a Bundle sent as JSON, alone or in a batch
    batch = _quietly(lambda: read_batch(body, media, assessor.context, limit, readers))
    results = [
        _quietly(lambda item=item: assessor.assess(item))
        if isinstance(item, Case)
        else assessor.refused(item)
        for item in batch.items
    ]
    if batch.shape == "ndjson":
        out = "".join(dumps(result) + "\n" for result in results)
        return Response(out, content_type="application/x-ndjson; charset=utf-8")
    return Response(
        dumps(results if batch.shape == "array" else results[0]), mimetype="application/json"
    )
