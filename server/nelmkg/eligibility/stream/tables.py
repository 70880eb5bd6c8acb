"""Assessments as text for a terminal: a status line per option, then the reasons.

For options not eligible the failed and ambiguous criteria are listed with the case's value and
the threshold, then the missing ones; a malformed case lists its violations.
"""

from __future__ import annotations

import textwrap

TABLE_WIDTH = 100
REASON_INDENT = " " * 6
EXPLAINED = ("not_eligible", "indeterminate", "ambiguous")  # statuses shown with reasons
UNITS_SHOWN = ("years", "months", "cm")  # others ("count", none) print the bare value


def format_table(result: dict) -> str:
    """Return one case's assessment as text: a status line per option, then for options not
    eligible the failed and ambiguous criteria (with the case's value) and the missing ones."""
    lines = [f"{result['case']}  {'well-formed' if result['well_formed'] else 'MALFORMED'}"]
    if not result["well_formed"]:
        lines += [f"  - {_violation(v)}" for v in result.get("violations") or []]
        return "\n".join(lines) + "\n"
    options = result.get("options") or {}
    width = max((len(name) for name in options), default=0)
    for name, option in options.items():
        lines.append(f"  {name:<{width}}  {option['status']}")
        if option["status"] in EXPLAINED:
            lines += _reasons(option.get("criteria") or [])
    return "\n".join(lines) + "\n"


def _reasons(criteria: list[dict]) -> list[str]:
    """Return the lines naming the failed, ambiguous and missing criteria, each once."""
    lines: list[str] = []
    for result in ("failed", "ambiguous"):
        shown = dict.fromkeys(_criterion(c) for c in criteria if c.get("result") == result)
        lines += [f"{REASON_INDENT}{result:<11}{text}" for text in shown]
    missing = dict.fromkeys(
        c.get("label") or c["id"] for c in criteria if c.get("result") == "missing"
    )
    if missing:
        lines += textwrap.wrap(
            "; ".join(missing),
            width=TABLE_WIDTH,
            initial_indent=f"{REASON_INDENT}{'missing':<11}",
            subsequent_indent=" " * (len(REASON_INDENT) + 11),
        )
    return lines


def _criterion(c: dict) -> str:
    """Return ``label: value (needs threshold)`` for a failed or ambiguous criterion."""
    value, unit = c.get("value"), c.get("unit")
    shown = f"{value}%" if unit == "%" else f"{value} {unit}" if unit in UNITS_SHOWN else f"{value}"
    needs = f" (needs {c['threshold']})" if c.get("threshold") else ""
    return f"{c.get('label') or c['id']}: {shown}{needs}"


def _violation(v: dict) -> str:
    key, message = v.get("path") or v.get("key"), v.get("message", "")
    return f"{key}: {message}" if key and not message.startswith(str(key)) else message
