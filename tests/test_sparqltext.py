"""``nelmkg.graph.sparqltext``: the dataset clauses and BASE a query sent to a remote store has.

Hand-written queries with the answers written beside them: FROM / FROM NAMED found (prefixed,
relative, after a comment or string that mentions them) and cut from the text, and whether the
prologue declares a BASE.
"""

from __future__ import annotations

import pytest

from nelmkg.graph.sparqltext import dataset_clauses, declares_base, query_form

EX = "http://example.org/"


@pytest.mark.parametrize(
    ("text", "default", "named", "left"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", None, None, "SELECT * WHERE { ?s ?p ?o }"),
        (f"SELECT * FROM <{EX}a> WHERE {{ ?s ?p ?o }}", [EX + "a"], [], "SELECT *   WHERE"),
        (
            f"PREFIX e: <{EX}> SELECT * FROM e:a FROM NAMED e:b WHERE {{ ?s ?p ?o }}",
            [EX + "a"],
            [EX + "b"],
            "SELECT *",
        ),
        (f"BASE <{EX}d/> SELECT * FROM <x> WHERE {{ ?s ?p ?o }}", [EX + "d/x"], [], "WHERE"),
        (
            '# FROM <http://example.org/no>\nSELECT * WHERE { ?s ?p "FROM <x>" }',
            None,
            None,
            'SELECT * WHERE { ?s ?p "FROM <x>" }',
        ),
    ],
)
def test_dataset_clauses(text, default, named, left):
    found_default, found_named, rest = dataset_clauses(text)
    assert (found_default, found_named) == (default, named)
    assert left in rest
    if default is None:
        assert rest == text  # nothing cut: a comment or string mentioning FROM is not a clause
    else:
        assert "FROM" not in rest.split("WHERE")[0]


def test_undeclared_prefix_in_from_is_an_error():
    with pytest.raises(ValueError, match="undeclared prefix"):
        dataset_clauses("SELECT * FROM e:a WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", False),
        (f"BASE <{EX}> SELECT * WHERE {{ ?s ?p ?o }}", True),
        (f"PREFIX e: <{EX}>\nbase <{EX}>\nASK {{ }}", True),
        ('# BASE <x>\nSELECT * WHERE { ?s ?p "BASE" }', False),
    ],
)
def test_declares_base(text, declared):
    assert declares_base(text) is declared


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX e: <http://e/> SELECT * { ?s ?p ?o }", "SELECT"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("ASK {}", "ASK"),
        ("DESCRIBE <http://e/x>", "DESCRIBE"),
    ],
)
def test_query_form(text, form):
    assert query_form(text) == form
