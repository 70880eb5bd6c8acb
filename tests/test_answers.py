"""The expected-answer format of competency queries (nelmkg.testing.oracle), on a tiny graph."""

import pytest
from rdflib import Graph

from nelmkg.testing.oracle import AnswerFormatError, compare

PREFIXES = """PREFIX nelm: <https://w3id.org/nelmkg/ontology#>
PREFIX ref: <https://w3id.org/nelmkg/id/reference/>
"""
NUMBERS = "SELECT ?r ?n WHERE { ?r nelm:number ?n }"
ORDERED = "SELECT ?r WHERE { ?r nelm:number ?n } ORDER BY DESC(?n)"

CASES = [
    # (query, expected answer, differences expected?)
    (NUMBERS, {"vars": ["r", "n"], "rows": [["id:reference/22", 22], ["id:reference/21", 21]]}, 0),
    (
        NUMBERS,
        {"vars": ["n", "r"], "rows": [[21.0, "id:reference/21"], [22, "id:reference/22"]]},
        0,
    ),
    (
        NUMBERS,
        {
            "vars": ["r", "n"],
            "rows": [["https://w3id.org/nelmkg/id/reference/21", 21], ["id:reference/22", 22]],
        },
        0,
    ),
    (NUMBERS, {"vars": ["r", "n"], "rows": [["id:reference/21", 21]]}, 1),  # a row too few
    (
        NUMBERS,
        {"vars": ["r", "n"], "rows": [["id:reference/21", "21"], ["id:reference/22", 22]]},
        2,
    ),
    (NUMBERS, {"vars": ["r"], "rows": [["id:reference/21"], ["id:reference/22"]]}, 1),  # vars
    (
        ORDERED,
        {"vars": ["r"], "ordered": True, "rows": [["id:reference/22"], ["id:reference/21"]]},
        0,
    ),
    (
        ORDERED,
        {"vars": ["r"], "ordered": True, "rows": [["id:reference/21"], ["id:reference/22"]]},
        1,
    ),
    (
        "SELECT ?d WHERE { ?r nelm:doi ?d }",
        {"vars": ["d"], "rows": [["https://doi.org/10.1/x"]]},
        0,
    ),
    ("SELECT ?v WHERE { ?c nelm:value ?v }", {"vars": ["v"], "rows": [[74]]}, 0),
    ("SELECT ?q WHERE { ?c nelm:quote ?q }", {"vars": ["q"], "rows": [["74% vs. 30%"]]}, 0),
    ("SELECT ?b WHERE { ?r nelm:peerReviewed ?b }", {"vars": ["b"], "rows": [[True]]}, 0),
    ("SELECT ?b WHERE { ?r nelm:peerReviewed ?b }", {"vars": ["b"], "rows": [[1]]}, 2),
    (
        "SELECT ?r ?b WHERE { ?r nelm:number ?n OPTIONAL { ?r nelm:peerReviewed ?b } }",
        {"vars": ["r", "b"], "rows": [["id:reference/21", None], ["id:reference/22", True]]},
        0,
    ),
    (NUMBERS, {"vars": ["r", "n"], "rows": [["id:reference/21", 21]] * 2}, 2),  # multiset
    ("ASK { ref:22 nelm:number 22 }", {"boolean": True}, 0),
    ("ASK { ref:22 nelm:number 23 }", {"boolean": True}, 1),
    (NUMBERS, {"boolean": True}, 1),
]


@pytest.fixture(scope="module")
def tiny(machinery):
    return Graph().parse(machinery / "answers.ttl")


@pytest.mark.parametrize(("query", "expected", "n_differences"), CASES, ids=range(len(CASES)))
def test_compare(tiny, query, expected, n_differences):
    differences = compare(expected, tiny.query(PREFIXES + query))
    assert len(differences) == n_differences, differences


def test_malformed_expected_answer(tiny):
    with pytest.raises(AnswerFormatError):
        compare({"vars": ["r"]}, tiny.query(PREFIXES + NUMBERS))
