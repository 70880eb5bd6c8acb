"""The VALUES injection the differential test binds Oxigraph's parameters with.

:func:`nelmkg.testing.values.with_values` is a text transformation; these tests pin where it
puts the block (hand-written input and expected output) and that the result means what
``initBindings`` means (hand-written rows on a five-triple store).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from nelmkg.testing.values import group_start, oxigraph_bound, with_values

E = "http://example.org/"
A = {"s": URIRef(E + "a")}
BLOCK = "\n  VALUES (?s) { (<http://example.org/a>) }\n"


@pytest.mark.parametrize(
    ("query", "head", "tail"),
    [
        ("SELECT ?o WHERE { ?s ?p ?o }", "SELECT ?o WHERE {", " ?s ?p ?o }"),
        ("select ?o where{?s ?p ?o}", "select ?o where{", "?s ?p ?o}"),
        ("SELECT ?o { ?s ?p ?o }", "SELECT ?o {", " ?s ?p ?o }"),
        ("ASK { ?s ?p ?o }", "ASK {", " ?s ?p ?o }"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "DESCRIBE ?s WHERE {", " ?s ?p ?o }"),
        (
            "CONSTRUCT { ?s <urn:q> ?o } WHERE { ?s ?p ?o }",
            "CONSTRUCT { ?s <urn:q> ?o } WHERE {",
            " ?s ?p ?o }",
        ),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE {", " ?s ?p ?o }"),
        (
            "# { WHERE {\nPREFIX w: <urn:{x}>\nSELECT ?o WHERE { ?s w:where ?o }",
            "# { WHERE {\nPREFIX w: <urn:{x}>\nSELECT ?o WHERE {",
            " ?s w:where ?o }",
        ),
        (
            'SELECT ?o (CONCAT("{", ?o) AS ?where) WHERE { ?s ?p ?o }',
            'SELECT ?o (CONCAT("{", ?o) AS ?where) WHERE {',
            " ?s ?p ?o }",
        ),
        (
            "SELECT (EXISTS { ?x ?y ?z } AS ?e) WHERE { ?s ?p ?o }",
            "SELECT (EXISTS { ?x ?y ?z } AS ?e) WHERE {",
            " ?s ?p ?o }",
        ),
        (
            "SELECT ?o WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } } GROUP BY ?o",
            "SELECT ?o WHERE {",
            " { ?s ?p ?o } UNION { ?o ?p ?s } } GROUP BY ?o",
        ),
        (
            "SELECT ?o WHERE { ?s ?p '''a } WHERE {''' }",
            "SELECT ?o WHERE {",
            " ?s ?p '''a } WHERE {''' }",
        ),
    ],
    ids=[
        "select",
        "lower-case-no-space",
        "where-left-out",
        "ask",
        "describe",
        "construct-template-skipped",
        "construct-where",
        "comment-and-iri-braces",
        "string-brace-and-variable-named-where",
        "exists-in-projection",
        "union-group-by",
        "long-string",
    ],
)
def test_the_block_goes_first_in_the_where_group(query, head, tail):
    assert with_values(query, A) == head + BLOCK + tail


def test_terms_are_written_in_sparql_syntax():
    bindings = {"a": URIRef(E + "x"), "n": Literal(22), "t": Literal('say "hi"', lang="en")}
    assert with_values("SELECT * {}", bindings) == (
        "SELECT * {\n  VALUES (?a ?n ?t) { (<http://example.org/x> "
        '"22"^^<http://www.w3.org/2001/XMLSchema#integer> "say \\"hi\\""@en) }\n}'
    )


def test_no_bindings_leave_the_text_alone():
    assert with_values("SELECT * { ?s ?p ?o }", {}) == "SELECT * { ?s ?p ?o }"


@pytest.mark.parametrize("query", ["DESCRIBE <urn:x>", "CONSTRUCT { ?s ?p ?o }", "# WHERE {"])
def test_a_query_without_a_where_group_is_refused(query):
    with pytest.raises(ValueError, match="no WHERE group"):
        group_start(query)


@pytest.fixture(scope="module")
def toy() -> ox.Store:
    """Five triples: a and b each have a label; a knows b and c; c has no label."""
    store = ox.Store()
    n = ox.NamedNode
    for s, p, o in [
        (n(E + "a"), n(E + "label"), ox.Literal("A")),
        (n(E + "b"), n(E + "label"), ox.Literal("B")),
        (n(E + "a"), n(E + "knows"), n(E + "b")),
        (n(E + "a"), n(E + "knows"), n(E + "c")),
        (n(E + "b"), n(E + "knows"), n(E + "c")),
    ]:
        store.add(ox.Quad(s, p, o))
    return store


def rows(result) -> list[tuple]:
    return sorted(tuple(None if t is None else t.value for t in solution) for solution in result)


KNOWS = f"""PREFIX e: <{E}>
SELECT ?friend ?name WHERE {{
  ?who e:knows ?friend .
  OPTIONAL {{ ?friend e:label ?name }}
}}"""
COUNT = f"""PREFIX e: <{E}>
SELECT (COUNT(?friend) AS ?n) WHERE {{ ?who e:knows ?friend }}"""


@pytest.mark.parametrize(
    ("query", "bindings", "expected", "how"),
    [
        (KNOWS, {"who": URIRef(E + "a")}, [(E + "b", "B"), (E + "c", None)], "values"),
        (KNOWS, {"who": URIRef(E + "c")}, [], "values"),
        (KNOWS, {"friend": URIRef(E + "c")}, [(E + "c", None), (E + "c", None)], "substitution"),
        (COUNT, {"who": URIRef(E + "b")}, [("1",)], "values"),
        (COUNT, {"who": URIRef(E + "nobody")}, [("0",)], "values"),
    ],
    ids=["optional", "no-match", "projected", "aggregate", "aggregate-empty"],
)
def test_bound_query_answers_as_bound(toy, query, bindings, expected, how):
    result, used = oxigraph_bound(toy, query, bindings)
    assert used == how
    assert rows(result) == expected
