"""Where the data folders live: the one module that knows the repository layout.

The repository root is the folder two levels above this package (``server/nelmkg`` ->
repo root), unless the environment variable ``NELMKG_ROOT`` names another one. The review
text sits in ``shared/review/`` beside the checkout unless ``NELMKG_REVIEW`` names the file.
Every function reads the environment when called, so nothing is frozen at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REVIEW_NAME = "nelm-review-cloyd-2020.txt"
SHAPE_KINDS = ("kg", "case", "eligibility")


def root() -> Path:
    """Return the repository root (``$NELMKG_ROOT`` or the checkout holding this package)."""
    env = os.environ.get("NELMKG_ROOT")
    return Path(env).resolve() if env else PACKAGE_DIR.parents[1]


def ontology_file() -> Path:
    """Return the path of the hand-edited OWL ontology, ``ontology/nelm.ttl``."""
    return root() / "ontology" / "nelm.ttl"


def ontology_files() -> list[Path]:
    """Return every Turtle file of the ontology graph (``ontology/*.ttl``), sorted."""
    return sorted((root() / "ontology").glob("*.ttl"))


def kg_files() -> list[Path]:
    """Return every Turtle file of the knowledge graph (``kg/*.ttl``), sorted."""
    return sorted((root() / "kg").glob("*.ttl"))


def shape_files(*kinds: str) -> list[Path]:
    """Return the SHACL files of the given kinds (``shapes/<kind>/*.ttl``); all kinds if none.

    Kinds are ``kg`` (integrity of the KG), ``case`` and ``eligibility``.
    """
    base = root() / "shapes"
    return sorted(p for kind in kinds or SHAPE_KINDS for p in (base / kind).glob("*.ttl"))


def options_file() -> Path:
    """Return the edited source of the treatment options (``shapes/options.ttl``).

    Not a shapes file itself: ``nelmkg build shapes`` generates ``shapes/eligibility/`` from it
    and the KG's criteria.
    """
    return root() / "shapes" / "options.ttl"


def case_context_file() -> Path:
    """Return the JSON-LD context of the plain-JSON case format (``ontology/context/``)."""
    return root() / "ontology" / "context" / "case-v1.jsonld"


def data_files() -> list[Path]:
    """Return every Turtle file under ``ontology/``, ``kg/`` and ``shapes/`` (recursively)."""
    return sorted(p for d in ("ontology", "kg", "shapes") for p in (root() / d).rglob("*.ttl"))


def queries_dir(kind: str | None = None) -> Path:
    """Return ``queries/`` or one of its sub-folders (``qc``, ``competency``, ``evidence``)."""
    base = root() / "queries"
    return base / kind if kind else base


def qc_files() -> list[Path]:
    """Return the QC queries that must return no rows (``queries/qc/*-violation.rq``)."""
    return sorted(queries_dir("qc").glob("*-violation.rq"))


def competency_files() -> list[Path]:
    """Return the competency queries (``queries/competency/*.rq``)."""
    return sorted(queries_dir("competency").glob("*.rq"))


def query_files() -> list[Path]:
    """Return every ``.rq`` file under ``queries/`` (recursively)."""
    return sorted(queries_dir().rglob("*.rq"))


def review_file() -> Path:
    """Return the review's plain text (``$NELMKG_REVIEW`` or ``../shared/review/`` of root)."""
    env = os.environ.get("NELMKG_REVIEW")
    return Path(env).resolve() if env else root().parent / "shared" / "review" / REVIEW_NAME


def coverage_exclusions_file() -> Path:
    """Return the list of review sentences deliberately not encoded (``nelmkg coverage``)."""
    return root() / "kg" / "coverage-exclusions.toml"


def release_dir() -> Path:
    """Return the default output folder of ``nelmkg release``."""
    return root() / "dist" / "release"


def relative(path: Path) -> str:
    """Return ``path`` relative to the repository root when inside it (for messages)."""
    try:
        return str(Path(path).resolve().relative_to(root()))
    except ValueError:
        return str(path)
