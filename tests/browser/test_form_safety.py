"""The assessment form in Chromium: submitted untouched, it changes no verdict to met.

The safety defect this guards against: the blank form used to submit
``extrahepatic_disease=none``, so "No extrahepatic disease" read as met for a case that said
nothing about it. A blank is missing data, for every field.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_blank_form_changes_no_verdict_to_met(page):
    page.goto("/assess/form")
    fields = page.locator("form.case [name]").evaluate_all(
        "els => els.filter(e => e.type !== 'submit')"
        ".filter(e => (e.type !== 'radio' && e.type !== 'checkbox') || e.checked)"
        ".map(e => [e.name, e.value])"
    )
    assert fields, "the form has no fields"
    assert [f for f in fields if f[1] != ""] == [], "a field starts with a value"
    page.locator('form.case button[type="submit"]').click()
    page.wait_for_selector("#result")
    results = page.locator("[data-result]").evaluate_all("els => els.map(e => e.dataset.result)")
    assert results, "the result lists no criterion"
    assert "met" not in results
    assert set(results) == {"missing"}
    statuses = page.locator("[data-status]").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses and set(statuses) == {"indeterminate"}
