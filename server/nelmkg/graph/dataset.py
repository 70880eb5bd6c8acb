"""Load the ontology, the KG and the shapes once into an rdflib ``Dataset``.

Each part goes into its own named graph (see :data:`nelmkg.graph.vocab.GRAPHS`):
``https://w3id.org/nelmkg/graph/ontology``, ``.../graph/kg`` and ``.../graph/shapes``. The
default graph is their union (``Dataset(default_union=True)``), so a plain SPARQL query sees
everything and ``GRAPH <...>`` narrows it. Files are read from disk only: rdflib never follows
``owl:imports``, and SPARQL graph loading is switched off in :mod:`nelmkg`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF

from nelmkg import paths
from nelmkg.graph.vocab import GRAPHS, KEY_EXTERNAL_CLASSES, NELM, curie


class LoadError(ValueError):
    """A data file that does not parse; the message starts with ``file:line:``."""


def parse_file(graph: Graph, path: Path) -> Graph:
    """Parse Turtle ``path`` into ``graph``; raise :class:`LoadError` naming file and line.

    A file that is missing or cannot be read raises :class:`nelmkg.paths.DataFileError`.
    """
    try:
        return graph.parse(path, format="turtle")
    except OSError as exc:
        reason = exc.strerror or exc
        raise paths.DataFileError(f"{paths.relative(path)}: cannot read ({reason})") from exc
    except Exception as exc:  # rdflib raises BadSyntax, ValueError, ... depending on the fault
        where = paths.relative(path)
        line = getattr(exc, "lines", None)  # BadSyntax counts lines from 0
        if isinstance(line, int):
            where = f"{where}:{line + 1}"
        why = getattr(exc, "_why", None) or str(exc)
        raise LoadError(f"{where}: {why}") from exc


def parse_files(files: Iterable[Path], graph: Graph | None = None) -> Graph:
    """Parse every file into ``graph`` (a new ``Graph`` if none) and return it."""
    graph = Graph() if graph is None else graph
    for path in files:
        parse_file(graph, path)
    return graph


def load_dataset(base: Path | None = None) -> Dataset:
    """Read ``ontology/*.ttl``, ``kg/*.ttl`` and ``shapes/*/*.ttl`` into a new ``Dataset``.

    ``base`` is another data root (an unpacked git revision, say); the data root by default.
    """
    ds = Dataset(default_union=True)
    sources = {
        "ontology": paths.ontology_files(base),
        "kg": paths.kg_files(base),
        "shapes": paths.shape_files(base=base),
    }
    for part, files in sources.items():
        parse_files(files, ds.graph(GRAPHS[part]))
    return ds


def part(ds: Dataset, name: str) -> Graph:
    """Return the named graph ``name`` (``ontology``, ``kg`` or ``shapes``) of ``ds``."""
    return ds.graph(GRAPHS[name])


def data_graph(ds: Dataset) -> Graph:
    """Return a plain ``Graph`` holding ontology + KG: the input of QC, SHACL and HermiT."""
    graph = Graph()
    for prefix, ns in part(ds, "ontology").namespaces():
        graph.bind(prefix, ns, override=False)
    for name in ("ontology", "kg"):
        for triple in part(ds, name):
            graph.add(triple)
    return graph


def nelm_terms(ontology: Graph) -> list[URIRef]:
    """Return the ``nelm:`` classes and properties declared in ``ontology``, sorted."""
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    found = {s for k in kinds for s in ontology.subjects(RDF.type, k) if s.startswith(NELM)}
    return sorted(found)


def version(ds: Dataset) -> str | None:
    """Return the ontology's ``owl:versionInfo`` (``None`` when absent)."""
    onto = part(ds, "ontology")
    for subject in onto.subjects(RDF.type, OWL.Ontology):
        info = onto.value(subject, OWL.versionInfo)
        if info is not None:
            return str(info)
    return None


def summary(ds: Dataset) -> dict:
    """Count triples per named graph and asserted instances per class.

    Classes counted: every ``nelm:`` class that is declared or used as a type, and the key
    external classes of :data:`nelmkg.graph.vocab.KEY_EXTERNAL_CLASSES`. No inference is applied.
    """
    sizes = {name: len(part(ds, name)) for name in GRAPHS}
    typed = {(s, c) for s, _, c in ds.triples((None, RDF.type, None))}
    counts = Counter(c for _, c in typed)
    declared = set(part(ds, "ontology").subjects(RDF.type, OWL.Class))
    wanted = {c for c in declared | set(counts) if isinstance(c, URIRef) and c.startswith(NELM)}
    wanted |= {c for c in KEY_EXTERNAL_CLASSES if counts[c]}
    classes = dict(sorted((curie(str(c)), counts[c]) for c in wanted))
    return {
        "version": version(ds),
        "graphs": {**sizes, "total": sum(sizes.values())},
        "classes": classes,
    }


def format_summary(info: dict) -> str:
    """Render :func:`summary` output as a plain two-column text table."""
    rows = [("graph", "triples"), *((k, str(v)) for k, v in info["graphs"].items())]
    rows += [("", ""), ("class", "instances"), *((k, str(v)) for k, v in info["classes"].items())]
    width = max(len(a) for a, _ in rows)
    head = f"nelmkg {info['version'] or '(no owl:versionInfo)'}"
    return "\n".join([head, *(f"{a:<{width}}  {b:>9}".rstrip() for a, b in rows)])
