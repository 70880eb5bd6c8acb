"""The ontology header, the documentation of every nelm: term, and no owl:imports."""

import pytest
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from nelmkg.graph.dataset import nelm_terms
from nelmkg.graph.vocab import curie

HEADER = [OWL.versionIRI, OWL.versionInfo, DCTERMS.title, DCTERMS.description, DCTERMS.license]


def test_one_ontology_header(ontology):
    headers = list(ontology.subjects(RDF.type, OWL.Ontology))
    assert len(headers) == 1, f"expected one owl:Ontology, found {headers}"


@pytest.mark.parametrize("predicate", HEADER, ids=curie)
def test_header_has(ontology, predicate):
    header = next(ontology.subjects(RDF.type, OWL.Ontology), None)
    assert header is not None, "no owl:Ontology"
    assert ontology.value(header, predicate) is not None, f"owl:Ontology lacks {predicate}"


def test_nelm_terms_collected(ontology):
    assert len(nelm_terms(ontology)) > 0, "no nelm: classes or properties declared"


def test_term_documented(ontology, nelm_term):
    missing = [p for p in (RDFS.label, SKOS.definition) if ontology.value(nelm_term, p) is None]
    assert not missing, f"{nelm_term} lacks {', '.join(p.n3() for p in missing)}"


def test_no_owl_imports(dataset):
    imports = list(dataset.triples((None, OWL.imports, None)))
    assert not imports, f"owl:imports would make tools fetch over the network: {imports}"
