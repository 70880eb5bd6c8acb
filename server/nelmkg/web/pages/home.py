"""``/``: what the graph holds and where to start (JSON by default, HTML when asked for).

Counts are of the resources under ``https://w3id.org/nelmkg/id/`` per ``nelm:`` class (the page
names each class by its label), and the recommendations are listed in the review's order with
their strength as worded, each linking to its page and its evidence profile (from there the
claims, sentences and references behind it are one click away).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response

from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.graphview import ID_BASE, NELM, humanise, local_path
from nelmkg.web.pages.names import label_table
from nelmkg.web.service import current

bp = Blueprint("home", __name__)

COUNTS = f"""
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?type FILTER(STRSTARTS(STR(?s), "{ID_BASE}") && STRSTARTS(STR(?type), "{NELM}"))
}} GROUP BY ?type ORDER BY DESC(?n) ?type"""
RECOMMENDATIONS = f"""
PREFIX nelm: <{NELM}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?r ?label (SAMPLE(?s) AS ?strength) (COUNT(DISTINCT ?c) AS ?claims)
       (MIN(?order) AS ?place) (SAMPLE(?sectionLabel) AS ?section) WHERE {{
  ?r a nelm:Recommendation ; rdfs:label ?label .
  OPTIONAL {{ ?r nelm:strengthAsWorded ?s }} OPTIONAL {{ ?r nelm:supportedBy ?c }}
  OPTIONAL {{ ?r nelm:inSection ?sec . OPTIONAL {{ ?sec nelm:sectionOrder ?order }}
             OPTIONAL {{ ?sec rdfs:label ?sectionLabel }} }}
}} GROUP BY ?r ?label ORDER BY ?place ?r"""


def summary(store) -> dict:
    """Return the home page's data: counts per class and the recommendations."""
    counts = {row["type"].value[len(NELM) :]: int(row["n"].value) for row in store.query(COUNTS)}
    recs = [
        {
            "iri": row["r"].value,
            "page": local_path(row["r"].value),
            "label": row["label"].value,
            "strength": row["strength"].value if row["strength"] else None,
            "claims": int(row["claims"].value),
            "section": row["section"].value if row["section"] else None,
        }
        for row in store.query(RECOMMENDATIONS)
    ]
    return {"counts": counts, "recommendations": recs}


@bp.get("/")
def index() -> Response:
    """The home page."""
    service = current()
    fmt = kit.choose(conneg.JSON_FORMATS)
    data = summary(service.store)
    if fmt.key == "html":
        labels = service.built("label-table", lambda: label_table(service.store))
        kinds = {kind: labels.get(NELM + kind) or humanise(NELM + kind) for kind in data["counts"]}
        return kit.page("home.html", fmt, info=service.info, kinds=kinds, **data)
    return kit.data(json.dumps(data, ensure_ascii=False, indent=1), fmt)
