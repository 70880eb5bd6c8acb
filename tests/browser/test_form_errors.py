"""The assessment form in Chromium: every error at once, a summary on top whose links reach the
fields, the entries kept; the result's legend says what each status means, in words.

Expectations are hand-written from the case format (docs/case-format.md: Ki-67 is a percentage
from 0 to 100, a lesion count is whole) and the five statuses the issue names.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

STATUS_WORDS = ["eligible", "not eligible", "missing data", "ambiguous", "not applicable"]
BAD = {"ki67_pct": "150", "liver_lesion_count": "2.5", "age_years": "forty"}


def test_error_summary_lists_every_error_and_links_to_each_field(page):
    page.goto("/assess/form")
    for key, value in BAD.items():
        page.fill(f'input[name="{key}"]', value)
    page.check('input[name="who_grade"][value="G3"]')  # a good answer, to be kept
    page.locator('form.case button[type="submit"]').click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert summary.get_attribute("role") == "alert"
    assert summary.bounding_box()["y"] < page.locator("form.case").bounding_box()["y"]  # on top
    links = summary.locator("a")
    targets = links.evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert sorted(targets) == sorted(f"#f-{k}" for k in BAD)
    assert page.locator("#result").count() == 0  # no verdict on bad input
    for key, value in BAD.items():  # each error beside its field, the entry kept
        field = page.locator(f"#f-{key}")
        assert field.input_value() == value
        assert field.get_attribute("aria-invalid") == "true"
        error = page.locator(f"#e-{key}")
        assert error.is_visible()
        assert f"e-{key}" in field.get_attribute("aria-describedby").split()
    assert page.locator('input[name="who_grade"][value="G3"]').is_checked()
    assert "0 to 100" in page.locator("#e-ki67_pct").inner_text()
    assert "whole number" in page.locator("#e-liver_lesion_count").inner_text()
    # following a link brings the field into view with its label and its error
    page.locator('.error-summary a[href="#f-liver_lesion_count"]').click()
    page.wait_for_url(re.compile("#f-liver_lesion_count$"))
    for shown in (
        'label[for="f-liver_lesion_count"]',
        "#e-liver_lesion_count",
        "#f-liver_lesion_count",
    ):
        box = page.locator(shown).bounding_box()
        assert 0 <= box["y"] < page.viewport_size["height"] - box["height"], shown


def test_the_result_has_a_legend_of_the_statuses_in_words(page):
    page.goto("/assess/form")
    page.check('input[name="who_grade"][value="G1"]')
    page.locator('form.case button[type="submit"]').click()
    page.wait_for_selector("#result")
    legend = page.locator("#result dl.legend")
    terms = legend.locator("dt").all_inner_texts()
    assert terms[: len(STATUS_WORDS)] == STATUS_WORDS
    meanings = legend.locator("dd").all_inner_texts()
    assert all(len(m) > 20 for m in meanings)  # each status explained in a sentence
    statuses = page.locator("[data-status]").all_inner_texts()
    assert statuses and all(s in STATUS_WORDS or s.startswith("regimen: ") for s in statuses)
    assert page.locator('a[href="#result"]').first.is_visible()  # the jump link
