"""Which sentences of the review the KG quotes, and which substantive ones it does not (gaps).

A unit (see :mod:`nelmkg.coverage.text`) is *quoted* when some resource's ``nelm:quote`` lies
in it, *excluded* when ``kg/coverage-exclusions.toml`` names it (or its kind) with a reason,
and a *gap* when it is neither and carries a signal: a number, a recommendation, a research
need, a hedge about the strength of evidence, or an in-text citation (word lists in
``signals.toml``). Units with no signal are *plain*.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef

from nelmkg.coverage.text import Unit, split_review
from nelmkg.graph.checks import normalise, quotes
from nelmkg.graph.params import PARAM_PREFIXES
from nelmkg.graph.vocab import NELM, curie, expand

SIGNALS = ("number", "recommendation", "research", "hedge", "citation")
STRONG = ("number", "recommendation")  # excluding these needs a pointer to where they are encoded


def load_signals() -> dict:
    """Return the word lists and layout markers (``nelmkg/coverage/signals.toml``)."""
    text = resources.files("nelmkg.coverage").joinpath("signals.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Exclusion:
    """A sentence (by its opening words) or a whole kind of unit deliberately not encoded."""

    reason: str
    starts: str | None = None
    kind: str | None = None
    see: tuple[str, ...] = ()


def load_exclusions(path: Path) -> list[Exclusion]:
    """Read the exclusion file: ``[[kind]]`` and ``[[sentence]]`` tables, each with a reason."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    found = [Exclusion(e["reason"], kind=e["kind"]) for e in data.get("kind", [])]
    for entry in data.get("sentence", []):
        see = tuple(entry.get("see", ()))
        found.append(Exclusion(entry["reason"], starts=normalise(entry["starts"]), see=see))
    return found


@dataclass
class Row:
    """The coverage of one unit."""

    unit: Unit
    signals: list[str]
    resources: list[str] = field(default_factory=list)
    exclusion: Exclusion | None = None

    @property
    def status(self) -> str:
        if self.resources:
            return "quoted"
        if self.exclusion is not None:
            return "excluded"
        return "gap" if self.signals else "plain"


@dataclass
class Coverage:
    """Every unit's row, plus exclusions that match nothing or a quoted unit (stale)."""

    rows: list[Row]
    stale: list[str]

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def gaps(self) -> list[Row]:
        return [row for row in self.rows if row.status == "gap"]

    def summary(self) -> dict[str, int]:
        counts = {"units": len(self.rows)}
        counts.update({s: self.count(s) for s in ("quoted", "excluded", "gap", "plain")})
        counts["stale_exclusions"] = len(self.stale)
        return counts


def signals_of(text: str, lists: dict) -> list[str]:
    """Return the signal kinds found in ``text`` (numbers are looked for after ``ignore``)."""
    found = []
    if any(re.search(p, text) for p in lists["citation"]):
        found.append("citation")
    stripped = text
    for pattern in lists["ignore"]:
        stripped = re.sub(pattern, " ", stripped)
    for kind in ("number", "recommendation", "research", "hedge"):
        if any(re.search(p, stripped, re.IGNORECASE) for p in lists[kind]):
            found.append(kind)
    return sorted(found, key=SIGNALS.index)


