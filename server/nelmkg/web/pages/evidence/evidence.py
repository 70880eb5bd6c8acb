"""Evidence profiles: each recommendation with its supporting claims, in one JSON-ready dict.

What the graph says is read by the queries of ``queries/pages/profile-*.rq`` (run once over the
service's store, all recommendations at a time) and grouped here; what the audit says comes from
the service's flag index. The GRADE domains are summarised by :mod:`.domains`. Nothing medical
is written here: every word shown is the graph's or the audit's.

Texts keep the extraction's markup as stored (``*vs.*``, ``$P < 0.001$``); the templates render
it and the exports remove it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from nelmkg.audit import Flag
from nelmkg.audit.model import KIND_BY_NAME
from nelmkg.web.pages.evidence import caveats, domains, flags
from nelmkg.web.pages.graphview import local_path
from nelmkg.web.service import current

CONFIG = Path(__file__).with_name("profile.toml")


@cache
def config() -> dict:
    """Return ``profile.toml`` (link patterns and the GRADE domains), read once."""
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def _value(term) -> str | None:
    return None if term is None else term.value


def rows(store: ox.Store, query) -> list[dict[str, str | None]]:
    """Run a page query over ``store``; return its rows as ``{variable: lexical value}``."""
    result = store.query(query.text)
    names = [v.value for v in result.variables]
    return [{n: _value(row[n]) for n in names} for row in result]


def reference_link(ref: dict) -> dict:
    """Return the link a reference gets: its DOI, else its PubMed id, else a title search."""
    links = config()["links"]
    if ref.get("doi"):
        return {"kind": "DOI", "url": links["doi"].format(doi=ref["doi"])}
    if ref.get("pmid"):
        return {"kind": "PubMed", "url": links["pubmed"].format(pmid=ref["pmid"])}
    title = ref.get("title") or ref.get("entry") or ""
    return {"kind": "search", "url": links["search"].format(title=quote(title, safe=""))}


def flag_view(flag: Flag) -> dict:
    """Return what a page shows of a flag: its kind's title, its message and its audit link."""
    return {
        "id": flag.id,
        "kind": flag.kind,
        "kind_title": KIND_BY_NAME[flag.kind].title,
        "message": flag.message,
        "url": flags.flag_url(flag),
        "about": flag.label,  # what the flag is about, so that like flags can be told apart
        "about_page": local_path(flag.subject),
    }


def _references(rows_: Iterable[dict]) -> dict[str, list[dict]]:
    found: dict[str, dict[str, dict]] = {}
    for row in rows_:
        refs = found.setdefault(row["statement"], {})
        if row["reference"] in refs:
            continue
        ref = {
            "reference": row["reference"],
            "page": local_path(row["reference"]),
            "number": int(row["number"]) if row["number"] else None,
            "entry": row["entry"],
            "title": row["title"],
            "doi": row["doi"],
            "pmid": row["pmid"],
        }
        ref["link"] = reference_link(ref)
        refs[row["reference"]] = ref
    return {
        s: sorted(r.values(), key=lambda r: (r["number"] or 0, r["reference"]))
        for s, r in found.items()
    }


def _figures(rows_: Iterable[dict]) -> dict[str, dict[str, list]]:
    found: dict[str, dict[str, list]] = {}
    for row in rows_:
        figs = found.setdefault(row["claim"], {"value": [], "p-value": [], "arm": []})
        if row["kind"] == "arm":
            size = int(row["size"]) if row["size"] else None
            figs["arm"].append({"arm": row["arm"], "sample_size": size})
        elif row["kind"] == "p-value":
            figs["p-value"].append(row["printed"])
        else:
            keys = ("printed", "outcome", "arm", "statistic")
            figs["value"].append({k: row[k] for k in keys})
    return found


def design(row: dict) -> dict:
    """Return a claim's design label with its grounding: the printed words (a list, empty when
    the review prints none), the mapping rule's label and meaning, and where the words are."""
    words = sorted(row["designWords"].split("\n")) if row["designWords"] else []
    return {
        "iri": row["design"],
        "label": row["designLabel"],
        "words": words,
        "rule": row["designRule"],
        "rule_meaning": row["designRuleMeaning"],
        "note": row["groundingNote"],
    }


