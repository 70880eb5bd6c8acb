"""Set-at-a-time assessment: a batch of cases through the plan in a few vectorised passes.

:func:`evaluate` takes a :class:`~nelmkg.eligibility.columnar.decoded.Decoded` batch and
the :class:`~nelmkg.eligibility.columnar.plan.Plan`, and gives every row what the per-case
engine gives it
(``tests/test_columnar.py`` compares them): whether it is well-formed, its violations when not,
and each option's status, with the same four-valued logic
(:mod:`nelmkg.eligibility.options`): per criterion ``missing`` if its ``sh:minCount`` fired,
else ``ambiguous`` if an ambiguity shape fired, else ``failed`` if its shape fired, else
``met``; per option failed > missing > ambiguous > eligible; an exception relaxes a failed
criterion; a regimen option names the first set whose criteria are all met.

Numbers are compared as float64 where that decides (rounding to the nearest float keeps order,
so a value whose float differs from the threshold's is on the same side as the float); the few
values whose float equals the threshold's are compared exactly, from their exact value.
Criterion results are coded ``met 0 < ambiguous 1 < missing 2 < failed 3``, so an option's
status is the maximum of its criteria's codes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from nelmkg.eligibility.columnar.decoded import Decoded
from nelmkg.eligibility.columnar.plan import OptionPlan, Plan, ShapePlan, Test
from nelmkg.graph.jsonvalues import to_json

MET, AMBIGUOUS, MISSING, FAILED = 0, 1, 2, 3
STATUS = ("eligible", "ambiguous", "indeterminate", "not_eligible")  # by code
VIOLATION = "http://www.w3.org/ns/shacl#Violation"
MIN_COUNT = "http://www.w3.org/ns/shacl#MinCountConstraintComponent"
PASSES = {">=": (0, 1), ">": (1,), "<=": (-1, 0), "<": (-1,)}


@dataclass
class Fired:
    """Which rows a shape reported on: any component, and sh:minCount alone."""

    any: pa.Array
    min_count: pa.Array


class _Batch:
    """One decoded batch under evaluation: constants, presence and exact signs, cached."""

    def __init__(self, plan: Plan, decoded: Decoded) -> None:
        self.plan, self.decoded, self.size = plan, decoded, decoded.size
        self.true = pa.array([True] * self.size, pa.bool_())
        self.false = pa.array([False] * self.size, pa.bool_())
        self.present = {k: pc.is_valid(a) for k, a in decoded.arrays.items()}
        self._signs: dict[tuple[str, Decimal], pa.Array] = {}
        self._passes: dict[tuple[Test, str], pa.Array] = {}  # shapes share tests (grade G3...)

    def sign(self, key: str, threshold: Decimal) -> pa.Array:
        """Return -1, 0 or 1 per row as the value is below, at or above ``threshold``."""
        if (key, threshold) not in self._signs:
            values = self.decoded.arrays[key]
            if pa.types.is_decimal(values.type) and _fits(threshold, values.type):
                limit = pa.scalar(threshold, values.type)  # exact comparison, no float
                self._signs[key, threshold] = _minus(
                    pc.greater(values, limit), pc.less(values, limit)
                )
                return self._signs[key, threshold]
            floats, limit = pc.cast(values, pa.float64()), float(threshold)
            signs = _minus(pc.greater(floats, limit), pc.less(floats, limit))
            ties = pc.equal(floats, limit)
            rows = pc.indices_nonzero(ties).to_pylist()
            if rows:  # equal as floats: compare the exact values
                value = self.decoded.exact[key]
                exact = [(v > threshold) - (v < threshold) for v in map(value, rows)]
                if any(exact):
                    signs = pc.replace_with_mask(
                        signs, pc.fill_null(ties, False), pa.array(exact, pa.int8())
                    )
            self._signs[key, threshold] = signs
        return self._signs[key, threshold]

    def passes(self, test: Test, key: str) -> pa.Array:
        """Return where a present value passes ``test`` (any value where absent)."""
        if (test, key) not in self._passes:
            self._passes[test, key] = self._evaluate(test, key)
        return self._passes[test, key]

    def _evaluate(self, test: Test, key: str) -> pa.Array:
        values = self.decoded.arrays[key]
        if test.op == "always":
            return self.true
        if test.op == "never":
            return self.false
        if test.op == "in":
            return pc.is_in(values, value_set=pa.array(list(test.members), values.type))
        if test.op == "unmapped":
            mapped = [s for s, _ in self.plan.column(key).values]
            return pc.invert(pc.is_in(values, value_set=pa.array(mapped, pa.string())))
        if test.op == "not":
            inner = self.true
            for each in test.inner:
                inner = pc.and_(inner, self.passes(each, key))
            return pc.invert(inner)
        ok = self.true
        low, high = test.bounds
        if low is not None:
            ok = pc.and_(ok, pc.greater_equal(self.sign(key, Decimal(low)), 0))
        if high is not None:
            ok = pc.and_(ok, pc.less_equal(self.sign(key, Decimal(high)), 0))
        if test.op == "range":
            passing = pa.array(PASSES[test.comparison], pa.int8())
            ok = pc.and_(ok, pc.is_in(self.sign(key, test.threshold), value_set=passing))
        return ok

    def fired(self, shape: ShapePlan) -> Fired:
        """Return where ``shape`` reports a result."""
        present = self.present[shape.key] if shape.key is not None else self.false
        found = self.false
        for _component, test in shape.tests:
            fails = pc.and_(present, pc.invert(pc.fill_null(self.passes(test, shape.key), False)))
            found = pc.or_(found, fails)
        short = self.false
        if shape.min_count is not None and shape.min_count > 0:
            short = pc.invert(present) if shape.min_count == 1 else self.true
        if shape.max_count is not None and shape.max_count == 0:
            found = pc.or_(found, present)
        if shape.forbidden is not None:
            for key in shape.forbidden:
                found = pc.or_(found, self.present[key])
            if shape.type_forbidden:
                found = self.true
        return Fired(pc.or_(found, short), short)


def _minus(above: pa.Array, below: pa.Array) -> pa.Array:
    """Return 1 where ``above``, -1 where ``below``, else 0 (int8)."""
    return pc.subtract(pc.cast(above, pa.int8()), pc.cast(below, pa.int8()))


def _fits(threshold: Decimal, decimal_type: pa.DataType) -> bool:
    """Return True when a decimal type holds ``threshold`` exactly."""
    exponent = threshold.as_tuple().exponent
    digits = len(threshold.as_tuple().digits)
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    whole = digits - places
    return places <= decimal_type.scale and whole <= decimal_type.precision - decimal_type.scale


def _codes(option: OptionPlan, fired: dict[str, Fired], size: int) -> dict[str, pa.Array]:
    """Return each criterion's result code, the exceptions applied."""
    codes = {}
    for crit in option.criteria:
        own = fired[crit.shape]
        ambiguous = pa.array([False] * size, pa.bool_())
        for shape in crit.ambiguity_shapes:
            ambiguous = pc.or_(ambiguous, fired[shape].any)
        code = pc.if_else(own.any, FAILED, MET)
        code = pc.if_else(ambiguous, AMBIGUOUS, code)
        codes[crit.iri] = pc.cast(pc.if_else(own.min_count, MISSING, code), pa.int8())
    # As options._relax: in order of the relaxed criterion, a failed criterion takes the best
    # result of the exceptions relaxing it (alternatives: met < ambiguous < missing < failed),
    # each exception the worst of its own criteria, ambiguous at best when the set is hedged.
    for relaxed in sorted({e[1] for e in option.exceptions}):
        found = []
        for exc_set, target, hedged in option.exceptions:
            if target != relaxed:
                continue
            own = [codes[c.iri] for c in option.criteria if c.criteria_set == exc_set]
            result = _worst(own, size)
            if hedged:
                result = pc.max_element_wise(result, pa.scalar(AMBIGUOUS, pa.int8()))
            found.append(result)
        best = pc.min_element_wise(*found) if len(found) > 1 else found[0]
        was = codes[relaxed]
        codes[relaxed] = pc.if_else(pc.equal(was, FAILED), best, was)
    return codes


