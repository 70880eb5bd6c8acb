"""The query store: the bundled dataset and the user's files in an in-memory Oxigraph store.

The SPARQL service answers from a :class:`UnionStore` (see ``docs/decisions/0006-store.md``
and ``0009-union-view.md``): ``ontology/*.ttl``, ``kg/*.ttl`` and ``shapes/*/*.ttl`` go into
the named graphs ``https://w3id.org/nelmkg/graph/{ontology,kg,shapes}`` exactly as
:func:`nelmkg.graph.dataset.load_dataset` reads them into rdflib, and the user's files
(``--data``) are added beside them, each parsed and inserted by Oxigraph itself (no Python
object per quad; fresh blank nodes per file):

- a quads file (TriG ``.trig``, N-Quads ``.nq``) keeps its graph names; its default-graph
  triples go into the file's own graph (below);
- a triples file (Turtle ``.ttl``, N-Triples ``.nt``) becomes the named graph
  ``https://w3id.org/nelmkg/graph/data/<file name>``.

The *default graph* is the union of every named graph, as a view asked for per query
(Oxigraph's ``use_default_graph_as_union``), not a copy: a query that names its own dataset
(``FROM``/``FROM NAMED``, :func:`nelmkg.graph.sparqltext.has_dataset_clause`) or is given one
by the protocol (``default-graph-uri``/``named-graph-uri``) gets exactly that dataset. Oxigraph's
view repeats a triple held by two named graphs, where the RDF merge has it once: when the
graphs share a triple (never for the bundled data; checked at load) the union is copied into
the default graph instead, as before. Files are only ever read from disk; nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from nelmkg import paths
from nelmkg.graph.sparqltext import has_dataset_clause
from nelmkg.graph.vocab import GRAPH, GRAPHS

# File suffix -> (format, holds quads).
DATA_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    ".ttl": (ox.RdfFormat.TURTLE, False),
    ".nt": (ox.RdfFormat.N_TRIPLES, False),
    ".trig": (ox.RdfFormat.TRIG, True),
    ".nq": (ox.RdfFormat.N_QUADS, True),
}
USER_GRAPH_BASE = str(GRAPH) + "data/"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# Is a triple of one of the graphs VALUES ?g also in another graph? (Every shared triple
# lies in some graph other than the largest, so the largest one is never scanned.)
SHARED = (
    "ASK {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} GRAPH ?h {{ ?s ?p ?o }} "
    "FILTER(?g != ?h) }}"
)
SHARED_ANY = "ASK { GRAPH ?g { ?s ?p ?o } GRAPH ?h { ?s ?p ?o } FILTER(?g != ?h) }"
COPY_UNION = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class StoreLoadError(ValueError):
    """A data file that cannot be loaded; the message starts with ``file:line:column:``."""


@dataclass(frozen=True)
class StoreInfo:
    """What was loaded: triples per named graph (IRI -> count) and in the default graph."""

    graphs: dict[str, int]
    default: int


class UnionStore:
    """An Oxigraph store whose default graph is the union of its named graphs.

    :meth:`query` takes the arguments of ``pyoxigraph.Store.query`` and adds the union view
    when neither the query nor the caller names a dataset; :meth:`quads_for_pattern` reads the
    default graph (``ox.DefaultGraph()``) as that union too. ``inner`` is the Oxigraph store.
    """

    def __init__(
        self, inner: ox.Store, view: bool = True, counts: dict[str, int] | None = None
    ) -> None:
        self.inner = inner
        self.view = view  # False: the union was copied into the default graph
        self.counts = counts  # triples per named graph, when counted at load (never changes)

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        default_graph: Any = None,
        named_graphs: Any = None,
        union: bool | None = None,
        **options: Any,
    ) -> Any:
        """Evaluate ``query`` (see ``pyoxigraph.Store.query``); ``union`` is the caller's
        :func:`~nelmkg.graph.sparqltext.has_dataset_clause` answer negated, when known."""
        if default_graph is not None or named_graphs is not None:
            return self.inner.query(
                query,
                base_iri=base_iri,
                default_graph=default_graph,
                named_graphs=named_graphs,
                **options,
            )
        if union is None:
            union = not has_dataset_clause(query)
        return self.inner.query(
            query, base_iri=base_iri, use_default_graph_as_union=self.view and union, **options
        )

    def quads_for_pattern(self, subject, predicate, obj, graph_name=None) -> Iterator[ox.Quad]:
        """Return the quads matching the pattern; the default graph is the union."""
        if self.view and isinstance(graph_name, ox.DefaultGraph):
            return (
                ox.Quad(q.subject, q.predicate, q.object)
                for q in self.inner.quads_for_pattern(subject, predicate, obj, None)
            )
        return self.inner.quads_for_pattern(subject, predicate, obj, graph_name)

    def named_graphs(self) -> Iterator:
        """Return the names of the named graphs."""
        return self.inner.named_graphs()

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)


def user_graph_name(path: Path) -> str:
    """Return the graph IRI a triples file (or a quads file's default graph) is loaded into."""
    return USER_GRAPH_BASE + Path(path).name


def _load(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: str, check_empty: bool) -> None:
    """Parse one file into ``store`` (its triples into ``graph``) or raise StoreLoadError."""
    try:
        # Reading the first quad costs one buffer: an empty file (a failed export) is refused
        # before Oxigraph loads it, and a quads file cannot be checked afterwards cheaply.
        if check_empty and next(iter(ox.parse(path=str(path), format=fmt)), None) is None:
            raise StoreLoadError(f"{paths.relative(path)}: holds no triples (empty file?)")
        store.load(path=str(path), format=fmt, base_iri=graph, to_graph=ox.NamedNode(graph))
    except SyntaxError as exc:
        where = paths.relative(path)
        if exc.lineno:
            where += f":{exc.lineno}:{exc.offset or 1}"
        raise StoreLoadError(f"{where}: {exc.msg}") from exc
    except OSError as exc:
        reason = exc.strerror or exc
        raise paths.DataFileError(f"{paths.relative(path)}: cannot read ({reason})") from exc


def bundled_sources() -> dict[str, list[Path]]:
    """Return the bundled files per graph IRI (the same files ``load_dataset`` reads)."""
    files = {
        "ontology": paths.ontology_files(),
        "kg": paths.kg_files(),
        "shapes": paths.shape_files(),
    }
    return {str(GRAPHS[part]): found for part, found in files.items()}


def load_store(data_files: Sequence[Path | str] = (), bundled: bool = True) -> UnionStore:
    """Return a new in-memory store with the bundled graphs, ``data_files`` and the union.

    Raises :class:`StoreLoadError` for a file that cannot be read or does not parse, holds no
    triples, has an unknown suffix, or would load into the same graph name as another user file.
    """
    store = ox.Store()
    if bundled:
        for graph, files in bundled_sources().items():
            for path in files:
                _load(store, path, ox.RdfFormat.TURTLE, graph, check_empty=False)
    seen: dict[str, Path] = {}
    for path in map(Path, data_files):
        fmt, _quads = DATA_FORMATS.get(path.suffix.lower(), (None, False))
        if fmt is None:
            known = ", ".join(DATA_FORMATS)
            raise StoreLoadError(f"{path}: unknown data file suffix (known: {known})")
        name = user_graph_name(path)
        if name in seen:
            raise StoreLoadError(f"{path}: same file name as {seen[name]} (graph {name})")
        seen[name] = path
        _load(store, path, fmt, name, check_empty=True)
    counts = graph_counts(store)  # one scan of the store, used twice
    return UnionStore(store, view=not graphs_share_triples(store, counts), counts=counts)


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Return the number of triples of every named graph (counted by Oxigraph)."""
    return {row["g"].value: int(row["n"].value) for row in store.query(COUNTS)}


def graphs_share_triples(store: ox.Store, counts: dict[str, int] | None = None) -> bool:
    """Return True (and copy the union into the default graph) if two graphs share a triple;
    ``counts`` are the store's :func:`graph_counts` when known."""
    counts = graph_counts(store) if counts is None else counts
    if len(counts) < 2:
        return False
    names = {q.value: q for q in store.named_graphs()}
    largest = max(counts, key=counts.get)
    if all(isinstance(g, ox.NamedNode) for g in names.values()):
        shared = SHARED.format(graphs=" ".join(f"<{g}>" for g in counts if g != largest))
    else:  # a blank node cannot stand in VALUES: ask about every graph
        shared = SHARED_ANY
    if not store.query(shared):
        return False
    store.update(COPY_UNION)
    return True


def store_info(store: UnionStore) -> StoreInfo:
    """Count the triples of every named graph and of the default graph (the union)."""
    counts = graph_counts(store.inner) if store.counts is None else store.counts
    named = sum(counts.values())
    # As a view the union has every triple once (the graphs share none); as a copy, count it.
    default = named if store.view else len(store.inner) - named
    return StoreInfo(graphs=dict(sorted(counts.items())), default=default)
