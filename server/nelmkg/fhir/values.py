"""Read one fact's value from an Observation (or one of its components) or a Condition.

Works on the raw JSON of a Bundle the models have already validated, so that JSON types
are checked as the plain-JSON format checks them (``true`` is not ``1``, ``"3"`` is not
``3``). Each kind of key takes its value[x] (:data:`nelmkg.fhir.mapping.VALUE_TYPES`);
numbers must carry a UCUM unit that is the fact's unit or converts to it exactly
(``mapping.toml``); anything else is a data problem
(:class:`~nelmkg.fhir.issues.BundleError`), never a guess. :class:`Skip` says why an entry
gives no value without being wrong (data absent, not confirmed, not current).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any

from nelmkg.fhir.bounds import check_number
from nelmkg.fhir.issues import fail
from nelmkg.fhir.mapping import VALUE_TYPES, FhirMapping, KeySpec

SIGNIFICANT = 12  # digits kept when a conversion factor has no exact decimal (mo -> a)


@dataclass(frozen=True)
class Reading:
    """A fact's value as the plain-JSON format holds it, and where it was read."""

    value: Any
    expression: str
    converted_from: dict[str, Any] | None = None  # {"value", "unit"} before conversion


@dataclass(frozen=True)
class Skip:
    """No value, for a reason that is not a data problem."""

    reason: str


def _decimal(value: Fraction) -> Decimal | int:
    """Return a Fraction as an int or a Decimal (exact when it terminates, else rounded)."""
    if value.denominator == 1:
        return value.numerator
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = Context(prec=SIGNIFICANT).create_decimal(exact)
    return rounded.normalize() if rounded == rounded.to_integral_value() else rounded


def _quantity(spec: KeySpec, mapping: FhirMapping, quantity: Any, where: str) -> Reading:
    if not isinstance(quantity, dict) or quantity.get("value") is None:
        raise fail("fhir-data-problem", "required", "the Quantity has no value", where)
    number = check_number(quantity["value"], f"{where}.value")
    if quantity.get("comparator"):
        raise fail(
            "fhir-data-problem",
            "value",
            f"a value with comparator {quantity['comparator']!r} is not one number; "
            f"{spec.key} needs an exact value",
            f"{where}.comparator",
        )
    unit, system = quantity.get("code"), quantity.get("system")
    if system != mapping.systems["ucum"] or not isinstance(unit, str) or not unit:
        raise fail(
            "fhir-data-problem",
            "code-invalid",
            f"{spec.key} needs a UCUM unit: valueQuantity.system "
            f"{mapping.systems['ucum']} and valueQuantity.code ({spec.unit!r} or one that "
            "converts to it)",
            where,
        )
    factor = mapping.factor(unit, spec.unit or "1")
    if factor is None:
        raise fail(
            "fhir-data-problem",
            "code-invalid",
            f"unit {unit!r} cannot be converted to {spec.unit!r}, the unit of {spec.key}",
            f"{where}.code",
        )
    if factor == 1:
        return Reading(number, where)
    converted = _decimal(Fraction(number) * factor)
    return Reading(converted, where, {"value": number, "unit": unit})


def _integer(spec: KeySpec, mapping: FhirMapping, holder: dict, name: str, where: str) -> Reading:
    value = holder[name]
    if name == "valueInteger":
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("fhir-data-problem", "value", "valueInteger must be a JSON integer", where)
        return Reading(value, where)
    reading = _quantity(spec, mapping, value, where)
    if isinstance(reading.value, Decimal) and reading.value != reading.value.to_integral_value():
        raise fail("fhir-data-problem", "value", f"{spec.key} is a whole number", where)
    return Reading(int(reading.value), where, reading.converted_from)


def observation_value(
    spec: KeySpec, mapping: FhirMapping, holder: dict, base: str
) -> Reading | Skip:
    """Return the value of ``holder`` (an Observation or component) for ``spec``."""
    present = [k for k in holder if k.startswith("value") and k != "value"]
    if not present:
        absent = holder.get("dataAbsentReason")
        if isinstance(absent, dict):
            codes = [c.get("code") for c in absent.get("coding", []) if isinstance(c, dict)]
            text = ", ".join(str(c) for c in codes if c) or absent.get("text") or "given"
            return Skip(f"data absent ({text})")
        raise fail(
            "fhir-data-problem",
            "required",
            f"the Observation for {spec.key} has no value[x] (expected "
            f"{' or '.join(VALUE_TYPES[spec.kind])}) and no dataAbsentReason",
            base,
        )
    name = present[0]
    where = f"{base}.{name}"
    if name not in VALUE_TYPES[spec.kind]:
        raise fail(
            "fhir-data-problem",
            "value",
            f"{spec.key} is {spec.kind}: it takes {' or '.join(VALUE_TYPES[spec.kind])}, "
            f"not {name}",
            where,
        )
    if spec.kind == "number":
        return _quantity(spec, mapping, holder[name], where)
    if spec.kind == "integer":
        return _integer(spec, mapping, holder, name, where)
    if spec.kind == "boolean":
        if not isinstance(holder[name], bool):
            raise fail("fhir-data-problem", "value", "valueBoolean must be true or false", where)
        return Reading(holder[name], where)
    return _concept(spec, mapping, holder[name], where)


def _concept(spec: KeySpec, mapping: FhirMapping, concept: Any, where: str) -> Reading:
    system = mapping.systems["case_value"]
    codings = concept.get("coding", []) if isinstance(concept, dict) else []
    codes = {c.get("code") for c in codings if isinstance(c, dict) and c.get("system") == system}
    codes.discard(None)
    if not codes:
        allowed = ", ".join(v.code for v in spec.values)
        raise fail(
            "fhir-data-problem",
            "code-invalid",
            f"{spec.key} needs a coding from {system} (one of {allowed}); other codings "
            "are not translated",
            f"{where}.coding",
        )
    if len(codes) > 1:
        raise fail(
            "fhir-data-problem",
            "value",
            f"{spec.key} has several codes at once: {', '.join(sorted(codes))}",
            f"{where}.coding",
        )
    # A code outside the key's values is passed on as sent: the case shapes refuse it by
    # name, as they refuse the same string in plain JSON (the case is then not well-formed).
    return Reading(codes.pop(), f"{where}.coding")


def _codes(concept: Any, system: str) -> set[str]:
    codings = concept.get("coding", []) if isinstance(concept, dict) else []
    return {c["code"] for c in codings if isinstance(c, dict) and c.get("system") == system}


def condition_presence(mapping: FhirMapping, resource: dict, base: str) -> Reading | Skip:
    """Return true for a confirmed, current Condition, false for a refuted one, else Skip."""
    rules = mapping.condition
    verification = _codes(
        resource.get("verificationStatus"), mapping.systems["condition_verification"]
    )
    if verification & set(rules["false_verification"]):
        return Reading(False, f"{base}.verificationStatus")
    if not verification & set(rules["true_verification"]):
        shown = ", ".join(sorted(verification)) or "absent"
        return Skip(f"verificationStatus {shown}: only confirmed or refuted is a fact")
    clinical = _codes(resource.get("clinicalStatus"), mapping.systems["condition_clinical"])
    if clinical and not clinical & set(rules["current_clinical"]):
        return Skip(f"clinicalStatus {', '.join(sorted(clinical))}: not current")
    return Reading(True, f"{base}.verificationStatus")
