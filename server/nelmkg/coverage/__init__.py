"""Coverage of the review by the knowledge graph (``nelmkg coverage``, docs/coverage.md).

:mod:`~nelmkg.coverage.text` splits the review's text extraction into sentences and other
units; :mod:`~nelmkg.coverage.report` places every ``nelm:quote`` in its sentence and finds the
substantive sentences nothing quotes; :mod:`~nelmkg.coverage.cli` is the command.
"""

from nelmkg.coverage.report import (
    Coverage,
    Exclusion,
    citation_after,
    load_exclusions,
    load_signals,
    measure,
    signals_of,
)
from nelmkg.coverage.text import Unit, split_review

__all__ = [
    "Coverage",
    "Exclusion",
    "Unit",
    "citation_after",
    "load_exclusions",
    "load_signals",
    "measure",
    "signals_of",
    "split_review",
]
