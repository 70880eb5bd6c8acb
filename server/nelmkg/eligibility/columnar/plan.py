"""The case and eligibility shapes compiled into a plan of column tests, for the columnar engine.

The per-case engine compiles the shapes once (:func:`nelmkg.shacl.compile.compile_shapes`,
which refuses any SHACL outside its subset); this module walks the same compiled shapes and
reads every constraint as a test on one column of a table of plain-JSON cases (one column per
key of the case context). The plan is plain data (strings, Decimals, tuples): it is pickled to
worker processes and Spark executors, which then need neither rdflib parsing nor data files.

Columns hold a key's JSON value; the per-case engine's RDF term for it is fixed by the key's
kind (:mod:`nelmkg.cases.json_input`): a number is an ``xsd:decimal`` literal of that exact
value, a whole number a literal of the key's integer datatype, a boolean an ``xsd:boolean``
literal, a categorical string its value individual (or a plain literal when it names none).
Each SHACL constraint is translated with that reading (:class:`Test`):

* ``in``: the column values whose term is a member; ``range``: an exact numeric comparison with
  the threshold (a value of any other kind never passes); ``bounds``: an integer datatype's
  lexical space; ``unmapped``: a categorical string that names no value individual (the only
  ``xsd:string`` literal a case can hold); ``always`` / ``never``; ``not``: the inner tests.

Only value constraints, ``sh:minCount``/``sh:maxCount`` and ``sh:closed`` of shapes targeting
``nelm:Patient`` are read; anything else raises :class:`UnsupportedShapes` at start-up.
Options and criteria come from :func:`nelmkg.eligibility.options.load_options`, as the
per-case engine reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from nelmkg.cases.context import CaseContext
from nelmkg.eligibility.options import Option
from nelmkg.graph.vocab import NELM
from nelmkg.shacl.compile import Shape, UnsupportedShapes, compile_shapes
from nelmkg.shacl.literals import EXACT, INTEGER_RANGES, numeric

# sh:minInclusive etc. as the comparison that lets a value pass.
COMPARISONS = {
    SH.minInclusive: ">=",
    SH.minExclusive: ">",
    SH.maxInclusive: "<=",
    SH.maxExclusive: "<",
}
NUMERIC_KINDS = ("number", "integer")


@dataclass(frozen=True)
class Column:
    """One key of the case format: its kind, datatype and categorical strings."""

    key: str
    property: str
    kind: str  # number | integer | boolean | concept
    datatype: str | None
    values: tuple[tuple[str, str], ...] = ()  # categorical string -> value individual IRI


@dataclass(frozen=True)
class Test:
    """A test a present value passes or not (see the module docstring for the ops)."""

    op: str
    members: tuple = ()  # in: the passing column values
    comparison: str = ""  # range: >=, >, <=, <
    threshold: Decimal | None = None
    bounds: tuple[int | None, int | None] = (None, None)  # bounds, and range on integers
    inner: tuple[Test, ...] = ()  # not


@dataclass(frozen=True)
class ShapePlan:
    """A shape targeting patients: which column, its tests, counts and closedness."""

    iri: str
    key: str | None  # None: a node shape, or a path no case key has (never a value)
    path: str | None  # the property (shown for a path no case key has)
    severity: str
    message: str
    case: bool  # a well-formedness shape: its violations make a case malformed
    tests: tuple[tuple[str, Test], ...] = ()  # (component, test)
    min_count: int | None = None
    max_count: int | None = None
    forbidden: tuple[str, ...] | None = None  # sh:closed: keys whose property is not allowed
    type_forbidden: bool = False  # sh:closed without rdf:type allowed: every case fires


@dataclass(frozen=True)
class CriterionPlan:
    """A criterion of an option: its set, its shape and its ambiguity shapes."""

    iri: str
    criteria_set: str
    shape: str
    ambiguity_shapes: tuple[str, ...]


@dataclass(frozen=True)
class OptionPlan:
    """An option: sets counted, criteria, exceptions (set, relaxed, hedged) and regimens."""

    id: str
    sets: tuple[str, ...]
    criteria: tuple[CriterionPlan, ...]
    exceptions: tuple[tuple[str, str, bool], ...]
    regimens: tuple[tuple[str, str], ...]  # (set, status name), in the order sets are tried


@dataclass(frozen=True)
class Plan:
    """Everything the columnar engine evaluates, as plain data."""

    id_key: str
    base: str
    columns: tuple[Column, ...]
    shapes: tuple[ShapePlan, ...]
    options: tuple[OptionPlan, ...]

    def column(self, key: str) -> Column:
        """Return the column of ``key``."""
        return next(c for c in self.columns if c.key == key)


def _columns(context: CaseContext) -> tuple[Column, ...]:
    return tuple(
        Column(
            k.key,
            str(k.property),
            k.kind,
            None if k.datatype is None else str(k.datatype),
            tuple((s, str(iri)) for s, iri in k.values.items()),
        )
        for k in context.keys.values()
    )


def _members(members: frozenset, column: Column) -> tuple:
    """Return the column values whose RDF term is one of ``members`` (RDF term equality)."""
    if column.kind == "boolean":
        return tuple(
            str(m) == "true"
            for m in members
            if isinstance(m, Literal) and m.datatype == XSD.boolean and str(m) in ("true", "false")
        )
    if column.kind == "concept":
        mapped = dict(column.values)
        found = [s for s, iri in column.values if URIRef(iri) in members]
        plain = [
            str(m)
            for m in members
            if isinstance(m, Literal) and m.datatype is None and not m.language
        ]
        return tuple(sorted(found + [s for s in plain if s not in mapped]))
    raise UnsupportedShapes(f"sh:in on the number key {column.key!r} is not supported")


def _datatype(datatype: URIRef, column: Column) -> Test:
    if column.kind in NUMERIC_KINDS and str(datatype) == column.datatype:
        if column.kind == "integer":
            return Test("bounds", bounds=INTEGER_RANGES[URIRef(column.datatype)])
        return Test("always")  # every JSON number is a well-formed xsd:decimal literal
    if column.kind == "boolean" and datatype == XSD.boolean:
        return Test("always")
    if column.kind == "concept" and datatype == XSD.string:
        return Test("unmapped")
    return Test("never")


def _test(constraint, column: Column, where: Shape) -> Test:
    parameter, argument = constraint.parameter, constraint.argument
    if parameter == SH.datatype:
        return _datatype(argument, column)
    if parameter == SH["in"]:
        return Test("in", members=_members(argument, column))
    if parameter in COMPARISONS:
        limit = numeric(argument)
        if limit is None or limit[0] != EXACT:
            raise UnsupportedShapes(f"{where.node}: {argument} is not an integer or decimal")
        if column.kind not in NUMERIC_KINDS:
            return Test("never")  # a boolean or an IRI is not comparable
        bounds = (
            INTEGER_RANGES[URIRef(column.datatype)] if column.kind == "integer" else (None, None)
        )
        return Test(
            "range", comparison=COMPARISONS[parameter], threshold=Decimal(limit[1]), bounds=bounds
        )
    if parameter == SH["not"]:
        inner = argument
        if inner.path is not None or inner.properties or inner.counts:
            raise UnsupportedShapes(f"{inner.node}: sh:not of a shape with a path or properties")
        return Test("not", inner=tuple(_test(c, column, inner) for c in inner.constraints))
    raise UnsupportedShapes(f"{where.node}: {parameter} is not supported by the columnar engine")


def _shape_plan(shape: Shape, columns: dict[str, Column], case_shapes: set) -> ShapePlan:
    by_property = {c.property: c for c in columns.values()}
    column = by_property.get(shape.key) if shape.key is not None else None
    counting = (SH.minCount, SH.maxCount)
    values = [c for c in shape.constraints if c.parameter not in counting]
    counts = {c.parameter: c.argument for c in shape.constraints if c.parameter in counting}
    if shape.key is None and values:
        raise UnsupportedShapes(f"{shape.node}: value constraints on the patient node itself")
    tests = ()
    if column is not None:
        tests = tuple((str(c.component), _test(c, column, shape)) for c in values)
    forbidden, type_forbidden = None, False
    if shape.allowed is not None:
        forbidden = tuple(c.key for c in columns.values() if c.property not in shape.allowed)
        type_forbidden = str(RDF.type) not in shape.allowed
    return ShapePlan(
        iri=str(shape.node),
        key=None if column is None else column.key,
        path=shape.key,
        severity=str(shape.severity),
        message=shape.message,
        case=shape.node in case_shapes,
        tests=tests,
        min_count=counts.get(SH.minCount),
        max_count=counts.get(SH.maxCount),
        forbidden=forbidden,
        type_forbidden=type_forbidden,
    )


def _option_plan(option: Option) -> OptionPlan:
    criteria = tuple(
        CriterionPlan(
            str(c.info.iri),
            str(c.info.criteria_set),
            str(c.shape),
            tuple(str(s) for s in c.ambiguity_shapes),
        )
        for c in option.checks
    )
    exceptions = tuple(
        (str(e.criteria_set), str(e.relaxes), e.hedge is not None) for e in option.exceptions
    )
    regimens = tuple((str(s), option.regimens[s][0]) for s in option.sets if option.regimens)
    sets = tuple(str(s) for s in option.sets)
    return OptionPlan(option.id, sets, criteria, exceptions, regimens)


def build_plan(
    shapes: Graph, case_shapes: set, options: dict[str, Option], context: CaseContext
) -> Plan:
    """Compile ``shapes`` (case + eligibility) and ``options`` into a :class:`Plan`.

    ``case_shapes``: the shapes whose violations make a case malformed. Raises
    :class:`UnsupportedShapes` for SHACL the columnar engine cannot evaluate.
    """
    targets, _messages = compile_shapes(shapes)
    columns = {c.key: c for c in _columns(context)}
    seen: dict[str, ShapePlan] = {}
    for cls, node_shape in targets:
        if cls != NELM.Patient:
            continue  # a plain-JSON case is an instance of nelm:Patient only
        for shape in (node_shape, *node_shape.properties):
            if str(shape.node) not in seen:
                seen[str(shape.node)] = _shape_plan(shape, columns, case_shapes)
    return Plan(
        id_key=context.id_key,
        base=context.base,
        columns=tuple(columns.values()),
        shapes=tuple(seen.values()),
        options=tuple(_option_plan(o) for o in options.values()),
    )
