"""kg/reference-readings.ttl: one documented reading per reference, in the ontology's terms.

The readings are the encoders' reading of each printed entry (title and journal), used by the
citation audit. Every reference gets one, each says so in a skos:editorialNote, designs come from
the nelm:StudyDesigns scheme (never "design not stated", which is about the review's wording),
and the file adds nothing but these three properties to references of the review.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from nelmkg import paths
from nelmkg.graph.dataset import parse_files
from nelmkg.graph.vocab import NELM

READINGS = paths.root() / "kg" / "reference-readings.ttl"
ALLOWED = {NELM.designSuggestedByTitle, NELM.populationSuggestedByTitle, SKOS.editorialNote}


def test_every_reference_has_one_documented_reading(kg):
    readings = parse_files([READINGS])
    references = set(kg.subjects(RDF.type, NELM.BibliographicReference))
    assert set(readings.subjects()) == references
    assert {p for _, p, _ in readings} <= ALLOWED
    for ref in references:
        notes = [str(n) for n in readings.objects(ref, SKOS.editorialNote)]
        number = int(kg.value(ref, NELM.referenceNumber))
        assert len(notes) == 1, ref
        assert notes[0].startswith("Encoders' reading of the printed "), ref
        assert f"of reference {number} (not outside knowledge)" in notes[0], ref


def test_designs_are_study_design_concepts(ontology: Graph):
    readings = parse_files([READINGS])
    scheme = set(ontology.subjects(SKOS.inScheme, NELM.StudyDesigns))
    designs = set(readings.objects(None, NELM.designSuggestedByTitle))
    assert designs <= scheme - {NELM.DesignNotStated}
    for ref in readings.subjects(NELM.designSuggestedByTitle, None):
        assert len(set(readings.objects(ref, NELM.designSuggestedByTitle))) == 1, ref


def test_known_readings(kg):
    """The readings the audit's known cases rest on (queries/README.md, tests/test_audit_*)."""
    ref = "https://w3id.org/nelmkg/id/reference/"
    design = {
        n: kg.value(URIRef(f"{ref}{n}"), NELM.designSuggestedByTitle)
        for n in (1, 21, 22, 23, 66, 68)
    }
    # source: the printed entries: "ENETS consensus guidelines" (1), "a systematic review" (21),
    # "a systematic review and meta-analysis" (23), "Abstract No. 105" (68); ref 22 ("Surgical
    # management of neuroendocrine tumors: treatment of localized and metastatic disease") and
    # ref 66 ("… vs radioembolization …: a multi-institutional analysis") print no design word.
    assert design == {
        1: NELM.GuidelineDocument,
        21: NELM.SystematicReview,
        22: None,
        23: NELM.MetaAnalysis,
        66: None,
        68: NELM.ConferenceAbstract,
    }
