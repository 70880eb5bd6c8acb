"""Split the review's plain-text extraction into units (sentences, headings, rows, captions).

The extraction has artefacts (``/work/shared/review/NOTES.md``): page breaks split sentences
("… will occur in the" / "liver (21,40)"), figure captions and Table 1 are inserted in the
middle of a sentence, Table 1 is one line per row, and the reference list follows the text.
Every non-blank line is located in the whitespace-normalised review (the text quotes are
checked against, :func:`nelmkg.graph.checks.normalise`); lines are then classified, fragments are
joined across page breaks, captions and tables, and paragraphs are split into sentences. A
unit keeps the spans it occupies in the normalised text, so a quote found there can be placed
in its sentence even when a caption sits between the two halves of that sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nelmkg.graph.checks import normalise

TEXT_KINDS = ("abstract", "body", "matter")  # kinds whose lines form paragraphs


@dataclass(frozen=True)
class Unit:
    """One sentence (or heading, caption, table row, reference entry, matter line) in order."""

    index: int
    kind: str  # front, abstract, heading, body, caption, table, matter, reference
    section: str  # the last heading before the unit ("" before the first)
    text: str  # whitespace-normalised
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets in the normalised review
    paragraph: int  # units of one paragraph share it

    def contains(self, start: int, end: int) -> bool:
        """Return True if the normalised-text range [start, end) overlaps this unit."""
        return any(start < e and s < end for s, e in self.spans)

    def text_after(self, offset: int) -> str:
        """Return the unit's text after the normalised-text ``offset`` ('' if outside it)."""
        done = 0
        for s, e in self.spans:
            if s <= offset <= e:
                return self.text[done + offset - s :]
            done += e - s + 1  # segments are joined by one space
        return ""


@dataclass
class _Line:
    text: str
    start: int
    kind: str = "body"
    section: str = ""


@dataclass
class _Paragraph:
    kind: str
    section: str
    lines: list[_Line] = field(default_factory=list)


def _locate(raw: str, review: str) -> list[_Line]:
    """Return the non-blank lines of ``raw`` with their offsets in the normalised ``review``."""
    found, cursor = [], 0
    for line in raw.splitlines():
        text = normalise(line)
        if not text:
            continue
        start = review.find(text, cursor)
        if start < 0:  # cannot happen for a line of the same text; fail loudly if it does
            raise ValueError(f"line not found in the normalised review: {text[:60]!r}")
        found.append(_Line(text, start))
        cursor = start + len(text)
    return found


def _ends_sentence(text: str, layout: dict) -> bool:
    return re.search(layout["sentence_end"] + r"$", text) is not None


def _classify(lines: list[_Line], layout: dict) -> None:
    """Set each line's kind from the layout markers (signals.toml [layout])."""
    state = "front"
    matter = [re.compile(p) for p in layout["matter"]]
    for i, line in enumerate(lines):
        text = line.text
        if re.match(layout["abstract"], text):
            state = "body"
            line.kind = "abstract"
        elif any(p.match(text) for p in matter):
            line.kind = "matter"
            if state == "reference":
                state = "body"
        elif state in ("front", "reference"):
            line.kind = state
        elif state == "table":
            line.kind = "caption" if re.match(layout["table_footnote"], text) else "table"
            state = "body" if line.kind == "caption" else "table"
        elif re.match(layout["caption"], text):
            line.kind = "caption"
        elif re.match(layout["table"], text):
            line.kind, state = "caption", "table"
        elif re.match(layout["references"], text):
            line.kind, state = "heading", "reference"
        elif not _ends_sentence(text, layout) and not _continued(lines, i, layout):
            line.kind = "heading"


def _next_text(lines: list[_Line], i: int) -> _Line | None:
    """Return the next line after ``i`` that is not a caption or table line."""
    for line in lines[i + 1 :]:
        if line.kind in ("caption", "table"):
            continue
        if line.kind in ("front", "reference"):
            return None
        return line
    return None


def _continued(lines: list[_Line], i: int, layout: dict) -> bool:
    """Return True if line ``i`` (no final punctuation) is a fragment that goes on below."""
    if len(lines[i].text.split()) > layout["heading_max_words"]:
        return True
    # Classification runs in order, so later lines are still unclassified: look at raw text,
    # skipping what will be captions or table lines (a table runs to its footnote).
    in_table = False
    for line in lines[i + 1 :]:
        text = line.text
        if in_table:
            in_table = not re.match(layout["table_footnote"], text)
            continue
        if re.match(layout["caption"], text):
            continue
        if re.match(layout["table"], text):
            in_table = True
            continue
        return text[:1].islower()
    return False


def _paragraphs(lines: list[_Line], layout: dict) -> list[_Paragraph | _Line]:
    """Group text lines into paragraphs, joining fragments; other lines stay single."""
    items: list[_Paragraph | _Line] = []
    section = ""
    open_para: _Paragraph | None = None
    for line in lines:
        if line.kind == "heading":
            section = line.text
        if line.kind in TEXT_KINDS:
            kind = "matter" if line.kind == "matter" else line.kind
            if line.kind == "abstract":
                section = "Abstract"  # the abstract has no heading line, only its label
            if open_para is not None:
                open_para.lines.append(line)
            else:
                open_para = _Paragraph(kind, section, [line])
                items.append(open_para)
            if _ends_sentence(line.text, layout):
                open_para = None
            continue
        items.append(line)
        if line.kind not in ("caption", "table"):
            open_para = None  # a heading or reference line ends any open paragraph
        line.section = section
    return items


def _sentences(para: _Paragraph, layout: dict) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """Split a paragraph into sentences, each with its spans in the normalised review."""
    text = " ".join(line.text for line in para.lines)
    # offset in ``text`` -> offset in the review, segment by segment
    segments, pos = [], 0
    for line in para.lines:
        segments.append((pos, pos + len(line.text), line.start))
        pos += len(line.text) + 1
    boundary = re.compile(layout["sentence_end"] + r"\s+(?=" + layout["sentence_start"] + ")")
    cuts, start = [], 0
    # front and back matter (names, addresses, dates) is kept whole: one unit per paragraph
    for match in boundary.finditer(text) if para.kind != "matter" else ():
        end = match.end() - len(match.group()) + len(match.group().rstrip())
        cuts.append((start, end))
        start = match.end()
    cuts.append((start, len(text)))
    result = []
    for a, b in cuts:
        spans = []
        for s, e, review_start in segments:
            lo, hi = max(a, s), min(b, e)
            if lo < hi:
                spans.append((review_start + lo - s, review_start + hi - s))
        result.append((text[a:b], tuple(spans)))
    return result


def split_review(raw: str, layout: dict) -> list[Unit]:
    """Return the review's units in reading order (``layout``: signals.toml's [layout])."""
    review = normalise(raw)
    lines = _locate(raw, review)
    _classify(lines, layout)
    units: list[Unit] = []
    for number, item in enumerate(_paragraphs(lines, layout), start=1):
        if isinstance(item, _Paragraph):
            for text, spans in _sentences(item, layout):
                units.append(Unit(len(units) + 1, item.kind, item.section, text, spans, number))
        else:
            span = ((item.start, item.start + len(item.text)),)
            units.append(Unit(len(units) + 1, item.kind, item.section, item.text, span, number))
    return units
