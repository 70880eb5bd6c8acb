"""Consistency check with HermiT, the reasoner that owlready2 ships (needs ``java``).

Ontology + KG are written as RDF/XML (without ``owl:imports``) into a temporary folder, and
HermiT's command line is run on that file with ``-U``: it checks consistency and lists the
classes equivalent to ``owl:Nothing``. We call the jar directly rather than
``owlready2.sync_reasoner``, which always classifies object and data properties and instances
too (``-c -O -D -I``): five times slower here for an answer we do not use (see
docs/decisions/0001). Each run is a fresh process with its own file, so runs share nothing and
nothing is fetched. HermiT only accepts literals whose datatypes are in the OWL 2 datatype map
(no ``xsd:date``, no ``xsd:gYear`` outside annotations); :func:`non_owl2_datatypes` finds them.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import owlready2
import owlready2.reasoning
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

_XSD_IN_OWL2 = (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
    "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte double float "
    "string normalizedString token language Name NCName NMTOKEN boolean hexBinary "
    "base64Binary anyURI dateTime dateTimeStamp"
).split()
OWL2_DATATYPES = frozenset(
    [XSD[t] for t in _XSD_IN_OWL2]
    + [OWL.real, OWL.rational, RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal]
)
# Annotations are outside HermiT's logic, so their literals may use any datatype.
_BUILTIN_ANNOTATIONS = frozenset(
    [RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.deprecated]
    + [OWL.priorVersion, OWL.backwardCompatibleWith, OWL.incompatibleWith]
)


class ReasonerError(RuntimeError):
    """HermiT could not run (no java, unsupported input, ...): neither consistent nor not."""


@dataclass(frozen=True)
class ReasonerResult:
    """Outcome of one HermiT run."""

    consistent: bool
    unsatisfiable: list[str]
    message: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the ontology is consistent and every named class is satisfiable."""
        return self.consistent and not self.unsatisfiable


def non_owl2_datatypes(graph: Graph) -> list[tuple[URIRef, URIRef, Literal]]:
    """Return the non-annotation triples whose literal is outside the OWL 2 datatype map."""
    annotations = _BUILTIN_ANNOTATIONS | set(graph.subjects(RDF.type, OWL.AnnotationProperty))
    return sorted(
        (s, p, o)
        for s, p, o in graph
        if isinstance(o, Literal)
        and o.datatype is not None
        and o.datatype not in OWL2_DATATYPES
        and p not in annotations
    )


def _hermit_command(source: Path) -> list[str]:
    """Return the java command line that runs owlready2's HermiT on ``source``."""
    jars = Path(owlready2.__file__).parent / "hermit"
    classpath = os.pathsep.join([str(jars), str(jars / "HermiT.jar")])
    memory = f"-Xmx{owlready2.reasoning.JAVA_MEMORY}M"
    main = "org.semanticweb.HermiT.cli.CommandLine"
    return [owlready2.JAVA_EXE, memory, "-cp", classpath, main, "-U", "-N", source.as_uri()]


def check_consistency(graph: Graph, timeout: float = 900) -> ReasonerResult:
    """Run HermiT over ``graph`` (ontology + KG); report consistency and unsatisfiable classes.

    Raises :class:`ReasonerError` when HermiT cannot run or fails for another reason.
    """
    copy = Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nelmkg-hermit-") as tmp:
        source = Path(tmp) / "nelmkg.owl"
        copy.serialize(source, format="xml")
        try:
            run = subprocess.run(
                _hermit_command(source),
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReasonerError(f"HermiT could not run: {exc}") from exc
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        if "InconsistentOntologyException" in run.stderr:
            return ReasonerResult(False, [], "inconsistent", seconds)
        raise ReasonerError(f"HermiT failed ({run.returncode}): {run.stderr.strip()[:2000]}")
    # Output: "Classes equivalent to '<owl:Nothing IRI>':" then one tab-indented IRI per line.
    lines = [line.strip() for line in run.stdout.splitlines() if line.startswith("\t")]
    unsat = sorted(iri for iri in lines if iri != str(OWL.Nothing))
    message = "consistent" if not unsat else f"{len(unsat)} unsatisfiable class(es)"
    return ReasonerResult(True, unsat, message, seconds)


def _consistent(*graphs: Graph) -> bool:
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return check_consistency(merged).consistent


def _bisect_subjects(ontology: Graph, part: Graph) -> list[URIRef]:
    """Halve the IRI subjects of ``part`` while one half stays inconsistent with ``ontology``.

    Each subject brings its concise bounded description (its blank nodes come along).
    """
    subjects = sorted({s for s in part.subjects() if isinstance(s, URIRef)})
    while len(subjects) > 1:
        half = len(subjects) // 2
        for chunk in (subjects[:half], subjects[half:]):
            piece = Graph()
            for subject in chunk:
                for triple in part.cbd(subject):
                    piece.add(triple)
            if not _consistent(ontology, piece):
                subjects = chunk
                break
        else:
            break  # the clash needs subjects from both halves
    return subjects


def explain_inconsistency(ontology: Graph, parts: dict[str, Graph]) -> list[str]:
    """Localise an inconsistency: the ontology alone, else each part with it, then its subjects.

    One HermiT run per part, then a bisection of the first culprit's subjects and a test of
    each triple of the last subject left: slow (seconds per run), meant for
    ``nelmkg check --explain``.
    """
    if not _consistent(ontology):
        return ["the ontology alone is inconsistent"]
    culprits = [name for name, graph in parts.items() if not _consistent(ontology, graph)]
    if not culprits:
        return ["no single file clashes with the ontology: the clash spans several files"]
    lines = [f"inconsistent with the ontology alone: {', '.join(culprits)}"]
    subjects = _bisect_subjects(ontology, parts[culprits[0]])
    lines.append(f"smallest clash in {culprits[0]}: {', '.join(map(str, subjects[:10]))}")
    if len(subjects) == 1:
        clashes = _lone(ontology, parts[culprits[0]], subjects[0])
        lines += [f"    clashes on its own: {p.n3()} {o.n3()}" for _, p, o in clashes]
    return lines


def _lone(ontology: Graph, part: Graph, subject: URIRef, limit: int = 40) -> list[tuple]:
    """Return the triples about ``subject`` that clash with ``ontology`` on their own."""
    triples = sorted(part.triples((subject, None, None)))[:limit]
    return [t for t in triples if not _consistent(ontology, Graph().add(t))]
