"""Render an audit report as JSON or CSV (one row per flag); HTML is in :mod:`.html`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from nelmkg.audit.model import KIND_BY_NAME, Report

# One row per flag; list fields are joined with " | ".
CSV_COLUMNS = tuple(
    "id kind kind_title meaning subject claim recommendation label message quote "
    "references reference_entries recommendations".split()
)


def to_json(report: Report) -> str:
    """Return the report as indented JSON: ``{"summary", "kinds", "notes", "flags", ...}``."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def to_csv(report: Report) -> str:
    """Return one CSV row per flag; list fields are joined with `` | ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for flag in report.flags:
        data = flag.to_dict()
        data["kind_title"] = KIND_BY_NAME[flag.kind].title
        data["meaning"] = KIND_BY_NAME[flag.kind].meaning
        writer.writerow(
            [
                " | ".join(v) if isinstance(v, list) else ("" if v is None else v)
                for v in (data[c] for c in CSV_COLUMNS)
            ]
        )
    return out.getvalue()


def _html(report: Report) -> str:
    from nelmkg.audit.html import to_html  # the page template is only needed for HTML

    return to_html(report)


FORMATS: dict[str, Callable[[Report], str]] = {"json": to_json, "csv": to_csv, "html": _html}


def render(report: Report, fmt: str) -> str:
    """Return the report in ``fmt`` (``json``, ``csv`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt](report)
