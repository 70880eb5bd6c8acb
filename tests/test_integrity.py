"""Ontology + KG conform to the KG integrity shapes (shapes/kg/*.ttl)."""

from nelmkg import paths
from nelmkg.graph.checks import integrity


def test_kg_shapes_collected():
    assert paths.shape_files("kg"), "no shapes/kg/*.ttl files"


def test_kg_conforms_to_integrity_shapes(data, kg_shapes):
    assert len(kg_shapes) > 0, "the integrity shapes graph is empty"
    conforms, report = integrity(data, kg_shapes)
    assert conforms, report


def test_integrity_machinery(machinery):
    from nelmkg.graph.dataset import parse_files

    shapes = parse_files([machinery / "shapes.ttl"])
    good = parse_files([machinery / "consistent.ttl"])
    bad = parse_files([machinery / "inconsistent.ttl"])
    assert integrity(good, shapes)[0]
    conforms, report = integrity(bad, shapes)
    assert not conforms and "at most one type" in report
