"""``/assess/form``: an assessment form generated from the case format, and its results.

One input per key of the case JSON-LD context (:mod:`nelmkg.cases.context`, the one definition
of the case format): a choice of the allowed values for concept keys, yes/no for booleans, a
number field otherwise; a key left blank is simply absent from the case. The form is POSTed
(patient facts stay out of URLs and access logs) and assessed by
the service's assessor; each option is shown with its status and, per criterion,
the
result, the value, the threshold, the review's quote, its references and any ambiguity, each
linking to its page. HTML only.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from nelmkg.cases.context import CaseContext
from nelmkg.cases.errors import CaseInputError
from nelmkg.web.pages import kit
from nelmkg.web.service import current

bp = Blueprint("assess_form", __name__)


def fields(context: CaseContext) -> list[dict]:
    """Return the form's inputs: one per case key, with its kind and allowed values."""
    return [
        {"key": key.key, "kind": key.kind, "values": list(key.values), "property": key.property}
        for key in context.keys.values()
    ]


def case_from_form(form, context: CaseContext) -> dict:
    """Return the plain-JSON case a submitted form describes (blank inputs left out)."""
    case: dict = {}
    for key in context.keys.values():
        raw = form.get(key.key, "").strip()
        if not raw:
            continue
        if key.kind == "boolean":
            case[key.key] = {"true": True, "false": False}.get(raw, raw)
        elif key.kind in ("number", "integer"):
            try:
                number = float(raw)
                case[key.key] = int(number) if number.is_integer() else number
            except ValueError:
                case[key.key] = raw  # the assessment reports it as malformed, with the key
        else:
            case[key.key] = raw
    return case


def criterion_keys(assessor) -> dict[str, str]:
    """Return the case key each criterion reads (criterion IRI -> JSON key)."""
    keys = assessor.context.by_property
    return {
        str(check.info.iri): keys[check.info.property].key
        for option in assessor.options.values()
        for check in option.checks
    }


def entered(form, context: CaseContext) -> dict[str, str]:
    """Return what was typed or chosen per key, as submitted (blank inputs left out).

    The form shows these back; a key that is absent selects nothing, so a blank stays blank
    (the empty ``(unknown)`` choice), never the first value whose text happens to match.
    """
    found = {}
    for key in context.keys:
        raw = form.get(key, "").strip()
        if raw:
            found[key] = raw
    return found


@bp.route("/assess/form", methods=["GET", "POST"])
def form() -> Response:
    """Show the form; on POST, also the assessment of the submitted case."""
    kit.choose(kit.HTML_ONLY)
    assessor = current().assessor
    context = assessor.context
    posted = request.method == "POST"
    case = case_from_form(request.form, context) if posted else None
    result, error = None, None
    if case is not None:
        try:
            result = assessor.assess(case)
        except CaseInputError as exc:
            error = str(exc)
    return kit.page(
        "assess_form.html",
        fields=fields(context),
        entered=entered(request.form, context) if posted else {},
        result=result,
        error=error,
        keys=criterion_keys(assessor),
    )
