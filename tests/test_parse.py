"""Every Turtle file under ontology/, kg/ and shapes/ parses on its own."""

from rdflib import Graph

from nelmkg import paths
from nelmkg.graph.dataset import parse_file


def test_data_files_collected():
    assert len(paths.data_files()) > 0, "no .ttl files under ontology/, kg/, shapes/"


def test_ontology_file_present():
    assert paths.ontology_file().is_file(), f"missing {paths.ontology_file()}"


def test_kg_files_present():
    assert paths.kg_files(), "no kg/*.ttl files"


def test_parses(data_file):
    graph = parse_file(Graph(), data_file)
    assert len(graph) > 0, f"{paths.relative(data_file)} holds no triples"


def test_dataset_has_three_named_graphs(dataset):
    from nelmkg.graph.vocab import GRAPHS

    names = {g.identifier for g in dataset.graphs()}
    assert set(GRAPHS.values()) <= names
