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


@bp.route("/assess/form", methods=["GET", "POST"])
def form() -> Response:
    """Show the form; on POST, also the assessment of the submitted case."""
    kit.choose(kit.HTML_ONLY)
    assessor = current().assessor
    context = assessor.context
    case = case_from_form(request.form, context) if request.method == "POST" else None
    result, error = None, None
    if case is not None:
        try:
            result = assessor.assess(case)
        except CaseInputError as exc:
            error = str(exc)
    return kit.page(
        "assess_form.html", fields=fields(context), case=case or {}, result=result, error=error
    )
