"""Every nelm:quote in the KG is verbatim in the review (whitespace runs count as one space).

Without the review text (a fresh clone) the tests needing it are skipped, saying how to point
to it; under CI they must run (see ``review_path`` in conftest.py).
"""

import pytest

from nelmkg.graph.checks import normalise, quote_found, quotes


def test_quotes_collected(kg):
    assert len(quotes(kg)) > 0, "no nelm:quote literals in the KG"


def test_quote_is_verbatim(quote, review_text):
    subject, text = quote
    assert quote_found(text, review_text), f"{subject}: not in the review: {normalise(text)!r}"


@pytest.mark.parametrize(
    ("snippet", "found"),
    [
        ("the majority of recurrences will occur in the liver (21,40)", True),
        ("the majority of   recurrences\nwill occur", True),
        ("the majority of recurrences will occur in the lungs", False),
        ("   ", False),
    ],
    ids=["page-break", "whitespace", "altered", "empty"],
)
def test_normalisation(review_text, snippet, found):
    assert quote_found(snippet, review_text) is found
