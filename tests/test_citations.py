"""Citations as printed agree with the cito links, and uncited statements cite nothing.

``nelm:citationText`` keeps the parentheses exactly as printed ("(29,32-34)"); a range cites
every reference in it. The cito links of a statement must be exactly that set.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace

from nelmkg.graph.vocab import NELM

CITO = Namespace("http://purl.org/spar/cito/")
CITING = (CITO.cites, CITO.citesAsEvidence, CITO.citesAsAuthority, CITO.citesAsRelated)
_GROUP = re.compile(r"\(([^()]*)\)")


def printed_numbers(text: str) -> set[int]:
    """Expand every parenthesised citation group of ``text`` into reference numbers."""
    numbers: set[int] = set()
    for group in _GROUP.findall(text):
        for part in group.split(","):
            part = part.strip()
            if not part:
                continue
            low, _, high = part.partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                raise ValueError(f"not a citation group: ({group})")
            numbers.update(range(int(low), int(high or low) + 1))
    return numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [("(22)", {22}), ("(29,32-34)", {29, 32, 33, 34}), ("(24) (1) (25-27)", {1, 24, 25, 26, 27})],
)
def test_printed_numbers(text, expected):
    assert printed_numbers(text) == expected


def cited_numbers(graph: Graph, subject: URIRef) -> set[int]:
    """Return the reference numbers that ``subject`` cites through any cito property."""
    refs = {o for p in CITING for o in graph.objects(subject, p)}
    return {int(n) for r in refs for n in graph.objects(r, NELM.referenceNumber)}


def test_every_citing_statement_prints_its_citation(data):
    """A statement that cites (any cito link) has its citation as printed; the review itself
    cites its reference list and is the one exception."""
    citing = {s for p in CITING for s in data.subjects(p, None)}
    citing.discard(URIRef("https://w3id.org/nelmkg/id/review"))
    assert citing and set(data.subjects(NELM.citationText, None)) == citing


def test_citation_text_matches_cito_links(data):
    """For every statement, the printed citation set equals the cito-linked set."""
    wrong = []
    for subject, text in data.subject_objects(NELM.citationText):
        if subject == URIRef("https://w3id.org/nelmkg/id/review"):
            continue
        printed, linked = printed_numbers(str(text)), cited_numbers(data, subject)
        if printed != linked:
            wrong.append(f"{subject}: printed {sorted(printed)} but cites {sorted(linked)}")
    assert not wrong, "\n".join(sorted(wrong))


def test_uncited_statements_cite_nothing(data):
    wrong = [
        str(s)
        for s in data.subjects(NELM.uncited, None)
        if any(True for p in CITING for _ in data.objects(s, p))
    ]
    assert not wrong, wrong


def test_every_reference_is_cited_by_a_statement(data):
    """Every reference of the list supports at least one claim, criterion or recommendation."""
    cited = {o for p in CITING[1:] for o in data.objects(None, p)}
    numbers = {int(n) for r in cited for n in data.objects(r, NELM.referenceNumber)}
    assert set(range(1, 86)) - numbers == set()
