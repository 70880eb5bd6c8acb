"""Reading a submitted assessment form: every field checked, every error kept, nothing guessed.

A blank field (or the "unknown" answer, which submits an empty value) is a missing fact and is
left out of the case: never a value. What was typed is checked field by field, so that every
error is found at once: a choice must be one of the field's answers, a number must be written
as a decimal number (a whole number where the format asks for one). The case built from the
fields that read well is then validated by the service's assessor (the case shapes say what
is in range); each violation is put beside its field, in words chosen from the field's range
(``form.toml``). With any error, no verdict is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from nelmkg.web.pages.form.fields import Field

# What a number may look like when typed: optional sign, digits, optional decimal part.
# Checked before converting (no exponents, no "nan", no thousands separators), and bounded.
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
WHOLE = re.compile(r"^[+-]?\d+$")
LONGEST = 32


@dataclass
class Submission:
    """A submitted form: the case it describes, what was entered, and the errors by key."""

    case: dict = field(default_factory=dict)
    entered: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _number(raw: str, f: Field, words: dict) -> tuple[object, str | None]:
    pattern = WHOLE if f.kind == "integer" else DECIMAL
    if len(raw) > LONGEST or not pattern.match(raw):
        return None, words["errors"]["whole" if f.kind == "integer" else "number"]
    return (int(raw) if f.kind == "integer" else Decimal(raw)), None


def _value(raw: str, f: Field, words: dict) -> tuple[object, str | None]:
    if f.kind == "boolean":
        answers = words["answers"]
        return (answers[raw], None) if raw in answers else (None, words["errors"]["choice"])
    if f.kind == "concept":
        ok = raw in {c.value for c in f.choices}
        return (raw, None) if ok else (None, words["errors"]["choice"])
    return _number(raw, f, words)


def read_form(form, fields: list[Field], words: dict) -> Submission:
    """Return the case a submitted form describes, with what was entered and the errors of the
    values that could not be read (``words`` is ``form.toml``)."""
    found = Submission()
    for f in fields:
        raw = form.get(f.key, "").strip()
        if not raw:
            continue  # blank or "unknown": the fact is missing
        found.entered[f.key] = raw
        value, error = _value(raw, f, words)
        if error:
            found.errors[f.key] = error
        else:
            found.case[f.key] = value
    return found


def _shown(number: float | int | None) -> str:
    return "" if number is None else f"{number:g}"


def range_error(f: Field, words: dict) -> str:
    """Return the words for a number outside the field's range (from its shape's bounds)."""
    errors = words["errors"]
    unit = f" {f.unit}" if f.unit else ""
    if f.minimum is not None and f.maximum is not None:
        return errors["range"].format(min=_shown(f.minimum), max=_shown(f.maximum), unit=unit)
    if f.above is not None:
        return errors["above"].format(min=_shown(f.above), unit=unit)
    if f.minimum is not None:
        return errors["minimum"].format(min=_shown(f.minimum), unit=unit)
    return errors["number"]


def add_violations(found: Submission, violations: list[dict], fields: list[Field], words: dict):
    """Put each case-shape violation beside its field (by JSON key), in the form's words; a
    violation not about one field is kept under the key ``""``."""
    by_key = {f.key: f for f in fields}
    for v in violations:
        f = by_key.get(v.get("path"))
        if f is None:
            found.errors.setdefault("", v["message"])
        elif f.key not in found.errors:
            found.errors[f.key] = range_error(f, words) if f.numeric else words["errors"]["choice"]
