"""Reading cases: syntax errors with positions, JSON pre-checks, media types, input kinds."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from nelmkg.cases.context import CASE_BASE, load_context
from nelmkg.cases.errors import CaseInputError
from nelmkg.cases.read import media_type, read_case
from nelmkg.graph.vocab import NELM

TTL_HEAD = "@prefix nelm: <https://w3id.org/nelmkg/ontology#> .\n"


@pytest.fixture(scope="module")
def context():
    return load_context()


@pytest.mark.parametrize(
    "text, content_type, line, column",
    [
        ('{"id": "a",\n  "age_years": 52,,\n}', "application/json", 2, 19),
        ('{"id": "a", "age_years": NaN}', "application/json", None, None),
        ("", "application/json", 1, 1),
        (TTL_HEAD + "<a> a nelm:Patient ;\n    nelm:ageYears 52.0 ,, .\n", "text/turtle", 3, 18),
        (TTL_HEAD + '<a> a nelm:Patient ;\n  nelm:ki67Percent "12 .\n', "text/turtle", 3, 25),
        (
            '<https://x/a> <https://x/p> <https://x/o> .\n<https://x/a> <https://x/p> "x .\n',
            "application/n-triples",
            2,
            None,
        ),
        (
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            "<rdf:Description>\n</rdf:RDF>\n",
            "application/rdf+xml",
            4,
            3,
        ),
    ],
)
def test_syntax_errors_carry_line_and_column(context, text, content_type, line, column):
    # Positions are 1-based and are where the parser reports the fault (rdflib's Turtle parser
    # points at the start of the construct it could not finish).
    with pytest.raises(CaseInputError) as caught:
        read_case(text, context, content_type)
    error = caught.value
    assert (error.kind, error.status, error.line, error.column) == ("syntax", 400, line, column)


@pytest.mark.parametrize(
    "doc, kind, key",
    [
        ({"age": 52}, "unknown-key", "age"),
        ({"Age_Years": 52}, "unknown-key", "Age_Years"),
        ({"age_years": "52"}, "bad-value", "age_years"),
        ({"age_years": True}, "bad-value", "age_years"),
        ({"age_years": [52]}, "bad-value", "age_years"),
        ({"age_years": {"@value": 52}}, "bad-value", "age_years"),
        ({"ki67_pct": float("nan")}, "bad-value", "ki67_pct"),
        ({"liver_lesion_count": 2.5}, "bad-value", "liver_lesion_count"),
        ({"liver_lesion_count": 3.0}, "bad-value", "liver_lesion_count"),
        ({"bilobar": 1}, "bad-value", "bilobar"),
        ({"bilobar": "true"}, "bad-value", "bilobar"),
        ({"who_grade": 3}, "bad-value", "who_grade"),
        ({"id": 7}, "bad-value", "id"),
        ({"id": "a/b"}, "bad-value", "id"),
        ({"id": ".."}, "bad-value", "id"),
    ],
)
def test_plain_json_pre_checks_name_key_and_value(context, doc, kind, key):
    with pytest.raises(CaseInputError) as caught:
        read_case({"id": "x", **doc}, context)
    assert (caught.value.kind, caught.value.key, caught.value.status) == (kind, key, 422)
    assert key in caught.value.message


def test_string_for_number_in_json_text(context):
    with pytest.raises(CaseInputError) as caught:
        read_case('{"ki67_pct": "12"}', context)
    assert caught.value.as_dict() == {
        "kind": "bad-value",
        "key": "ki67_pct",
        "value": "12",
        "message": 'ki67_pct must be a number, not "12"',
    }


@pytest.mark.parametrize(
    "content_type, expected",
    [
        (None, "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("Text/Turtle", "text/turtle"),
    ],
)
def test_media_type(content_type, expected):
    assert media_type(content_type) == expected


def test_unknown_media_type_is_refused(context):
    with pytest.raises(CaseInputError) as caught:
        read_case("age_years,52", context, "text/csv")
    assert (caught.value.kind, caught.value.status) == ("media-type", 415)


def test_every_input_kind_gives_the_same_graph(context):
    doc = {"id": "same", "age_years": 52, "who_grade": "G2", "bilobar": True}
    text = json.dumps(doc)
    graphs = [
        read_case(doc, context).graph,
        read_case(text, context).graph,
        read_case(text.encode(), context, "application/json; charset=utf-8").graph,
        read_case("\ufeff" + text, context).graph,
    ]
    ttl = (
        TTL_HEAD + "<same> a nelm:Patient ; nelm:ageYears 52.0 ; nelm:whoGrade nelm:GradeG2 ;"
        " nelm:bilobar true ."
    )
    graphs.append(read_case(ttl, context, "text/turtle").graph)
    given = read_case(graphs[0], context)
    assert given.graph is graphs[0] and given.id == "same"
    assert all(isomorphic(graphs[0], g) for g in graphs[1:3])
    assert {str(o) for o in graphs[4].objects(None, NELM.ageYears)} == {"52.0"}


def test_case_ids(context):
    assert read_case({"ki67_pct": 3}, context).id is None
    ttl = TTL_HEAD + "<https://example.org/p/9> a nelm:Patient ."
    assert read_case(ttl, context, "text/turtle").id == "https://example.org/p/9"
    ttl = TTL_HEAD + "<abc> a nelm:Patient ."
    assert read_case(ttl, context, "text/turtle").node == URIRef(CASE_BASE + "abc")


@pytest.mark.parametrize("source", ["[]", "42", '"text"', "null"])
def test_json_that_is_not_a_case(context, source):
    with pytest.raises(CaseInputError) as caught:
        read_case(source, context)
    assert caught.value.kind == "not-a-case"


def test_rdfxml_external_entities_are_not_read(context, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY s SYSTEM "{secret.as_uri()}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:nelm="https://w3id.org/nelmkg/ontology#">\n'
        '<nelm:Patient rdf:about="x"><nelm:ageYears>&s;</nelm:ageYears></nelm:Patient>'
        "</rdf:RDF>"
    )
    try:
        graph = read_case(xml, context, "application/rdf+xml").graph
    except CaseInputError:
        return  # refusing the document is fine too
    assert "TOP-SECRET" not in graph.serialize(format="nt")


def test_other_types_are_a_programming_error(context):
    with pytest.raises(TypeError):
        read_case(3.5, context)
    assert isinstance(
        read_case(
            Graph().parse(data=TTL_HEAD + "[] a nelm:Patient .", format="turtle"), context
        ).node,
        object,
    )
