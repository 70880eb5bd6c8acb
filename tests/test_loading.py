"""Loading machinery: parse errors name file and line, query headers, refused queries."""

import pytest
from rdflib import Graph

from nelmkg.graph.dataset import LoadError, parse_file
from nelmkg.graph.queries import QueryError, load_queries, load_query, read_header


def test_parse_error_names_file_and_line(machinery):
    with pytest.raises(LoadError, match=r"bad\.ttl:3: "):
        parse_file(Graph(), machinery / "bad.ttl")


@pytest.mark.parametrize("name", ["service.rq", "broken.rq"])
def test_refused_query_names_file(machinery, name):
    with pytest.raises(QueryError, match=name):
        load_query(machinery / name)


def test_read_header():
    text = (
        "#+ summary: Claims citing a reference\n"
        "#+ params: reference, ?grade\n"
        "#+ example: reference=id:reference/22\n"
        "#+ example: reference=id:reference/23\n"
        "# an ordinary comment\n"
        "PREFIX nelm: <https://w3id.org/nelmkg/ontology#>\n"
        "#+ summary: not a header any more\n"
        "SELECT ?claim WHERE { ?claim nelm:cites ?reference }\n"
    )
    headers = read_header(text)
    assert headers["summary"] == ["Claims citing a reference"]
    assert len(headers["example"]) == 2


def test_load_query(tmp_path):
    path = tmp_path / "claims-by-reference.rq"
    path.write_text(
        "#+ summary: Claims citing a reference\n#+ params: reference ?grade\n"
        "PREFIX nelm: <https://w3id.org/nelmkg/ontology#>\n"
        "SELECT ?claim WHERE { ?claim nelm:cites ?reference }\n",
        encoding="utf-8",
    )
    query = load_query(path)
    assert (query.name, query.summary, query.params) == (
        "claims-by-reference",
        "Claims citing a reference",
        ("reference", "grade"),
    )
    assert query.form == "SelectQuery"


def test_load_queries_keys_by_stem(tmp_path):
    for name in ("b-violation", "a-violation"):
        (tmp_path / f"{name}.rq").write_text(
            f"#+ summary: {name}\nASK {{ ?s ?p ?o }}\n", encoding="utf-8"
        )
    loaded = load_queries(tmp_path)
    assert list(loaded) == ["a-violation", "b-violation"]
    assert loaded["a-violation"].form == "AskQuery"
