"""The query store: the bundled dataset and the user's files in an in-memory Oxigraph store.

The SPARQL service answers from a :class:`pyoxigraph.Store` (see
``docs/decisions/0006-store.md`` for why): ``ontology/*.ttl``, ``kg/*.ttl`` and
``shapes/*/*.ttl`` go into the named graphs ``https://w3id.org/nelmkg/graph/{ontology,kg,shapes}``
exactly as :func:`nelmkg.graph.dataset.load_dataset` reads them into rdflib, and the user's files
(``--data``) are added beside them:

- a quads file (TriG ``.trig``, N-Quads ``.nq``) keeps its graph names; its default-graph
  triples go into the file's own graph (below);
- a triples file (Turtle ``.ttl``, N-Triples ``.nt``) becomes the named graph
  ``https://w3id.org/nelmkg/graph/data/<file name>``.

The store's *default graph* is then filled with the union of every named graph (a copy made
once at start-up), so that a query without ``FROM`` sees everything while ``FROM``,
``FROM NAMED`` and the protocol's ``default-graph-uri`` / ``named-graph-uri`` still pick
named graphs by name. Files are only ever read from disk; nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from nelmkg import paths
from nelmkg.graph.vocab import GRAPH, GRAPHS

# File suffix -> (format, holds quads).
DATA_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    ".ttl": (ox.RdfFormat.TURTLE, False),
    ".nt": (ox.RdfFormat.N_TRIPLES, False),
    ".trig": (ox.RdfFormat.TRIG, True),
    ".nq": (ox.RdfFormat.N_QUADS, True),
}
USER_GRAPH_BASE = str(GRAPH) + "data/"


class StoreLoadError(ValueError):
    """A data file that cannot be loaded; the message starts with ``file:line:column:``."""


@dataclass(frozen=True)
class StoreInfo:
    """What was loaded: triples per named graph (IRI -> count) and in the default graph."""

    graphs: dict[str, int]
    default: int


def user_graph_name(path: Path) -> str:
    """Return the graph IRI a triples file (or a quads file's default graph) is loaded into."""
    return USER_GRAPH_BASE + Path(path).name


def _read(path: Path, fmt: ox.RdfFormat, base: str) -> list[ox.Quad]:
    """Parse one file completely (fresh blank nodes per file) or raise StoreLoadError."""
    try:
        return list(ox.parse(path=str(path), format=fmt, base_iri=base, rename_blank_nodes=True))
    except SyntaxError as exc:
        where = paths.relative(path)
        if exc.lineno:
            where += f":{exc.lineno}:{exc.offset or 1}"
        raise StoreLoadError(f"{where}: {exc.msg}") from exc
    except OSError as exc:
        reason = exc.strerror or exc
        raise paths.DataFileError(f"{paths.relative(path)}: cannot read ({reason})") from exc


def _into(quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """Yield ``quads`` with default-graph quads moved into ``graph``."""
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)
        else:
            yield quad


def bundled_sources() -> dict[str, list[Path]]:
    """Return the bundled files per graph IRI (the same files ``load_dataset`` reads)."""
    files = {
        "ontology": paths.ontology_files(),
        "kg": paths.kg_files(),
        "shapes": paths.shape_files(),
    }
    return {str(GRAPHS[part]): found for part, found in files.items()}


def load_store(data_files: Sequence[Path | str] = (), bundled: bool = True) -> ox.Store:
    """Return a new in-memory store with the bundled graphs, ``data_files`` and the union.

    Raises :class:`StoreLoadError` for a file that cannot be read or does not parse, holds no
    triples, has an unknown suffix, or would load into the same graph name as another user file.
    """
    store = ox.Store()
    if bundled:
        for graph, files in bundled_sources().items():
            for path in files:
                store.extend(_into(_read(path, ox.RdfFormat.TURTLE, graph), ox.NamedNode(graph)))
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
        quads = _read(path, fmt, name)
        if not quads:  # an empty file is a mistake (a failed export), not an empty graph
            raise StoreLoadError(f"{paths.relative(path)}: holds no triples (empty file?)")
        store.extend(_into(quads, ox.NamedNode(name)))
    union = [
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in store.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    ]
    store.extend(union)
    return store


def store_info(store: ox.Store) -> StoreInfo:
    """Count the triples of every named graph and of the default graph (the union)."""
    counts: dict[str, int] = {}
    default = 0
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default += 1
        else:
            key = quad.graph_name.value
            counts[key] = counts.get(key, 0) + 1
    return StoreInfo(graphs=dict(sorted(counts.items())), default=default)
