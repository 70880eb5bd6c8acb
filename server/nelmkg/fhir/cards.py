"""CDS Hooks 1.0 cards from an assessment: one card per treatment option.

Each card's ``summary`` is the option's title and its status (under 140 characters), its
``indicator`` comes from ``cds.toml``, its ``detail`` (GitHub-flavoured Markdown, no HTML)
lists the criteria not met, left undecided, missing (and, for an eligible option, met) with
the case's values, the review's quotes and reference numbers, and its ``source`` is the
review with a link to the option's criteria-set page. ``links`` go to each criterion's page.
Cards hold eligibility findings only: data problems are never put in a card (they are an
OperationOutcome, :mod:`nelmkg.fhir.outcome`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDFS

from nelmkg.eligibility.options import Option
from nelmkg.graph.vocab import ID

CDS_FILE = Path(__file__).with_name("cds.toml")
SUMMARY_MAX = 139  # CDS Hooks 1.0: a summary is under 140 characters
ORDER = ("failed", "ambiguous", "missing", "met")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|])")


def load_cds(path: Path | None = None) -> dict[str, Any]:
    """Return the CDS service table (``cds.toml``)."""
    with (path or CDS_FILE).open("rb") as handle:
        return tomllib.load(handle)


def markdown(text: Any) -> str:
    """Return ``text`` with Markdown's special characters escaped (no HTML can get through)."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def page(iri: str, base: str) -> str:
    """Return the service URL of a resource IRI (``https://w3id.org/nelmkg/id/x`` -> base/id/x)."""
    if iri.startswith(str(ID)):
        return base.rstrip("/") + "/id/" + iri[len(str(ID)) :]
    return iri


@dataclass(frozen=True)
class CardMaker:
    """What cards need, read once: option titles and pages, the review's label, the words."""

    table: dict[str, Any]
    titles: dict[str, str]
    pages: dict[str, str]  # option id -> IRI of its (first) criteria set
    review: str

    @classmethod
    def build(
        cls, knowledge: Graph, options: dict[str, Option], table: dict[str, Any]
    ) -> CardMaker:
        """Read titles from the criteria sets' labels (regimen options: the regimens)."""
        titles, pages = {}, {}
        for option in options.values():
            if option.regimens:
                regimens = " or ".join(label for _, _, label in option.regimens.values())
                titles[option.id] = f"{table['words']['regimen_title']}: {regimens}"
            else:
                titles[option.id] = str(knowledge.value(option.sets[0], RDFS.label))
            pages[option.id] = str(option.sets[0])
        review = str(knowledge.value(ID.review, RDFS.label) or ID.review)
        return cls(table, titles, pages, review)

    def _summary(self, option_id: str, result: dict[str, Any]) -> tuple[str, str]:
        regimen = result.get("regimen")
        row = self.table["status"]["regimen" if regimen else result["status"]]
        words = row["summary"].format(regimen=(regimen or {}).get("label", ""))
        summary = f"{self.titles[option_id]}: {words}"
        if len(summary) > SUMMARY_MAX:
            room = SUMMARY_MAX - len(words) - 3
            summary = f"{self.titles[option_id][:room].rstrip()}…: {words}"
        return summary, row["indicator"]

    def _detail(self, result: dict[str, Any]) -> str:
        headings = self.table["words"]["result_heading"]
        shown = ORDER if result["status"] == "eligible" or result.get("regimen") else ORDER[:3]
        parts = []
        for kind in shown:
            rows = [c for c in result["criteria"] if c["result"] == kind]
            if rows:
                parts.append(f"**{headings[kind]}**\n\n" + "\n".join(_line(c) for c in rows))
        return "\n\n".join(parts)

    def card(self, option_id: str, result: dict[str, Any], base: str) -> dict[str, Any]:
        """Return the card of one option's result (an entry of the assessment's options)."""
        summary, indicator = self._summary(option_id, result)
        links, seen = [], set()
        for criterion in result["criteria"]:
            if criterion["id"] not in seen:
                seen.add(criterion["id"])
                url = page(criterion["id"], base)
                links.append({"label": criterion["label"], "url": url, "type": "absolute"})
        return {
            "summary": summary,
            "indicator": indicator,
            "detail": self._detail(result),
            "source": {"label": self.review, "url": page(self.pages[option_id], base)},
            "links": links,
        }

    def cards(self, assessment: dict[str, Any], base: str) -> list[dict[str, Any]]:
        """Return one card per option of a well-formed assessment, in option order."""
        return [self.card(o, r, base) for o, r in (assessment["options"] or {}).items()]


def _value(criterion: dict[str, Any]) -> str:
    value, unit = criterion.get("value"), criterion.get("unit")
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}" if unit else str(value)


def _line(c: dict[str, Any]) -> str:
    """Return one Markdown bullet: label, value, threshold, quote and references."""
    text = f"- {markdown(c['label'])}: {markdown(_value(c))}"
    if c.get("threshold"):
        text += f" (needs {markdown(c['threshold'])})"
    text += f". Review: “{markdown(c['quote'])}”"
    if c.get("references"):
        text += " (ref. " + ", ".join(str(r) for r in c["references"]) + ")"
    ambiguity = c.get("ambiguity")
    if ambiguity:
        text += f". {markdown(ambiguity['label'])}: {markdown(ambiguity['explanation'])}"
    return text
