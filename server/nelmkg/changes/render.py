"""Write :class:`~nelmkg.changes.compare.Changes` as Markdown, JSON or an HTML page.

The HTML page is the template ``changes.html`` (shared with ``/changes``) rendered without
the site's navigation when written by the command line.
"""

from __future__ import annotations

import json

from jinja2 import Environment, PackageLoader, select_autoescape

from nelmkg.changes.compare import Changes, FieldChange
from nelmkg.changes.model import short

FORMATS = ("md", "json", "html")
MAX_SHOWN = 6  # values listed per side of a changed field before "… and N more"


CLIP = 160  # characters of a long value shown, from a little before where it differs


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _show(value: str, differs_at: int = 0) -> str:
    """Return one value for reading: whole when short, else a window where it differs."""
    if len(value) <= CLIP:
        return f"`{value}`" if "`" not in value else f"“{value}”"
    start = max(0, min(differs_at - 30, len(value) - CLIP))
    head = "…" if start else ""
    tail = "…" if start + CLIP < len(value) else ""
    return f"“{head}{value[start : start + CLIP]}{tail}”"


def _values(values: tuple[str, ...], others: tuple[str, ...] = ()) -> str:
    """Return values for reading; each long one is shown where it differs from ``others``."""
    shown = [_show(v, max((_common(v, o) for o in others), default=0)) for v in values[:MAX_SHOWN]]
    more = len(values) - MAX_SHOWN
    return ", ".join(shown) + (f" … and {more} more" if more > 0 else "")


def field_line(change: FieldChange) -> str:
    """Return one changed field in words: ``old → new``, or what was added and removed."""
    if len(change.old) == 1 and len(change.new) == 1:
        old, new = change.old, change.new
        return f"{change.field}: {_values(old, new)} → {_values(new, old)}"
    if not change.old:
        return f"{change.field}: set to {_values(change.new)}"
    if not change.new:
        return f"{change.field}: removed (was {_values(change.old)})"
    parts = []
    if change.added:
        parts.append(f"added {_values(change.added, change.removed)}")
    if change.removed:
        parts.append(f"removed {_values(change.removed, change.added)}")
    return f"{change.field}: {'; '.join(parts)}"


def markdown(changes: Changes, heading: str = "##") -> str:
    """Return the changes as Markdown: a summary table, then each kind's lists."""
    lines = [f"{heading} Changes from {changes.old} to {changes.new}", ""]
    if changes.empty():
        return "\n".join(
            [*lines, "No claim, recommendation, criterion, reference or ambiguity changed.", ""]
        )
    lines += ["| | added | removed | changed |", "|---|---:|---:|---:|"]
    for kind in changes.kinds:
        c = kind.counts()
        lines.append(f"| {kind.title} | {c['added']} | {c['removed']} | {c['changed']} |")
    for kind in changes.kinds:
        if not sum(kind.counts().values()):
            continue
        lines += ["", f"{heading}# {kind.title}", ""]
        for word, entities in (("Added", kind.added), ("Removed", kind.removed)):
            if entities:
                lines += [f"{word}:", ""]
                lines += [f"- `{short(e.iri)}` {e.label}" for e in entities]
                lines.append("")
        if kind.changed:
            lines += ["Changed:", ""]
            for entity in kind.changed:
                lines.append(f"- `{short(entity.iri)}` {entity.label}")
                lines += [f"  - {field_line(f)}" for f in entity.fields]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def as_json(changes: Changes) -> str:
    """Return the changes as indented JSON (see :meth:`Changes.as_dict`)."""
    return json.dumps(changes.as_dict(), indent=2, ensure_ascii=False) + "\n"


def html(changes: Changes) -> str:
    """Return a standalone HTML page of the changes (no scripts, no external assets)."""
    env = Environment(
        loader=PackageLoader("nelmkg.web", "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["idpath"] = str  # the service links IRIs to its pages; a file keeps them
    template = env.get_template("changes.html")
    return template.render(changes=changes, standalone=True, field_line=field_line, short=short)


def render(changes: Changes, fmt: str) -> str:
    """Return the changes in ``fmt`` (``md``, ``json`` or ``html``)."""
    if fmt == "json":
        return as_json(changes)
    if fmt == "html":
        return html(changes)
    return markdown(changes)