def _claim(row: dict, refs: dict, figures: dict, index: flags.FlagIndex) -> dict:
    figs = figures.get(row["claim"], {"value": [], "p-value": [], "arm": []})
    return {
        "claim": row["claim"],
        "page": local_path(row["claim"]),
        "label": row["label"],
        "quote": row["quote"],
        "section": row["sectionLabel"],
        "references": refs.get(row["claim"], []),
        "design": design(row),
        "caveat": row["caveat"] == "true",
        "sample_size": int(row["sampleSize"]) if row["sampleSize"] else None,
        "arms": sorted(figs["arm"], key=lambda a: a["arm"] or ""),
        "effects": figs["value"],
        "p_values": figs["p-value"],
        "flags": [flag_view(f) for f in index.about(row["claim"])],
    }


def build_parts(store: ox.Store, queries: dict) -> dict[str, dict]:
    """Return every statement's references and every claim's figures (two lookups by IRI)."""
    return {
        "references": _references(rows(store, queries["profile-references"])),
        "figures": _figures(rows(store, queries["profile-values"])),
        "designs": {r["subject"]: design(r) for r in rows(store, queries["design-groundings"])},
        "caveats": caveats.group(rows(store, queries["profile-caveats"]), config()["caveats"]),
    }


def build_all(
    store: ox.Store, queries: dict, index: flags.FlagIndex, parts: dict | None = None
) -> dict[str, dict]:
    """Return every recommendation's profile, by recommendation IRI, in the review's order."""
    parts = parts or build_parts(store, queries)
    refs, figures, bearing = parts["references"], parts["figures"], parts["caveats"]
    claims: dict[str, dict[str, dict]] = {}
    for row in rows(store, queries["profile-claims"]):
        per_rec = claims.setdefault(row["recommendation"], {})
        if row["claim"] not in per_rec:  # the first row per claim (quotes sorted by the query)
            per_rec[row["claim"]] = _claim(row, refs, figures, index)
    profiles: dict[str, dict] = {}
    for row in rows(store, queries["profile-recommendations"]):
        rec = row["recommendation"]
        if rec in profiles:
            continue
        profile = {
            "recommendation": rec,
            "page": local_path(rec),
            "audit": flags.audit_url(rec),
            "label": row["label"],
            "quote": row["quote"],
            "strength": row["strength"],
            "population": row["population"],
            "section": row["sectionLabel"],
            "citation": row["citation"],
            "references": refs.get(rec, []),
            "claims": list(claims.get(rec, {}).values()),
            "flags": [flag_view(f) for f in index.about(rec)],
            "caveats": bearing.on(rec),
            "caveat_words": {k: v for k, v in config()["caveats"].items() if isinstance(v, str)},
        }
        profile["domains"] = domains.summarise(profile, index.of(rec), config())
        profile["citation_checks"] = domains.citation_checks(profile, config())
        profiles[rec] = profile
    return profiles


def parts() -> dict[str, dict]:
    """Return the service's references per statement and figures per claim (built once)."""
    service = current()
    return service.built("evidence-parts", lambda: build_parts(service.store, service.page_queries))


def figures_of(claim: str) -> dict[str, list]:
    """Return a claim's figures: ``{"value": [...], "p-value": [...], "arm": [...]}``."""
    return parts()["figures"].get(claim, {"value": [], "p-value": [], "arm": []})


def references_of(statement: str) -> list[dict]:
    """Return the references a statement cites, with their links, by number."""
    return parts()["references"].get(statement, [])


def design_of(subject: str) -> dict | None:
    """Return the design label of a claim or reference with its grounding, or None."""
    return parts()["designs"].get(subject)


def review_caveats() -> caveats.Bearing:
    """Return the review's caveats and research needs, and what each bears on."""
    return parts()["caveats"]


def profiles() -> dict[str, dict]:
    """Return the service's evidence profiles (built once)."""
    service = current()
    index, found = flags.index(), parts()  # first: Service.built holds its lock while building
    return service.built(
        "profiles", lambda: build_all(service.store, service.page_queries, index, found)
    )