def _worst(codes: list[pa.Array], size: int) -> pa.Array:
    worst = pa.array([MET] * size, pa.int8())
    for code in codes:
        worst = pc.max_element_wise(worst, code)
    return worst


def _status(option: OptionPlan, codes: dict[str, pa.Array], size: int) -> pa.Array:
    """Return the option's status per row (regimen options: the regimen's status name)."""
    names = pa.array(STATUS, pa.string())
    per_set = {
        s: _worst([codes[c.iri] for c in option.criteria if c.criteria_set == s], size)
        for s in option.sets
    }
    if not option.regimens:
        return pc.take(names, _worst(list(per_set.values()), size))
    sets = [per_set[s] for s, _ in option.regimens]
    status = pa.array(["ambiguous"] * size, pa.string())
    any_missing = pa.array([False] * size, pa.bool_())
    all_failed = pa.array([True] * size, pa.bool_())
    for code in sets:
        any_missing = pc.or_(any_missing, pc.equal(code, MISSING))
        all_failed = pc.and_(all_failed, pc.equal(code, FAILED))
    status = pc.if_else(any_missing, "indeterminate", status)
    status = pc.if_else(all_failed, "not_applicable", status)
    for (_, name), code in reversed(list(zip(option.regimens, sets, strict=True))):
        status = pc.if_else(pc.equal(code, MET), name, status)
    return status


