"""Accessibility and small screens in Chromium: axe-core finds no serious or critical violation,
no page scrolls sideways at 390 px, and an author reaches a recommendation's evidence and flags
on one page in two clicks from home.

axe-core is vendored (``vendor/axe-core``, see its README) and injected into each page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
REC = "/id/recommendation/pathway-resection-for-resectable"
CLAIM = "/id/claim/resection-vs-intra-arterial-5y-os"
PAGES = {
    "home": "/",
    "recommendation": REC,
    "claim": CLAIM,
    "audit-index": "/audit",
    "profile": "/profile/pathway-resection-for-resectable",
    "form": "/assess/form",
    "editor": "/editor",
    "reference": "/id/reference/22",
    "criterion": "/id/criterion/resection-general-resectable-fraction",
    "profile-index": "/profile",
    "coverage": "/coverage",
    "not-found": "/no/such/page",
}
WIDE = [
    *PAGES.values(),
    "/pathway",
    "/audit/recommendation/pathway-resection-for-resectable",
    "/id/reference/22",
    "/id/criterion/resection-general-resectable-fraction",
    "/api",
    "/queries",
    "/sparql",
    "/profile",
    "/audit/kind/differing-figures",
    "/no/such/page",
]


def serious(page) -> list[dict]:
    """Run axe-core on the page; return its serious and critical violations."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in json.loads(result)["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(page, name):
    page.goto(PAGES[name])
    if name == "editor":
        page.wait_for_selector(".yasqe .CodeMirror-scroll[role=region]")
    assert serious(page) == []


def test_the_editors_scroll_area_is_a_named_tab_stop(page):
    """CodeMirror's scroller (axe: scrollable-region-focusable) is reached by Tab, has a name
    that says how to leave it, and the next Tab leaves it."""
    page.goto("/editor")
    page.wait_for_selector(".yasqe .CodeMirror-scroll[role=region]")
    page.locator(".yasqe .CodeMirror").first.click()
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className,"
        " document.activeElement.getAttribute('aria-label')]"
    )
    assert "CodeMirror-scroll" in focused[0] and "Tab moves on" in focused[1]
    page.keyboard.press("Tab")
    assert "CodeMirror-scroll" not in page.evaluate("() => document.activeElement.className")
    assert "Ctrl" in page.locator("#editor-keys").inner_text()


def test_axe_on_the_form_result(page):
    page.goto("/assess/form")
    page.locator('form.case button[type="submit"]').click()
    page.wait_for_selector("#result")
    assert serious(page) == []


def test_axe_on_the_form_with_errors(page):
    page.goto("/assess/form")
    page.fill('input[name="ki67_pct"]', "150")
    page.fill('input[name="age_years"]', "forty")
    page.locator('form.case button[type="submit"]').click()
    page.wait_for_selector(".error-summary")
    assert serious(page) == []


@pytest.mark.parametrize("path", WIDE)
def test_no_sideways_scrolling_at_390px(page, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    if path == "/editor":
        page.wait_for_selector(".yasqe .CodeMirror")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide at 390 px"


def test_evidence_and_flags_in_two_clicks_from_home(page):
    page.goto("/")
    page.locator(f'a[href="{REC}"]').first.click()  # click 1
    page.wait_for_url(re.compile(re.escape(REC) + "$"))
    claim = page.locator(f'section.claim a[href="{CLAIM}"]')
    assert claim.count() == 1  # the claims are on the page ...
    body = page.locator("main").inner_text()
    assert "339 patients with NELM" in body  # ... with their quotes
    assert "Mayo SC, Pawlik TM" in body  # references, as printed
    assert page.locator(".flag").count() > 0  # and the audit's flags
    page.locator(".flag a[href^='/audit/kind/']").first.click()  # click 2: the flag in full
    page.wait_for_url(re.compile("/audit/kind/"))
    assert page.locator(".flag").count() > 0


def test_pathway_text_stays_inside_its_boxes(page):
    page.goto("/pathway")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('svg.pathway a')].flatMap(a => {
             const r = a.querySelector('rect').getBBox();
             return [...a.querySelectorAll('text')].map(t => t.getBBox())
               .filter(b => b.x < r.x || b.y < r.y || b.x + b.width > r.x + r.width
                            || b.y + b.height > r.y + r.height)
               .map(() => a.getAttribute('href'));
           })"""
    )
    assert outside == []


def test_editor_does_not_trap_keyboard_focus(page):
    """From the query text, Tab moves on (to the editor's buttons, then out of the editor)."""
    page.goto("/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.locator(".yasqe .CodeMirror").first.click()  # typing goes to the query text
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") != "TEXTAREA"
    for _ in range(8):
        if not page.evaluate("() => !!document.activeElement.closest('.yasqe')"):
            break
        page.keyboard.press("Tab")
    assert not page.evaluate("() => !!document.activeElement.closest('.yasqe')"), "trapped"


def test_editor_result_iris_open_local_pages(page):
    page.goto("/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate(
        "() => window.nelmkgYasgui.getTab().getYasqe().setValue("
        "'SELECT ?c WHERE { ?c a <https://w3id.org/nelmkg/ontology#EvidenceClaim> } LIMIT 3')"
    )
    page.locator(".yasqe_queryButton").last.click()
    page.wait_for_selector(".yasr .dataTable tbody tr a", timeout=20000)
    hrefs = page.locator(".yasr .dataTable tbody a").evaluate_all(
        "els => els.map(a => a.getAttribute('href'))"
    )
    assert hrefs and all(h.startswith("/id/claim/") for h in hrefs), hrefs
