"""The version, from one place: ``pyproject.toml``'s ``[project] version``.

The ontology restates it twice (``owl:versionInfo`` and ``owl:versionIRI`` =
``https://w3id.org/nelmkg/ontology/<version>``) because its readers need it there; the
package metadata restates it once installed. :func:`mismatches` lists any disagreement;
``nelmkg release`` refuses to write a release while there is one, and a test checks it.
"""

from __future__ import annotations

import tomllib
from importlib import metadata

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from nelmkg import paths

ONTOLOGY_IRI = "https://w3id.org/nelmkg/ontology"


def project_version() -> str:
    """Return the version: ``pyproject.toml`` in a checkout, else the installed metadata."""
    top = paths.checkout()
    if top is not None:
        with (top / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    return metadata.version("nelmkg")


def version_iri(version: str) -> str:
    """Return the ontology's version IRI for ``version``."""
    return f"{ONTOLOGY_IRI}/{version}"


def ontology_versions(ontology: Graph) -> tuple[str | None, str | None]:
    """Return the ontology's ``owl:versionInfo`` and ``owl:versionIRI`` (None when absent)."""
    subject = URIRef(ONTOLOGY_IRI)
    if (subject, RDF.type, OWL.Ontology) not in ontology:
        return None, None
    info = ontology.value(subject, OWL.versionInfo)
    iri = ontology.value(subject, OWL.versionIRI)
    return (str(info) if info is not None else None, str(iri) if iri is not None else None)


def mismatches(ontology: Graph, version: str | None = None) -> list[str]:
    """Return one line per place that disagrees with the project version (none: all agree)."""
    version = version or project_version()
    info, iri = ontology_versions(ontology)
    found = []
    if info != version:
        found.append(f"owl:versionInfo is {info!r}, the project version is {version!r}")
    if iri != version_iri(version):
        found.append(f"owl:versionIRI is <{iri}>, expected <{version_iri(version)}>")
    return found
