"""``POST /validate`` and ``POST /assess``: patient cases in, SHACL report or assessment out.

``/validate`` reads one case in any format of :data:`nelmkg.cases.read.FORMATS` (by
``Content-Type``) and answers 200 with the ``sh:ValidationReport`` of the case shapes, Turtle
or JSON-LD by ``Accept`` (406 otherwise), whether or not the case conforms.

``/assess`` answers the assessment JSON of ``docs/case-format.md``, shaped like its input: a
JSON object gives an object, a JSON array an array, NDJSON (``application/x-ndjson``) NDJSON.
An RDF body (or ``application/ld+json``) is one case. In an array or NDJSON a case the
reader refuses (unknown key, bad value, not a case) becomes its own ``well_formed: false``
entry; JSON that does not parse fails the request (400 with line and column). At most
``MAX_BATCH`` cases per request (413).

Errors of a single case follow :attr:`CaseInputError.status` (400, 415, 422), as problem+json
with the error's ``kind``, ``key``, ``value``, ``line`` and ``column``. Bodies are never
logged (the access log writes sizes only, :mod:`nelmkg.web.hooks`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, request
from rdflib import Literal
from rdflib.term import Node

from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.json_input import jsonable, load_json
from nelmkg.cases.read import FORMATS
from nelmkg.web import conneg
from nelmkg.web.problems import Problem

bp = Blueprint("cases", __name__)
EXTENSION = "nelmkg.cases.read"
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson")
ACCEPT_VALIDATE = ", ".join(FORMATS)
ACCEPT_ASSESS = ", ".join([*FORMATS, *NDJSON_TYPES])

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
    "media-type": "unsupported-media-type",
    "unknown-key": "unknown-case-key",
    "bad-value": "bad-case-value",
    "remote-context": "remote-context",
    "not-a-case": "not-a-case",
}


def current():
    """Return the :class:`~nelmkg.web.cases.api.CaseAPI` of the current app."""
    return current_app.extensions[EXTENSION]


def as_problem(exc: CaseInputError) -> Problem:
    """Return the problem answering a case the reader refused."""
    fields = json.loads(dumps(exc.as_dict()))  # a value may be a Decimal or an RDF term
    fields.pop("message")
    return Problem(exc.status, SLUGS.get(exc.kind, "case-syntax"), exc.message, **fields)


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
        return call()


@bp.post("/validate")
def validate() -> Response:
    """Validate one case against the case shapes; answer the SHACL report."""
    media = _media_type(ACCEPT_VALIDATE)
    fmt = _choose(REPORT_FORMATS, "The validation report")
    body = request.get_data(cache=False)
    try:
        result = _quietly(lambda: current().assessor.validate(body, media))
    except CaseInputError as exc:
        raise as_problem(exc) from exc
    text = _quietly(lambda: result.report.serialize(format=RDFLIB_FORMAT[fmt.key]))
    response = Response(text, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def _json_default(value: Any) -> Any:
    if isinstance(value, Literal):
        python = value.toPython()
        return jsonable(python) if isinstance(python, int | float | Decimal | str) else str(value)
    if isinstance(value, Decimal):
        return jsonable(value)
    if isinstance(value, Node):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(value: Any) -> str:
    """Return ``value`` as compact JSON (RDF terms and decimals made JSON-able)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default, separators=(",", ":"))


def malformed(case: Any, exc: CaseInputError) -> dict[str, Any]:
    """Return the ``well_formed: false`` entry of a batch case the reader refused."""
    name = case.get("id") if isinstance(case, dict) else None
    violation = {"path": exc.key, "value": exc.value, "message": exc.message}
    return {
        "case": name if isinstance(name, str) else None,
        "well_formed": False,
        "violations": [{k: v for k, v in violation.items() if v is not None}],
        "options": None,
    }


def _assess_entry(case: Any) -> dict[str, Any]:
    if not isinstance(case, dict):
        exc = CaseInputError("a case is a JSON object", kind="not-a-case")
        return malformed(case, exc)
    try:
        return current().assessor.assess(case)
    except CaseInputError as exc:
        return malformed(case, exc)


def _check_batch(count: int) -> None:
    limit = current_app.config["MAX_BATCH"]
    if count > limit:
        raise Problem(
            413,
            "batch-too-large",
            f"{count} cases in one request; this service assesses at most {limit} at a time.",
            limit=limit,
        )


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(400, "not-utf8", f"The body is not UTF-8 (byte {exc.start}).") from exc


def _parse(text: str, line: int | None = None) -> Any:
    try:
        return load_json(text)
    except CaseInputError as exc:
        if line is not None:  # NDJSON: the error's line is the line of the body
            exc.line = line
        raise as_problem(exc) from exc


def _ndjson(body: bytes) -> Response:
    lines = [(n, t) for n, t in enumerate(_text(body).splitlines(), start=1) if t.strip()]
    _check_batch(len(lines))
    cases = [_parse(t, n) for n, t in lines]
    out = "".join(dumps(_assess_entry(case)) + "\n" for case in cases)
    return Response(out, content_type="application/x-ndjson; charset=utf-8")


@bp.post("/assess")
def assess() -> Response:
    """Assess one case, a JSON array of cases or NDJSON against every treatment option."""
    media = _media_type(ACCEPT_ASSESS)
    body = request.get_data(cache=False)
    if media in NDJSON_TYPES:
        _choose(NDJSON_FORMATS, "An NDJSON assessment")
        return _quietly(lambda: _ndjson(body))
    _choose(ASSESS_FORMATS, "The assessment")
    if FORMATS[media] != "json" or media == "application/ld+json":
        try:
            result = _quietly(lambda: current().assessor.assess(body, media))
        except CaseInputError as exc:
            raise as_problem(exc) from exc
        return Response(dumps(result), mimetype="application/json")
    doc = _parse(_text(body))
    if isinstance(doc, list):
        _check_batch(len(doc))
        result = _quietly(lambda: [_assess_entry(case) for case in doc])
    elif isinstance(doc, dict):
        try:
            result = _quietly(lambda: current().assessor.assess(doc))
        except CaseInputError as exc:
            raise as_problem(exc) from exc
    else:
        raise as_problem(CaseInputError("a case is a JSON object or an array", kind="not-a-case"))
    return Response(dumps(result), mimetype="application/json")
