"""Render an audit report as JSON, or CSV for people (one row per flag); HTML is in :mod:`.html`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from nelmkg.audit.model import KIND_BY_NAME, Report
from nelmkg.graph.markup import plain

# One row per flag, for people: titles and labels, never IRIs; the extraction's markup removed.
CSV_COLUMNS = (
    "Flag",
    "Kind of flag",
    "About",
    "What the audit found",
    "What the review says",
    "References (entries as printed)",
    "Recommendations affected",
    "What this kind of flag means",
)
BOM = "\ufeff"  # spreadsheet programs then read the file as UTF-8


def to_json(report: Report) -> str:
    """Return the report as indented JSON: ``{"summary", "kinds", "notes", "flags", ...}``."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def flag_rows(report: Report) -> list[list[str]]:
    """Return one row per flag (the :data:`CSV_COLUMNS`), in report order, as plain text."""
    rec_labels = {c["recommendation"]: c["label"] for c in report.recommendations}
    rows = []
    for flag in report.flags:
        kind = KIND_BY_NAME[flag.kind]
        rows.append(
            [
                flag.id,
                kind.title,
                plain(flag.label or flag.subject),
                plain(flag.message),
                plain(flag.quote),
                "\n".join(plain(e) for e in flag.reference_entries),
                "\n".join(plain(rec_labels.get(r, r)) for r in flag.recommendations),
                kind.meaning,
            ]
        )
    return rows


def to_csv(report: Report) -> str:
    """Return one CSV row per flag (UTF-8 text with a byte-order mark; lists one per line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(flag_rows(report))
    return BOM + out.getvalue()


def _html(report: Report) -> str:
    from nelmkg.audit.html import to_html  # the page template is only needed for HTML

    return to_html(report)


FORMATS: dict[str, Callable[[Report], str]] = {"json": to_json, "csv": to_csv, "html": _html}


def render(report: Report, fmt: str) -> str:
    """Return the report in ``fmt`` (``json``, ``csv`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt](report)
