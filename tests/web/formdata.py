"""What a browser submits for an HTML form left as it was served (the HTML form rules, in short).

A ``select`` submits its selected option, or its first option when none is marked selected;
a text or number ``input`` its ``value`` attribute; a radio button or checkbox only when it is
``checked``; a ``textarea`` its text. Buttons and disabled controls submit nothing. Written for
the tests from the HTML standard's rules, not from the page's code, so that it can disagree
with the page.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, form_selector: str) -> None:
        super().__init__(convert_charrefs=True)
        self.selector = form_selector
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.selector in (a.get("class") or "").split():
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        if tag == "select":
            self._select = {"name": a.get("name"), "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"] = value
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = self._select["selected"]
            if chosen is None:
                chosen = self._select["first"]
            if self._select["name"] and chosen is not None:
                self.pairs.append((self._select["name"], chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.pairs.append((self._textarea["name"], self._textarea["text"]))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


def default_submission(html: str, form_class: str) -> list[tuple[str, str]]:
    """Return the (name, value) pairs the form with ``class=form_class`` submits untouched."""
    parser = _Form(form_class)
    parser.feed(html)
    return parser.pairs
