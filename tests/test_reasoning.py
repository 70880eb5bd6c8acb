"""HermiT finds ontology + KG consistent, with every named class satisfiable."""

import pytest

from nelmkg.graph.dataset import parse_files
from nelmkg.graph.reasoning import (
    ReasonerError,
    check_consistency,
    explain_inconsistency,
    non_owl2_datatypes,
)


@pytest.fixture(scope="module")
def hermit(data):
    """One HermiT run over the repository's ontology + KG, shared by this module's tests."""
    return check_consistency(data)


def test_literals_use_owl2_datatypes(data):
    # HermiT refuses literals outside the OWL 2 datatype map (xsd:date, xsd:gYear, ...).
    odd = non_owl2_datatypes(data)
    assert not odd, "\n".join(f"{s} {p} {o!r}" for s, p, o in odd[:20])


@pytest.mark.reasoner
def test_consistent(hermit):
    assert hermit.consistent, f"{hermit.message}; `nelmkg check --explain` localises the clash"


@pytest.mark.reasoner
def test_no_unsatisfiable_classes(hermit):
    assert not hermit.unsatisfiable, hermit.unsatisfiable


@pytest.mark.reasoner
@pytest.mark.parametrize(
    ("name", "consistent", "unsatisfiable"),
    [
        ("consistent.ttl", True, []),
        ("unsatisfiable.ttl", True, ["https://w3id.org/nelmkg/ontology#Both"]),
        ("inconsistent.ttl", False, []),
    ],
)
def test_reasoner_machinery(machinery, name, consistent, unsatisfiable):
    result = check_consistency(parse_files([machinery / name]))
    assert (result.consistent, result.unsatisfiable) == (consistent, unsatisfiable)


@pytest.mark.reasoner
def test_explain_inconsistency(machinery):
    ontology = parse_files([machinery / "consistent.ttl"])
    parts = {"ok.ttl": ontology, "clash-kg.ttl": parse_files([machinery / "clash-kg.ttl"])}
    lines = explain_inconsistency(ontology, parts)
    assert lines[0].endswith(": clash-kg.ttl")
    assert lines[1].endswith("clash-kg.ttl: https://w3id.org/nelmkg/id/thing/2")
    assert len(lines) == 2  # neither type clashes on its own


@pytest.mark.reasoner
def test_datatype_outside_owl2_map(machinery):
    graph = parse_files([machinery / "datatypes.ttl"])
    assert [str(p) for _, p, _ in non_owl2_datatypes(graph)] == [
        "https://w3id.org/nelmkg/ontology#published"
    ]
    with pytest.raises(ReasonerError, match="UnsupportedDatatypeException"):
        check_consistency(graph)
