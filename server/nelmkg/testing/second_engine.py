"""A second SHACL engine: Apache Jena's SHACL (Debian package ``libapache-jena-java``).

Used to check that pySHACL's verdicts on case graphs are not an accident of one
implementation (``tests/test_cross_engine.py``). Shapes and data are written as N-Triples
into a temporary folder and Jena's command line validates them in one ``java`` process:

    java -cp <jena jars + dependencies + resource shim> shacl.shacl validate \
        --shapes shapes.nt --data data.nt

It prints the validation report as Turtle, which :func:`parse_report` reduces to
(focus node, source shape, severity) triples. One process takes ~1.5 s to start, so callers
merge many cases into one data graph rather than run Jena once per case.

Two things about the Debian package (4.5.0-2) shape the command line:

* ``-cp '/usr/share/java/*'`` does not work: that folder holds every Java package on the
  machine, among them both ``log4j-over-slf4j`` and ``slf4j-log4j12``, and SLF4J aborts. The
  class path is built from the jars the package depends on (:data:`DEPENDENCIES`).
* The package moved Jena's embedded Xerces classes to ``xerces.*`` but left their message
  bundles under ``org/apache/jena/ext/xerces/``; without them Xerces fails to build the XSD
  datatypes ("internal error" in ``XSSimpleTypeDecl.applyFacets1``). :func:`_resource_shim`
  copies the bundles to where the classes look for them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Node
from rdflib.namespace import OWL, RDF, SH

# The jars of libapache-jena-java and of the packages it depends on (unversioned names).
JENA_JARS = (
    "jena-arq jena-base jena-cmds jena-core jena-dboe-base jena-dboe-index jena-dboe-storage "
    "jena-dboe-trans-data jena-dboe-transaction jena-iri jena-rdfconnection jena-shacl "
    "jena-shex jena-tdb jena-tdb2"
).split()
DEPENDENCIES = (
    "commons-cli commons-codec commons-compress commons-csv commons-io commons-lang3 "
    "dexx.collection gson guava httpclient httpcore jackson-core jackson-databind "
    "jackson-annotations jakarta.json-api jsonld-java protobuf thrift titanium-json-ld "
    "slf4j-api slf4j-nop"
).split()
MAIN_CLASS = "shacl.shacl"
_SHADED = "org/apache/jena/ext/xerces/"

# One result of a validation report: (focus node, source shape, severity).
Result = tuple[Node, Node, Node]


class SecondEngineError(RuntimeError):
    """Jena could not run or its output could not be read."""


@dataclass(frozen=True)
class Report:
    """A validation report reduced to what two engines can be compared on."""

    conforms: bool
    results: frozenset[Result]

    def blank_shapes(self) -> set[Node]:
        """Return the source shapes that are blank nodes (not comparable across engines)."""
        return {shape for _, shape, _ in self.results if isinstance(shape, BNode)}


def jar_dir() -> Path:
    """Return the folder holding the jars (``$NELMKG_JENA_DIR`` or ``/usr/share/java``)."""
    return Path(os.environ.get("NELMKG_JENA_DIR", "/usr/share/java"))


def missing() -> str | None:
    """Return why Jena cannot run here (no java, no jars), or None when it can."""
    if shutil.which("java") is None:
        return "no `java` on PATH"
    absent = [n for n in JENA_JARS + DEPENDENCIES if not (jar_dir() / f"{n}.jar").is_file()]
    if absent:
        return f"jars missing from {jar_dir()}: {', '.join(absent)} (libapache-jena-java)"
    return None


def _resource_shim(folder: Path) -> Path:
    """Copy Xerces's message bundles from jena-core to the package name its classes use."""
    with zipfile.ZipFile(jar_dir() / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(_SHADED) and name.endswith(".properties"):
                target = folder / "xerces" / name[len(_SHADED) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


def command(shapes: Path, data: Path, shim: Path) -> list[str]:
    """Return the java command line that validates ``data`` against ``shapes``."""
    jars = [str(jar_dir() / f"{n}.jar") for n in JENA_JARS + DEPENDENCIES]
    classpath = os.pathsep.join([*jars, str(shim)])
    args = ["validate", "--shapes", str(shapes), "--data", str(data)]
    return ["java", "-cp", classpath, MAIN_CLASS, *args]


def validate(data: Graph, shapes: Graph, timeout: float = 600) -> Report:
    """Validate ``data`` against ``shapes`` with Jena; return the reduced report.

    See :func:`report_graph`, which this reduces with :func:`reduce_report`.
    """
    return reduce_report(report_graph(data, shapes, timeout))


def report_graph(data: Graph, shapes: Graph, timeout: float = 600) -> Graph:
    """Validate ``data`` against ``shapes`` with Jena; return its report graph.

    ``owl:imports`` is dropped from the shapes so Jena never fetches anything (pySHACL does
    not follow it either). Literals go to Jena as rdflib holds them: parse with
    ``rdflib.NORMALIZE_LITERALS`` off to keep an ill-typed lexical form (``"yes"^^xsd:boolean``)
    that rdflib would otherwise rewrite. Raises :class:`SecondEngineError` when Jena cannot run.
    """
    why = missing()
    if why:
        raise SecondEngineError(why)
    shapes_copy = Graph()
    for triple in shapes:
        if triple[1] != OWL.imports:
            shapes_copy.add(triple)
    with tempfile.TemporaryDirectory(prefix="nelmkg-jena-") as tmp:
        folder = Path(tmp)
        shapes_file, data_file = folder / "shapes.nt", folder / "data.nt"
        shapes_copy.serialize(shapes_file, format="nt", encoding="utf-8")
        data.serialize(data_file, format="nt", encoding="utf-8")
        shim = _resource_shim(folder / "shim")
        try:
            run = subprocess.run(
                command(shapes_file, data_file, shim),
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SecondEngineError(f"Jena could not run: {exc}") from exc
    if run.returncode != 0:
        raise SecondEngineError(f"Jena failed ({run.returncode}): {run.stderr.strip()[:2000]}")
    return read_report(run.stdout)


def read_report(text: str) -> Graph:
    """Parse a SHACL validation report printed as Turtle."""
    report = Graph()
    try:
        report.parse(data=text, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad Turtle
        raise SecondEngineError(f"unreadable report: {exc}\n{text[:2000]}") from exc
    return report


def parse_report(text: str) -> Report:
    """Reduce a SHACL validation report in Turtle to ``conforms`` and its results."""
    return reduce_report(read_report(text))


def reduce_report(report: Graph) -> Report:
    """Return ``conforms`` and the (focus, source shape, severity) set of a report graph.

    Works for any engine's report graph (pySHACL's too).
    """
    node = report.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
    if node is None:
        raise SecondEngineError("no sh:ValidationReport in the report")
    conforms = report.value(node, SH.conforms)
    results = frozenset(
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.sourceShape),
            report.value(r, SH.resultSeverity),
        )
        for r in report.objects(node, SH.result)
    )
    return Report(bool(conforms.toPython()) if conforms is not None else False, results)
