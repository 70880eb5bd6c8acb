"""XSD literals as SHACL Core judges them (:mod:`nelmkg.shacl.literals`): lexical spaces, promotion.

The compiled SHACL engine's value semantics; the differential tests
(``tests/test_compiled_shacl.py``, ``tests/test_cross_engine.py``) check them against pySHACL
and Jena on real shapes.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from nelmkg.shacl.literals import compare, normalisation, numeric, well_formed

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("lexical", "datatype", "expected"),
    [
        ("12", "decimal", True),
        (" 12 ", "decimal", True),  # whiteSpace collapse
        ("12.", "decimal", True),
        (".5", "decimal", True),
        ("1e1", "decimal", False),
        ("NaN", "decimal", False),
        ("-0", "nonNegativeInteger", True),
        ("-1", "nonNegativeInteger", False),
        ("2.0", "nonNegativeInteger", False),
        ("true", "boolean", True),
        ("0", "boolean", True),
        ("yes", "boolean", False),
    ],
)
@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")
def test_well_formed_literals(lexical, datatype, expected):
    xsd = URIRef(XSD + datatype)
    with normalisation(False):
        literal = Literal(lexical, datatype=xsd)
    assert well_formed(literal, xsd) is expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (("55", "integer"), ("55.0", "decimal"), 0),
        (("55", "decimal"), ("55.0e0", "double"), 0),
        (("54.9999999", "float"), ("55", "integer"), 0),  # promoted to float: equal
        (("54.9999999", "double"), ("55", "integer"), -1),
        (("0.1", "decimal"), ("0.1", "double"), 0),  # the decimal is promoted to double
        (("54.99999999999999999999", "decimal"), ("55", "integer"), -1),  # exact
        (("NaN", "double"), ("0", "integer"), None),
        (("INF", "double"), ("1" + "0" * 400, "integer"), 0),  # promoted to double: INF
    ],
)
def test_numeric_comparison_promotes(left, right, expected):
    a, b = (numeric(Literal(v, datatype=URIRef(XSD + t))) for v, t in (left, right))
    assert compare(a, b) == expected


@pytest.mark.parametrize(
    "term",
    [
        Literal("12"),
        Literal(True),
        Literal("12", lang="en"),
        URIRef("urn:x"),
        Literal("abc", datatype=URIRef(XSD + "decimal")),
        Literal("2020-01-01", datatype=URIRef(XSD + "date")),
    ],
)
def test_not_comparable(term):
    assert numeric(term) is None