def _violations(plan: Plan, batch: _Batch, fired: dict[str, Fired], rows: list[int]) -> dict:
    """Return the violation entries of the malformed rows, as the per-case engine lists them."""
    found: dict[int, dict[tuple, dict]] = {row: {} for row in rows}
    for shape in plan.shapes:
        if not shape.case or shape.severity != VIOLATION:
            continue
        hits = set(pc.indices_nonzero(fired[shape.iri].any).to_pylist()).intersection(found)
        for row in hits:
            document = batch.decoded.document(row)
            paths = [shape.key] if shape.forbidden is None else _closed_keys(shape, document)
            for key in paths:
                shown = key if key is not None else shape.path
                value = to_json(document[key]) if key in document else None
                entry = {"path": shown, "value": value, "message": shape.message}
                found[row].setdefault((str(shown), repr(value), shape.message), entry)
    return {row: [entries[k] for k in sorted(entries)] for row, entries in found.items()}


def _closed_keys(shape: ShapePlan, document: dict) -> list[str]:
    return [k for k in shape.forbidden if document.get(k) is not None]


def evaluate(plan: Plan, decoded: Decoded, reasons: bool = False) -> pa.Table:
    """Return a table: ``case``, ``well_formed``, ``violations`` (JSON), a status per option.

    Rows the reader refused or delegated are left for the caller (see
    :class:`~nelmkg.eligibility.columnar.engine.BatchAssessor`): here they are well-formed with the
    statuses of an empty case, and are overwritten there. ``reasons`` adds a column
    ``<option>_reasons`` per option: the criteria not met, as ``result:criterion`` pairs.
    """
    batch = _Batch(plan, decoded)
    fired = {shape.iri: batch.fired(shape) for shape in plan.shapes}
    malformed = batch.false
    for shape in plan.shapes:
        if shape.case and shape.severity == VIOLATION:
            malformed = pc.or_(malformed, fired[shape.iri].any)
    bad_rows = pc.indices_nonzero(malformed).to_pylist()
    entries = _violations(plan, batch, fired, bad_rows)
    texts = ["[]"] * decoded.size
    for row, found in entries.items():
        texts[row] = json.dumps(found, ensure_ascii=False)
    ids = [v if type(v) is str else None for v in decoded.ids]
    columns = {
        "case": pa.array(ids, pa.string()),
        "well_formed": pc.invert(malformed),
        "violations": pa.array(texts, pa.string()),
    }
    nulls = pa.nulls(decoded.size, pa.string())
    for option in plan.options:
        codes = _codes(option, fired, decoded.size)
        columns[option.id] = pc.if_else(malformed, nulls, _status(option, codes, decoded.size))
        if reasons:
            columns[f"{option.id}_reasons"] = pc.if_else(malformed, nulls, _reasons(option, codes))
    return pa.table(columns)


def _reasons(option: OptionPlan, codes: dict[str, pa.Array]) -> pa.Array:
    """Return ``failed:slug; missing:slug; ...`` per row (empty when every criterion is met)."""
    words = ("", "ambiguous:", "missing:", "failed:")
    text = None
    for crit in option.criteria:
        slug = crit.iri.rstrip("/").rsplit("/", 1)[-1]
        labels = pa.array([w + slug if w else None for w in words], pa.string())
        part = pc.take(labels, codes[crit.iri])
        if text is None:
            text = pc.fill_null(part, "")
            continue
        # One pair at a time: binary_join_element_wise over many arrays with
        # null_handling="skip" returned short arrays (pyarrow 26).
        joined = pc.if_else(pc.equal(text, ""), part, pc.binary_join_element_wise(text, part, "; "))
        text = pc.if_else(pc.is_null(part), text, joined)
    return text
