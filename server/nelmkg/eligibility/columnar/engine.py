"""The columnar engine's public face: assess a batch of cases, explain chosen rows.

::

    from nelmkg.eligibility.columnar.engine import BatchAssessor

    engine = BatchAssessor.from_repository()
    table = engine.assess_records([{"id": "a", "ki67_pct": 12}, ...])   # -> pyarrow.Table
    table = engine.assess_arrow(record_batch)                           # Parquet, Spark, CSV
    engine.explain({"id": "a", ...})      # the per-case assessment, criteria and quotes

A result table has ``case``, ``well_formed``, ``violations`` (a JSON array as text) and one
status column per option (null for a malformed case), in input order; ``reasons=True`` adds
``<option>_reasons``. A row the case reader refuses is malformed with the reader's violation,
as ``nelmkg assess`` reports it; a row only the per-case reader can read (JSON-LD) is assessed
by the per-case engine (:class:`~nelmkg.eligibility.assessor.Assessor`), built on first need.
The plan (:mod:`nelmkg.eligibility.columnar.plan`) is plain data: a BatchAssessor pickles small.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from rdflib import Graph
from rdflib.namespace import SH

from nelmkg import paths
from nelmkg.cases.context import CaseContext, load_context
from nelmkg.cases.errors import CaseInputError
from nelmkg.eligibility.columnar.arrow import from_arrow
from nelmkg.eligibility.columnar.decoded import Decoded
from nelmkg.eligibility.columnar.evaluate import evaluate
from nelmkg.eligibility.columnar.plan import Plan, build_plan
from nelmkg.eligibility.columnar.records import from_records
from nelmkg.eligibility.criteria import notations
from nelmkg.eligibility.options import load_options
from nelmkg.eligibility.violations import reader_violation
from nelmkg.graph.dataset import parse_files


class BatchAssessor:
    """The shapes and options compiled once into a plan; assesses batches of cases."""

    def __init__(self, plan: Plan, context: CaseContext) -> None:
        self.plan = plan
        self.context = context
        self.options = tuple(o.id for o in plan.options)
        self._per_case = None  # the per-case engine, for delegated rows and explanations

    @classmethod
    def from_repository(cls, knowledge: Graph | None = None) -> BatchAssessor:
        """Compile the repository's case and eligibility shapes (``knowledge``: ontology + KG)."""
        if knowledge is None:
            knowledge = parse_files(paths.ontology_files() + paths.kg_files())
        case_shapes = parse_files(paths.shape_files("case"))
        eligibility = parse_files(paths.shape_files("eligibility"))
        options = load_options(eligibility, knowledge, notations(knowledge))
        case = set(case_shapes.subjects(SH.path, None)) | set(
            case_shapes.subjects(SH.targetClass, None)
        )
        context = load_context()
        return cls(build_plan(case_shapes + eligibility, case, options, context), context)

    def __getstate__(self) -> dict:
        return {"plan": self.plan, "context": self.context}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["plan"], state["context"])

    def per_case(self):
        """Return this engine's per-case engine (built from the repository on first use)."""
        if self._per_case is None:
            from nelmkg.eligibility.assessor import Assessor

            self._per_case = Assessor.from_repository()
        return self._per_case

    def explain(self, case: Any, content_type: str | None = None) -> dict[str, Any]:
        """Return one case's full assessment (criteria, values, quotes), per case."""
        return self.per_case().assess(case, content_type)

    def assess_records(self, records: list, reasons: bool = False) -> pa.Table:
        """Assess plain-JSON case objects; return the result table (input order)."""
        return self.finish(from_records(records, self.plan, self.context), reasons)

    def assess_arrow(
        self, batch: pa.RecordBatch | pa.Table, reasons: bool = False, text: bool = False
    ) -> pa.Table:
        """Assess an Arrow batch with one field per case key (``text``: cells are text)."""
        if isinstance(batch, pa.Table):
            batch = batch.combine_chunks().to_batches()[0] if batch.num_rows else None
            if batch is None:
                return self.assess_records([], reasons)
        return self.finish(from_arrow(batch, self.plan, self.context, text), reasons)

    def finish(self, decoded: Decoded, reasons: bool = False) -> pa.Table:
        """Evaluate a decoded batch and fill in the rows the reader refused or delegated."""
        return self.run(decoded, reasons)[0]

    def run(self, decoded: Decoded, reasons: bool = False):
        """Return the result table and the reader's error for each refused row."""
        table = evaluate(self.plan, decoded, reasons)
        rows: dict[int, dict[str, Any]] = {}
        errors: dict[int, CaseInputError] = dict(decoded.rejected)
        for row, record in decoded.delegated.items():
            try:
                result = self.per_case().assess(record)
            except CaseInputError as exc:
                errors[row] = exc
            else:
                rows[row] = flatten(result, self.options, reasons)
        for row, exc in errors.items():
            name = decoded.ids[row]
            rows[row] = {
                "case": name if isinstance(name, str) else None,
                "well_formed": False,
                "violations": json.dumps([reader_violation(exc)], ensure_ascii=False),
            }
        return (patch(table, rows) if rows else table), errors


def flatten(result: dict, options: tuple[str, ...], reasons: bool) -> dict[str, Any]:
    """Return a per-case assessment as a row of the result table."""
    row = {
        "case": result["case"],
        "well_formed": result["well_formed"],
        "violations": json.dumps(result["violations"], ensure_ascii=False),
    }
    for option in options:
        verdict = (result["options"] or {}).get(option)
        row[option] = None if verdict is None else verdict["status"]
        if reasons:
            row[f"{option}_reasons"] = None if verdict is None else reasons_text(verdict)
    return row


def reasons_text(verdict: dict) -> str:
    """Return ``failed:slug; missing:slug`` for a per-case option verdict, as the table has."""
    return "; ".join(
        f"{c['result']}:{c['id'].rstrip('/').rsplit('/', 1)[-1]}"
        for c in verdict["criteria"]
        if c["result"] != "met"
    )


def patch(table: pa.Table, rows: dict[int, dict[str, Any]]) -> pa.Table:
    """Return ``table`` with the given rows' cells replaced (columns not given become null)."""
    order = sorted(rows)
    flags = [False] * table.num_rows
    for row in order:
        flags[row] = True
    mask = pa.array(flags, pa.bool_())
    columns = {}
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        values = pa.array([rows[r].get(name) for r in order], column.type)
        columns[name] = pc.replace_with_mask(column, mask, values)
    return pa.table(columns)


def result_schema(options: tuple[str, ...], reasons: bool) -> pa.Schema:
    """Return the schema of status rows for these options."""
    fields = [("case", pa.string()), ("well_formed", pa.bool_()), ("violations", pa.string())]
    for option in options:
        fields.append((option, pa.string()))
        if reasons:
            fields.append((f"{option}_reasons", pa.string()))
    return pa.schema(fields)
