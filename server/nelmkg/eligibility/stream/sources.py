"""Inputs of ``nelmkg assess``, read incrementally into units of work.

A :class:`Source` is one input (a path or ``-``) with the shape its JSON output echoes
(``object``, ``array``, ``ndjson``, ``rdf``, ``table``) and an iterator of :class:`Unit`\\ s,
each a slice of at most ``size`` cases: raw NDJSON lines (parsed by the worker that assesses
them), case objects (a JSON array, read with ijson), one RDF document, or an Arrow batch (CSV
read as text, Parquet). Memory stays bounded by the unit size whatever the input's size.

A file's kind comes from its suffix (``.csv``, ``.parquet``, ``.ndjson``/``.jsonl``, the RDF
suffixes); other input is sniffed: ``[`` opens an array; a first line that is a whole JSON
object is NDJSON when more lines follow, a single case when not; anything else is read whole
and parsed as before (:func:`nelmkg.eligibility.stream.jsontext.parse_json_text`), which
names the line and column of a syntax error.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from nelmkg.cases.read import SUFFIX_TYPES
from nelmkg.eligibility.stream.jsontext import InputError, loads, parse_json_text

RDF_TYPES = {k: v for k, v in SUFFIX_TYPES.items() if k != ".json"}
NDJSON_SUFFIXES = (".ndjson", ".jsonl")
TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
UNIT_SIZE = 5000  # cases per unit of work
UNIT_BYTES = 1 << 23  # NDJSON: bytes per unit of work (about 9,000 cases of the bench)


@dataclass
class Unit:
    """A slice of one input: what a worker assesses in one go."""

    source: str
    shape: str
    kind: str  # "lines" | "records" | "rdf" | "arrow"
    payload: Any  # lines: a block of whole lines (bytes)
    numbers: list[int] = field(default_factory=list)  # lines: the first line; records: indices
    text: bool = False  # arrow: every cell is text (CSV)
    nbytes: int = 0  # input bytes the unit covers, when known (for the progress estimate)
    first_line: int = 2  # arrow: the line of the first row (CSV; Parquet has none)


@dataclass
class Source:
    """One input: its name, the shape JSON output echoes, and its units."""

    name: str
    shape: str
    units: Iterator[Unit]
    size: int | None = None  # bytes, when known (for the progress estimate)
    count: int | None = None  # cases, when known up front (Parquet)


def open_source(name: str, size: int = UNIT_SIZE) -> Source:
    """Open one input; raise :class:`InputError` when it cannot be read or sniffed."""
    if name == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:  # a text stream without bytes underneath (tests)
            stdin = io.BytesIO(sys.stdin.read().encode("utf-8"))
        return _json_source("<stdin>", stdin, size, None)
    path = Path(name)
    suffix = path.suffix.lower()
    try:
        length = path.stat().st_size
        if suffix in RDF_TYPES:
            text = path.read_text(encoding="utf-8")
            return Source(name, "rdf", iter([Unit(name, "rdf", "rdf", (text, RDF_TYPES[suffix]))]))
        if suffix == ".csv":
            return Source(name, "table", _csv_units(name, size), length)
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            rows = pq.ParquetFile(name).metadata.num_rows
            return Source(name, "table", _parquet_units(name, size), length, rows)
        stream = path.open("rb")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: not Parquet
        raise InputError(f"{name}: cannot read: {exc}") from exc
    if suffix in NDJSON_SUFFIXES:
        return Source(name, "ndjson", _line_units(name, stream, [], 0, size), length)
    return _json_source(name, stream, size, length)


def _json_source(name: str, stream: BinaryIO, size: int, length: int | None) -> Source:
    head: list[bytes] = []
    number = 0
    for raw in stream:
        number += 1
        head.append(raw)
        if raw.strip():
            break
    first = b"".join(head).lstrip(b"\xef\xbb\xbf").lstrip()
    if first.startswith(b"["):
        return Source(name, "array", _array_units(name, first, stream, size), length)
    if first.startswith(b"{"):
        try:
            case = loads(first.decode("utf-8"), name, number)
        except (InputError, UnicodeDecodeError):
            case = None
        if isinstance(case, dict):
            rest = []
            for raw in stream:
                rest.append(raw)
                if raw.strip():
                    break
            if not any(r.strip() for r in rest):
                return Source(name, "object", iter([Unit(name, "object", "records", [case], [0])]))
            ahead = [(number, first)] + [(number + i + 1, r) for i, r in enumerate(rest)]
            units = _line_units(name, stream, ahead, number + len(rest), size)
            return Source(name, "ndjson", units, length)
    text = (b"".join(head) + stream.read()).decode("utf-8", errors="replace")
    whole = parse_json_text(text, name)  # raises InputError with line and column
    units = [
        Unit(name, whole.shape, "records", whole.cases[i : i + size], list(range(i, i + size)))
        for i in range(0, len(whole.cases), size)
    ]
    if whole.shape == "ndjson":
        for unit in units:
            unit.numbers = [whole.lines[i] for i in unit.numbers]
    return Source(name, whole.shape, iter(units), length)


def _line_units(name, stream, ahead, number, size) -> Iterator[Unit]:
    """Yield blocks of whole NDJSON lines (about :data:`UNIT_BYTES`), each with its first line.

    The worker splits a block into lines; the reader only finds the last newline, so reading
    stays cheap however many workers assess.
    """
    first = ahead[0][0] if ahead else number + 1
    rest = b"".join(raw for _, raw in ahead)
    while True:
        block = stream.read(UNIT_BYTES)
        if not block:
            break
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        body, rest = block[:cut], block[cut:]
        yield Unit(name, "ndjson", "lines", body, [first], nbytes=len(body))
        first += body.count(b"\n")
    if rest:
        yield Unit(name, "ndjson", "lines", rest, [first], nbytes=len(rest))


class _Prefixed:
    """A binary stream that first returns ``prefix``, then the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self.prefix, self.stream = prefix, stream

    def read(self, n: int = -1) -> bytes:
        if n == 0:  # ijson asks for nothing first, to tell bytes from text
            return b""
        if self.prefix:
            data, self.prefix = self.prefix, b""
            return data
        return self.stream.read(n)


