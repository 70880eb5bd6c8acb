"""The review's own caveats about its evidence and its calls for research, and what they bear on.

Read by ``queries/pages/profile-caveats.rq``: every ``nelm:EvidenceCaveat`` (a claim in which the
review qualifies its evidence: "no randomized controlled trials …", "few studies …") and every
``nelm:ResearchNeed`` ("additional research is needed …"), with each recommendation it bears on
and how, as the KG links them (``nelm:qualifies``, ``nelm:supportedBy``, through a supporting
claim, a criteria set or the Figure 3 pathway). Nothing is linked by topic words here, and
nothing is rated: the pages quote the review's words beside the recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from nelmkg.web.pages.graphview import local_path

# How an item bears on a recommendation (the query's ?how), in the order the pages list them.
HOW = ("qualifies", "supports", "claim", "criteria", "pathway")


@dataclass
class Bearing:
    """Every caveat and research need (in the review's order), and those bearing on each
    recommendation."""

    items: list[dict] = field(default_factory=list)
    by_recommendation: dict[str, list[dict]] = field(default_factory=dict)

    def on(self, recommendation: str) -> list[dict]:
        """Return the items bearing on ``recommendation``: caveats first, then research needs."""
        found = self.by_recommendation.get(recommendation, [])
        return sorted(found, key=lambda i: (i["kind"] != "caveat", i["order"]))

    def of_kind(self, kind: str) -> list[dict]:
        """Return the items of one kind (``caveat`` or ``need``), in the review's order."""
        return [i for i in self.items if i["kind"] == kind]


def _item(row: dict, order: int, words: dict) -> dict:
    return {
        "item": row["item"],
        "page": local_path(row["item"]),
        "kind": row["kind"],
        "kind_title": words["kinds"][row["kind"]],
        "label": row["label"],
        "quote": row["quote"],
        "question": row["question"],
        "section": row["sectionLabel"],
        "order": order,
        "recommendations": [],
    }


def group(rows: Iterable[dict], words: dict) -> Bearing:
    """Return the query's rows grouped by item, and by recommendation with the ways each bears
    on it (``{"how", "text", "via", "via_label", "via_page"}``, one per link the KG holds).

    ``words`` is ``profile.toml``'s ``[caveats]`` table (titles of the kinds, words for ``how``).
    """
    bearing = Bearing()
    items: dict[str, dict] = {}
    ways: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        item = items.get(row["item"])
        if item is None:
            item = items[row["item"]] = _item(row, len(items), words)
            bearing.items.append(item)
        rec = row["recommendation"]
        if rec is None:
            continue
        if (rec, row["item"]) not in ways:
            item["recommendations"].append(rec)
            ways[(rec, row["item"])] = []
            shown = {k: v for k, v in item.items() if k != "recommendations"}
            shown["ways"] = ways[(rec, row["item"])]
            bearing.by_recommendation.setdefault(rec, []).append(shown)
        way = {
            "how": row["how"],
            "text": words["how"][row["how"]],
            "via": row["via"],
            "via_label": row["viaLabel"],
            "via_page": local_path(row["via"]) if row["via"] else None,
        }
        if way not in ways[(rec, row["item"])]:
            ways[(rec, row["item"])].append(way)
    for found in ways.values():
        found.sort(key=lambda w: (HOW.index(w["how"]), w["via_label"] or ""))
    return bearing
