"""``nelmkg assess FILE... | -``: assess patient cases from files or standard input, streaming.

Each input holds one case (a JSON object), a JSON array of cases, NDJSON (one JSON case per
line), CSV (a header of case keys, one case per row) or Parquet (one column per case key); a
FHIR R4 Bundle (told by its ``resourceType``) is a case too, alone, in an array or in NDJSON, its
assessment then carrying a ``mapping`` report; ``.ttl``, ``.nt``, ``.rdf``/``.owl``/``.xml``
and ``.jsonld`` files are read as RDF (Turtle, N-Triples, RDF/XML, JSON-LD) holding one case.
``-`` reads JSON or NDJSON from stdin.

Output (``--format``, else from the suffix of ``-o FILE``, else ``table``): ``table`` shows each
option's status and why; ``json`` (also ``--json``) gives the full assessments, shaped like the
input (an object for an object, an array for an array, NDJSON for NDJSON; with several inputs
NDJSON when all are NDJSON, else one array). ``ndjson``, ``csv`` and ``parquet`` give one status
row per case: case, well_formed, violations, one status column per option (``--reasons`` adds
the criteria not met). Inputs are read and outputs written incrementally; ``--jobs N`` assesses
in N processes, keeping the input order.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from nelmkg.eligibility.stream.jsontext import InputError
from nelmkg.eligibility.stream.sources import Source, open_source
from nelmkg.eligibility.stream.tables import format_table  # noqa: F401  (the table text, re-exported)
from nelmkg.eligibility.stream.work import EXPLAINED_FORMATS, STATUS_FORMATS, Settings

EXIT_OK, EXIT_MALFORMED, EXIT_INPUT = 0, 1, 2
EXIT_CODES = """\
exit status:
  0  every case is well-formed and was assessed
  1  at least one case is malformed (its violations are shown; the others are assessed)
  2  usage error, unreadable file or unparseable input (file:line:column on stderr)
"""
FORMATS = EXPLAINED_FORMATS + STATUS_FORMATS
SUFFIX_FORMATS = {
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".csv": "csv",
    ".parquet": "parquet",
    ".txt": "table",
}
PROGRESS_FROM = 20  # more cases than this, on a terminal: a progress bar on stderr
ENGINES = ("auto", "columnar", "per-case")


# A reader of another case format for this command: built from the run's per-case assessor,
# it returns a document's assessment, or None for a document that is not its format (the FHIR
# room adds Bundles this way, nelmkg.fhir.cli).
ReaderFactory = Callable[[Any], Callable[[Any], dict | None]]


def add_parser(sub: argparse._SubParsersAction, readers: Sequence[ReaderFactory] = ()) -> None:
    """Register the ``assess`` subcommand (``readers``: other case formats it also reads)."""
    cmd = sub.add_parser(
        "assess",
        help="assess patient cases (JSON, NDJSON, CSV, Parquet or RDF) against every option",
        description=__doc__.split("\n\n", 1)[1],
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("files", nargs="+", metavar="FILE", help="case file, or - for stdin")
    cmd.add_argument("--json", action="store_true", help="the same as --format json")
    cmd.add_argument("--format", choices=FORMATS, help="output format (default: table)")
    cmd.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    cmd.add_argument(
        "--reasons", action="store_true", help="status formats: add <option>_reasons columns"
    )
    cmd.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (1)")
    cmd.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="status formats: columnar (auto) or per-case; table and json are per case",
    )
    cmd.set_defaults(func=functools.partial(run, readers=tuple(readers)))


def output_format(args: argparse.Namespace) -> str:
    """Return the output format from --format, --json or the suffix of -o."""
    if args.format:
        return args.format
    if args.json:
        return "json"
    if args.output:
        return SUFFIX_FORMATS.get(Path(args.output).suffix.lower(), "table")
    return "table"


def _json_shape(sources: list[Source]) -> str:
    shapes = {s.shape for s in sources}
    if len(sources) == 1 and sources[0].shape in ("object", "rdf"):
        return "object"
    return "ndjson" if shapes == {"ndjson"} else "array"


def run(args: argparse.Namespace, readers: Sequence[ReaderFactory] = ()) -> int:
    """Assess every case of every input; write the output; return the exit status."""
    if args.files.count("-") > 1:
        print("error: - (stdin) may be given only once", file=sys.stderr)
        return EXIT_INPUT
    if args.jobs < 1:
        print("error: --jobs needs a number of at least 1", file=sys.stderr)
        return EXIT_INPUT
    fmt = output_format(args)
    if fmt == "parquet" and not args.output and sys.stdout.isatty():
        print("error: Parquet output needs -o FILE (or a pipe)", file=sys.stderr)
        return EXIT_INPUT
    try:
        sources = [open_source(name) for name in args.files]
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    settings = Settings(fmt, "per-case" if args.engine == "per-case" else "columnar")
    settings.reasons = args.reasons
    settings.readers = tuple(readers)
    settings.shape = _json_shape(sources)
    if fmt in STATUS_FORMATS:
        from nelmkg.eligibility.columnar.engine import BatchAssessor

        settings.batch = BatchAssessor.from_repository()
    from nelmkg.eligibility.stream.writers import open_writer

    with open_writer(fmt, settings, args.output) as writer:
        return _stream(sources, settings, writer, args.jobs)


def _units(sources: list[Source], failures: list[str]):
    """Yield every source's units; a source that breaks off is reported and skipped."""
    for source in sources:
        try:
            yield from source.units
        except InputError as exc:
            failures.append(str(exc))
            print(f"error: {exc}", file=sys.stderr)


def _stream(sources: list[Source], settings: Settings, writer, jobs: int) -> int:
    from nelmkg.eligibility.stream.jobs import assess_units

    failures: list[str] = []
    malformed = seen = read = 0
    known = all(s.count is not None for s in sources)
    size = sum(s.size or 0 for s in sources) if all(s.size for s in sources) else 0
    with _progress(sum(s.count or 0 for s in sources) if known else None) as bar:
        for done in assess_units(_units(sources, failures), settings, jobs):
            for error in done.errors:
                print(f"error: {error}", file=sys.stderr)
            failures += done.errors
            malformed += done.malformed
            writer.write(done.output)
            seen += done.count
            read += done.nbytes
            if not known and size and read:  # estimate the total from the bytes read so far
                bar.total = max(seen, round(seen * size / read))
            bar.update(done.count)
        bar.total = seen  # exact at the end: "n/n"
        bar.refresh()
    if failures:
        return EXIT_INPUT
    return EXIT_MALFORMED if malformed else EXIT_OK


def _progress(total: int | None) -> tqdm:
    """Return a progress bar on stderr (cases, rate, ETA), only on a terminal."""
    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
    show = sys.stderr.isatty()
    return tqdm(total=total, file=sys.stderr, unit="case", leave=False, disable=not show)