def _array_units(name: str, first: bytes, stream: BinaryIO, size: int) -> Iterator[Unit]:
    import ijson  # only JSON arrays need it

    cases: list = []
    index = 0
    try:
        for case in ijson.items(_Prefixed(first, stream), "item", use_float=False):
            if not isinstance(case, dict):
                raise InputError(f"{name}:1:1: expected a case object or an array of case objects")
            cases.append(case)
            if len(cases) >= size:
                yield Unit(name, "array", "records", cases, list(range(index, index + size)))
                index += size
                cases = []
    except ijson.JSONError as exc:
        raise InputError(f"{name}: invalid JSON array: {exc}".splitlines()[0]) from exc
    if cases:
        yield Unit(name, "array", "records", cases, list(range(index, index + len(cases))))


def _csv_units(name: str, size: int) -> Iterator[Unit]:
    import pyarrow as pa
    from pyarrow import csv

    try:
        header = csv.open_csv(name).schema.names
        reader = csv.open_csv(
            name,
            read_options=csv.ReadOptions(block_size=1 << 22),
            convert_options=csv.ConvertOptions(
                column_types={n: pa.string() for n in header}, strings_can_be_null=True
            ),
        )
        line = 2
        for batch in reader:
            for start in range(0, batch.num_rows, size):
                part = batch.slice(start, size)
                yield Unit(name, "table", "arrow", part, text=True, first_line=line)
                line += part.num_rows
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{name}: cannot read CSV: {exc}") from exc


def _parquet_units(name: str, size: int) -> Iterator[Unit]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        for batch in pq.ParquetFile(name).iter_batches(batch_size=size):
            yield Unit(name, "table", "arrow", batch, first_line=0)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{name}: cannot read Parquet: {exc}") from exc
