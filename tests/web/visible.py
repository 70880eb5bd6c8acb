"""The text a reader sees on a page: no tags, attributes, scripts or styles, and nothing inside
the "technical details" fold (``<details class="tech">``), which is allowed to show IRIs."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        hidden = (
            tag in ("script", "style", "title", "template")
            or (tag == "details" and "tech" in (a.get("class") or "").split())
            or (self.stack and self.stack[-1][1])
        )
        self.stack.append((tag, bool(hidden)))

    def handle_endtag(self, tag):
        while self.stack:
            top, _ = self.stack.pop()
            if top == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the page's visible text outside the technical-details fold."""
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
