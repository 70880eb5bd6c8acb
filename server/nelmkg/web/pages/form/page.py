"""``/assess/form``: the assessment form for people, and its result. HTML only.

The fields are read from the case shapes and the ontology by the service's assessor
(:mod:`.form_fields`: labels, descriptions, order, units, allowed values); yes/no facts and
choices are radio buttons with an "unknown" answer, which, like a blank number, leaves the fact
out of the case (missing data, never a value). A submission is read field by field and
validated by the assessor (:mod:`.form_input`); every error is shown at once, beside its field
and in a summary on top that links to it, with what was entered kept. Otherwise each option is
shown, in the clinical order of the option shapes (``sh:order``), with its status in words (a
legend says what each means) and, per criterion, the result, the value, the review's quote, its
references and any ambiguity. The form is POSTed: patient facts stay out of URLs and logs.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, request

from nelmkg.cases.errors import CaseInputError
from nelmkg.web.pages import kit
from nelmkg.web.pages.form.fields import Field, groups, read_fields
from nelmkg.web.pages.form.input import Submission, add_violations, read_form
from nelmkg.web.service import current

bp = Blueprint("assess_form", __name__)
WORDS = Path(__file__).with_name("form.toml")


@cache
def words() -> dict:
    """Return ``form.toml`` (the form's own words), read once."""
    return tomllib.loads(WORDS.read_text(encoding="utf-8"))


def fields() -> list[Field]:
    """Return the form's fields, read once from the service's assessor."""
    service = current()
    assessor = service.assessor
    return service.built(
        "form-fields",
        lambda: read_fields(assessor.case_shapes, assessor.knowledge, assessor.context.keys),
    )


def criterion_keys(assessor) -> dict[str, str]:
    """Return the case key each criterion reads (criterion IRI -> JSON key)."""
    keys = assessor.context.by_property
    return {
        str(check.info.iri): keys[check.info.property].key
        for option in assessor.options.values()
        for check in option.checks
    }


def shown_value(value, f: Field | None) -> str:
    """Return a fact's value in the form's words: a choice's label, yes or no, a number."""
    if value is None:
        return ""
    if f is not None and f.kind == "boolean":
        answers = {v: k for k, v in words()["answers"].items()}
        return words()["answer_words"][answers[value]]
    if f is not None and f.kind == "concept":
        return next((c.label for c in f.choices if c.value == value), str(value))
    return str(value) + (f" {f.unit}" if f is not None and f.unit else "")


def _status(option: dict) -> dict:
    by_id = {s["id"]: s for s in words()["status"]}
    if option.get("regimen"):
        word = words()["regimen"]["word"].format(regimen=option["regimen"]["label"])
        return {"id": option["status"], "css": "eligible", "word": word}
    return {
        "id": option["status"],
        "css": option["status"],
        "word": by_id[option["status"]]["word"],
    }


def result_view(assessment: dict, assessor) -> list[dict]:
    """Return the options of an assessment in clinical order, with statuses and values in words."""
    by_key = {f.key: f for f in fields()}
    keys = criterion_keys(assessor)
    results = {r["id"]: r["word"] for r in words()["result"]}
    ordered = sorted(assessor.options.values(), key=lambda o: (o.order is None, o.order, o.id))
    view = []
    for option in ordered:
        found = assessment["options"][option.id]
        criteria = []
        for c in found["criteria"]:
            key = keys[c["id"]]
            criteria.append(
                {
                    **c,
                    "key": key,
                    "result_word": results[c["result"]],
                    "shown": shown_value(c["value"], by_key.get(key)),
                }
            )
        view.append(
            {
                "id": option.id,
                "label": option.label or option.id,
                "status": _status(found),
                "criteria": criteria,
            }
        )
    return view


def _assess(submission: Submission) -> list[dict] | None:
    """Validate and assess the readable part of a submission; errors go into it."""
    assessor = current().assessor
    try:
        assessment = assessor.assess(submission.case)
    except CaseInputError as exc:  # the form's own checks should leave nothing for this
        submission.errors.setdefault(exc.key or "", exc.message)
        return None
    add_violations(submission, assessment["violations"], fields(), words())
    if submission.errors:
        return None
    return result_view(assessment, assessor)


@bp.route("/assess/form", methods=["GET", "POST"])
def form() -> Response:
    """Show the form; on POST, also every error, or the assessment of the submitted case."""
    kit.choose(kit.HTML_ONLY)
    found, result = Submission(), None
    if request.method == "POST":
        found = read_form(request.form, fields(), words())
        result = _assess(found)
    return kit.page(
        "assess_form.html",
        groups=groups(fields()),
        fields=fields(),
        entered=found.entered,
        errors=found.errors,
        result=result,
        words=words(),
        ambiguity_labels={str(a): v["label"] for a, v in current().assessor.ambiguities.items()},
    )
