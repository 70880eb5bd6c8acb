"""Case input bounds: which lexical forms are converted and which are refused unconverted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nelmkg.cases.bounds import MAX_DEPTH, check_tree, check_xml, json_number
from nelmkg.cases.errors import CaseInputError

# (numeral, value when accepted or None when refused) — written by hand.
NUMERALS = [
    ("52", 52),
    ("-3", -3),
    ("2.5", Decimal("2.5")),
    ("1E5", Decimal("1E5")),
    ("1e-64", Decimal("1e-64")),
    ("1E64", Decimal("1E64")),
    ("1E65", None),
    ("1e-65", None),
    ("1E1000000", None),
    ("20.000000000000000000001", Decimal("20.000000000000000000001")),
    ("9" * 64, int("9" * 64)),
    ("9" * 65, None),
    ("1" * 4301, None),
    ("0." + "0" * 62 + "1", None),
]


@pytest.mark.parametrize(("numeral", "value"), NUMERALS, ids=[n[:16] for n, _ in NUMERALS])
def test_numbers_are_checked_on_their_lexical_form(numeral, value):
    if value is None:
        with pytest.raises(CaseInputError) as caught:
            json_number(numeral)
        assert caught.value.kind == "bad-value" and caught.value.status == 422
    else:
        assert json_number(numeral) == value


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        ({"a": [[1]]}, None),
        ([[]] * 3, None),
        ("\ud800", "not-utf8"),
        ({"\udfff": 1}, "not-utf8"),
        ({"ok": "é ü 😀"}, None),
    ],
)
def test_strings_must_be_unicode(doc, kind):
    if kind is None:
        check_tree(doc)
    else:
        with pytest.raises(CaseInputError) as caught:
            check_tree(doc)
        assert caught.value.kind == kind and caught.value.status == 400


def nested(depth: int):
    doc: list = []
    for _ in range(depth - 1):
        doc = [doc]
    return doc


def test_nesting_is_capped_exactly_at_the_limit():
    check_tree(nested(MAX_DEPTH))
    with pytest.raises(CaseInputError) as caught:
        check_tree(nested(MAX_DEPTH + 1))
    assert caught.value.kind == "too-complex"


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"/>', False),
        ('<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', True),
        ('<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', True),
    ],
)
def test_doctype_is_refused(text, refused):
    if refused:
        with pytest.raises(CaseInputError) as caught:
            check_xml(text)
        assert caught.value.kind == "doctype"
    else:
        check_xml(text)
