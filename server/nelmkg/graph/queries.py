"""Named SPARQL queries: ``.rq`` files with a ``#+`` comment header, checked at load time.

A query file opens with comment lines such as::

    #+ summary: Claims that cite a given reference
    #+ params: reference
    #+ example: reference=https://w3id.org/nelmkg/id/reference/22

``summary`` is required by the tests; ``params`` is a comma- or space-separated list of
variable names bound through ``initBindings``: a bare name is required (calling the query
without it is an error, not every row), a name in brackets (``[outcome]``) is optional (left
unbound when absent); ``example`` may repeat. Other ``#+ key:``
lines are kept in :attr:`NamedQuery.headers`. A query that Oxigraph cannot parse, or that uses
``SERVICE`` (the project never calls the network), raises :class:`QueryError` naming the file.

Loading costs a parse by Oxigraph (tens of microseconds); rdflib's preparation of the same
text (milliseconds per query, a third of a second for the service's queries) is made only for
the callers that evaluate with rdflib (:attr:`NamedQuery.prepared`: checks, audit, tests).
What the service needs from the text — its form, where its WHERE group opens, whether it has
a ``FROM`` — is read from its tokens (:mod:`nelmkg.graph.sparqltext`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from nelmkg.graph import sparqltext
from nelmkg.paths import DataFileError, relative

_HEADER = re.compile(r"^#\+\s*([A-Za-z_][\w-]*)\s*:\s?(.*)$")


class QueryError(ValueError):
    """A ``.rq`` file that cannot be prepared; the message starts with the file name."""


@dataclass(frozen=True)
class NamedQuery:
    """One query file (checked by Oxigraph) and its header."""

    name: str
    path: Path
    text: str
    summary: str | None = None
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    headers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def form(self) -> str:
        """Return the query form: ``SelectQuery``, ``AskQuery``, ``ConstructQuery``, ..."""
        return FORMS[sparqltext.query_form(self.text)]

    @functools.cached_property
    def prepared(self) -> Any:
        """Return the query prepared by rdflib (on first use; rdflib's ``Query``)."""
        from rdflib.plugins.sparql import prepareQuery

        try:
            return prepareQuery(self.text)
        except Exception as exc:  # pyparsing and rdflib raise several types
            raise QueryError(f"{self.path}: {exc}") from exc

    @functools.cached_property
    def values_at(self) -> int | None:
        """Return where a ``VALUES`` block binding the parameters goes (None: nowhere)."""
        try:
            return sparqltext.group_start(self.text)
        except ValueError:
            return None

    @functools.cached_property
    def dataset_clause(self) -> bool:
        """Return True if the query names its own dataset (``FROM``/``FROM NAMED``)."""
        return sparqltext.has_dataset_clause(self.text)


FORMS = {
    "SELECT": "SelectQuery",
    "ASK": "AskQuery",
    "CONSTRUCT": "ConstructQuery",
    "DESCRIBE": "DescribeQuery",
}


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


def _uses_service(text: str) -> bool:
    """Return True if the query has a SERVICE clause (the keyword can mean nothing else)."""
    return any(
        kind == "name" and token.upper() == "SERVICE" for kind, token, _ in sparqltext.tokens(text)
    )


def load_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file and check it parses (by Oxigraph, on an empty store)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{relative(path)}: cannot read ({exc})") from exc
    if _uses_service(text):  # before it is run, even on nothing
        raise QueryError(f"{path}: SERVICE is not allowed (no network access)")
    try:
        ox.Store().query(text)  # parse (and run on nothing): never touches the network
    except SyntaxError as exc:
        raise QueryError(f"{path}: {exc}") from exc
    headers = read_header(text)
    tokens = [p for line in headers.get("params", []) for p in re.split(r"[,\s]+", line) if p]
    params = tuple(t.strip("[]").lstrip("?$") for t in tokens)
    required = tuple(t.lstrip("?$") for t in tokens if not (t.startswith("[") and t.endswith("]")))
    return NamedQuery(
        name=Path(path).stem,
        path=Path(path),
        text=text,
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