def quote_spans(kg: Graph, review: str) -> dict[str, list[tuple[int, int]]]:
    """Return, for each resource with a ``nelm:quote``, every place the quote occurs."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for subject, quote in quotes(kg):
        needle = normalise(str(quote))
        start = review.find(needle)
        while needle and start >= 0:
            spans.setdefault(curie(str(subject), PARAM_PREFIXES), []).append(
                (start, start + len(needle))
            )
            start = review.find(needle, start + 1)
    return spans


def section_names(kg: Graph) -> dict[str, set[str]]:
    """Return, for each resource, the headings of its sections' paths (``nelm:sectionPath``).

    A short quote can occur in several places (a phrase of the body repeated in the Abstract);
    it is placed only where the heading above it is one of its sections' headings.
    """
    names: dict[str, set[str]] = {}
    for subject, section in kg.subject_objects(NELM.inSection):
        path = kg.value(section, NELM.sectionPath)
        heads = set(str(path).split(" > ")) if path is not None else set()
        names.setdefault(curie(str(subject), PARAM_PREFIXES), set()).update(heads)
    return names


def _placed(unit: Unit, places: list[tuple[int, int]], heads: set[str], units: list[Unit]) -> bool:
    """Return True if one of a quote's places lies in ``unit`` under one of its headings."""
    here = [p for p in places if unit.contains(*p)]
    if not here:
        return False
    if not heads or unit.section in heads:
        return True
    # none of the quote's places is under its own headings: keep every place rather than none
    return not any(u.section in heads for p in places for u in units if u.contains(*p))


def _match(unit: Unit, exclusions: list[Exclusion]) -> Exclusion | None:
    for exclusion in exclusions:
        if exclusion.kind == unit.kind:
            return exclusion
        if exclusion.starts and unit.text.startswith(exclusion.starts):
            return exclusion
    return None


def measure(raw: str, kg: Graph, exclusions: list[Exclusion], lists: dict) -> Coverage:
    """Return the coverage of the review text ``raw`` by the quotes of ``kg``."""
    review = normalise(raw)
    units = split_review(raw, lists["layout"])
    spans = quote_spans(kg, review)
    heads = section_names(kg)
    rows = []
    for unit in units:
        found = sorted(
            r for r, places in spans.items() if _placed(unit, places, heads.get(r, set()), units)
        )
        rows.append(
            Row(unit, signals_of(unit.text, lists["signals"]), found, _match(unit, exclusions))
        )
    stale = []
    for exclusion in exclusions:
        if exclusion.starts is None:
            continue
        hits = [r for r in rows if r.unit.text.startswith(exclusion.starts)]
        if len(hits) != 1:
            stale.append(f"matches {len(hits)} sentences: {exclusion.starts[:70]!r}")
        elif hits[0].resources:
            stale.append(
                f"excluded but quoted by {hits[0].resources[0]}: {exclusion.starts[:60]!r}"
            )
        elif set(hits[0].signals) & set(STRONG) and not exclusion.see:
            stale.append(
                f"carries a {'/'.join(hits[0].signals)} but names no 'see': "
                f"{exclusion.starts[:50]!r}"
            )
    return Coverage(rows, stale)


def citation_after(units: list[Unit], start: int, end: int, pattern: str) -> str | None:
    """Return the citation group printed next after [start, end) in its sentence, if any.

    None when the quoted text itself ends with a citation group (its own groups cite it) or
    when the sentence prints no further group (the citation-clause rule, docs/decisions/0003).
    """
    unit = next((u for u in units if u.contains(start, end)), None)
    if unit is None:
        return None
    rest = unit.text_after(end)
    before = unit.text_after(start)[: end - start]
    if re.search(pattern + r"\s*$", before):
        return None
    match = re.search(pattern, rest)
    return match.group(0) if match else None


def citations_after(raw: str, kg: Graph, lists: dict) -> dict[str, set[str]]:
    """Return, for every statement that cites or is marked uncited, the citation groups the
    review prints after its quote (:func:`citation_after`, each place the quote is placed)."""
    review = normalise(raw)
    units = split_review(raw, lists["layout"])
    heads = section_names(kg)
    pattern = lists["signals"]["citation"][0]
    found: dict[str, set[str]] = {}
    for subject, places in quote_spans(kg, review).items():
        iri = expand(subject, PARAM_PREFIXES)
        term = URIRef(iri)
        if (term, NELM.citationText, None) not in kg and (term, NELM.uncited, None) not in kg:
            continue
        groups = set()
        for start, end in places:
            unit = next((u for u in units if u.contains(start, end)), None)
            if unit is not None and _placed(unit, places, heads.get(subject, set()), units):
                groups.add(citation_after(units, start, end, pattern))
        found[iri] = {g for g in groups if g}
    return found
