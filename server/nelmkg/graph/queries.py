"""Named SPARQL queries: ``.rq`` files with a ``#+`` comment header, prepared at load time.

A query file opens with comment lines such as::

    #+ summary: Claims that cite a given reference
    #+ params: reference
    #+ example: reference=https://w3id.org/nelmkg/id/reference/22

``summary`` is required by the tests; ``params`` is a comma- or space-separated list of
variable names bound through ``initBindings``: a bare name is required (calling the query
without it is an error, not every row), a name in brackets (``[outcome]``) is optional (left
unbound when absent); ``example`` may repeat. Other ``#+ key:``
lines are kept in :attr:`NamedQuery.headers`. A query that does not parse, or that uses
``SERVICE`` (the project never calls the network), raises :class:`QueryError` naming the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from nelmkg.paths import DataFileError, relative

_HEADER = re.compile(r"^#\+\s*([A-Za-z_][\w-]*)\s*:\s?(.*)$")


class QueryError(ValueError):
    """A ``.rq`` file that cannot be prepared; the message starts with the file name."""


@dataclass(frozen=True)
class NamedQuery:
    """One prepared query file and its header."""

    name: str
    path: Path
    text: str
    prepared: Query
    summary: str | None = None
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def form(self) -> str:
        """Return the query form: ``SelectQuery``, ``AskQuery``, ``ConstructQuery``, ..."""
        return self.prepared.algebra.name


def read_header(text: str) -> dict[str, list[str]]:
    """Return the ``#+ key: value`` lines at the top of ``text`` (before any query line)."""
    headers: dict[str, list[str]] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match:
            headers.setdefault(match[1].lower(), []).append(match[2].strip())
    return headers


def _uses_service(node) -> bool:
    """Return True if the algebra tree contains a SERVICE clause."""
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return any(_uses_service(child) for child in children)


def load_query(path: Path) -> NamedQuery:
    """Read, parse and prepare one ``.rq`` file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{relative(path)}: cannot read ({exc})") from exc
    try:
        prepared = prepareQuery(text)
    except Exception as exc:  # pyparsing and rdflib raise several types; all mean "broken query"
        raise QueryError(f"{path}: {exc}") from exc
    if _uses_service(prepared.algebra):
        raise QueryError(f"{path}: SERVICE is not allowed (no network access)")
    headers = read_header(text)
    tokens = [p for line in headers.get("params", []) for p in re.split(r"[,\s]+", line) if p]
    params = tuple(t.strip("[]").lstrip("?$") for t in tokens)
    required = tuple(t.lstrip("?$") for t in tokens if not (t.startswith("[") and t.endswith("]")))
    return NamedQuery(
        name=Path(path).stem,
        path=Path(path),
        text=text,
        prepared=prepared,
        summary=(headers.get("summary") or [None])[0],
        params=params,
        required=required,
        examples=tuple(headers.get("example", [])),
        headers=headers,
    )


def load_queries(folder: Path) -> dict[str, NamedQuery]:
    """Load every ``*.rq`` file directly in ``folder``, keyed by file stem, in name order.

    A folder without any query raises :class:`~nelmkg.paths.DataFileError`.
    """
    files = sorted(Path(folder).glob("*.rq"))
    if not files:
        raise DataFileError(f"{relative(folder)}: no *.rq query files")
    return {q.name: q for q in map(load_query, files)}
