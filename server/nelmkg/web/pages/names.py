"""Names for people: every resource's label, and the encoders' short names in notes as words.

The encoders' notes and explanations in the graph sometimes name resources the way Turtle does
(``cset:resection-general``, ``nelm:conflictsWith``). A reader should see the thing's label, and
for a resource with a page, a link to it: :func:`words` rewrites such names in rendered text.
:func:`label_table` holds every label of the graph plus the pages' labels for standard terms.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from markupsafe import escape

from nelmkg.graph.params import PARAM_PREFIXES
from nelmkg.web.pages.graphview import humanise, local_path, vocabulary_labels

_ALL_LABELS = """SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label
  FILTER(isIRI(?s)) } ORDER BY ?s DESC(LANGMATCHES(LANG(?label), "en"))"""
# prefix:local, for the project's prefixes only, not inside a word or a URL ("http://...").
_CURIE = re.compile(
    r"(?<![\w/#:])("
    + "|".join(sorted(map(re.escape, PARAM_PREFIXES), key=len, reverse=True))
    + r"):([A-Za-z][\w.-]*[\w])"
)


def label_table(store: ox.Store) -> dict[str, str]:
    """Return ``IRI -> label`` for every labelled IRI of the store and the standard terms."""
    found = dict(vocabulary_labels())
    for row in store.query(_ALL_LABELS):
        found.setdefault(row["s"].value, row["label"].value)
    return found


def words(html: str, labels: dict[str, str]) -> str:
    """Return ``html`` (already escaped) with each ``prefix:local`` name as its label, linked
    to its page when it has one."""

    def replace(match: re.Match) -> str:
        iri = PARAM_PREFIXES[match[1]] + match[2]
        label = str(escape(labels.get(iri) or humanise(iri)))
        path = local_path(iri)
        return f'<a href="{escape(path)}">{label}</a>' if path else label

    return _CURIE.sub(replace, html)
