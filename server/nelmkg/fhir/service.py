"""What the FHIR side needs, built once from an Assessor: mapping, CodeSystems, cards.

:class:`FhirService` is built at start-up (``create_app``) or on the first Bundle a CLI run
sees, from the assessor's context and knowledge graph; nothing here is kept per process.
``read`` turns a parsed Bundle into a :class:`~nelmkg.fhir.reader.BundleCase` (its case carries
the provenance of each fact and the mapping report); ``assess`` assesses it with the same
assessor as plain JSON; ``read_case`` is the reader the batch reader tries first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nelmkg.cases.model import Case
from nelmkg.eligibility.assessor import Assessor
from nelmkg.fhir import is_bundle
from nelmkg.fhir.cards import CardMaker, load_cds
from nelmkg.fhir.codesystem import codesystems
from nelmkg.fhir.mapping import FhirMapping, build_mapping
from nelmkg.fhir.reader import BundleCase, read_bundle

EXAMPLES_DIR = Path(__file__).with_name("examples")
MAX_ENTRIES = 1000  # default cap on Bundle.entry (the service's setting FHIR_MAX_ENTRIES)


@dataclass(frozen=True)
class FhirService:
    """The mapping, the served documents and the card maker of one assessor."""

    assessor: Assessor
    mapping: FhirMapping
    codesystems: dict[str, dict[str, Any]]
    cds: dict[str, Any]
    cards: CardMaker
    examples: dict[str, bytes] = field(default_factory=dict)  # file name -> shipped Bundle

    @classmethod
    def build(cls, assessor: Assessor) -> FhirService:
        """Build from an assessor (its context and ontology + KG); raise on a broken table."""
        mapping = build_mapping(assessor.context, assessor.knowledge)
        table = load_cds()
        cards = CardMaker.build(assessor.knowledge, assessor.options, table)
        examples = {name: path.read_bytes() for name, path in example_files().items()}
        return cls(assessor, mapping, codesystems(mapping), table, cards, examples)

    def read(self, doc: dict, max_entries: int = MAX_ENTRIES) -> BundleCase:
        """Read a parsed Bundle as a case; raise BundleError for a data problem."""
        return read_bundle(doc, self.mapping, self.assessor.context, max_entries)

    def read_case(self, doc: Any, max_entries: int = MAX_ENTRIES) -> Case | None:
        """Return a Bundle read as a case, or None for a document that is not FHIR.

        This is the reader :func:`nelmkg.cases.read.read_batch` tries first.
        """
        return self.read(doc, max_entries).case if is_bundle(doc) else None

    def assess(
        self, doc: dict, max_entries: int = MAX_ENTRIES
    ) -> tuple[dict[str, Any], BundleCase]:
        """Return the assessment of a Bundle (with its ``mapping`` report) and the read case."""
        read = self.read(doc, max_entries)
        return self.assessor.assess(read.case), read


def example_files() -> dict[str, Path]:
    """Return the shipped example Bundles by file name (``examples/*.json``)."""
    return {p.name: p for p in sorted(EXAMPLES_DIR.glob("*.json"))}
