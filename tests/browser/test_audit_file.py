"""The file ``nelmkg audit --format html`` writes, opened in Chromium: an index whose links open
each recommendation's section and each flag, in the site's look, readable at 390 px, with no
serious axe-core violation. Nothing is fetched: the file is self-contained."""

from __future__ import annotations

import re

import pytest

from nelmkg.cli import main

from .test_accessibility import serious

pytestmark = pytest.mark.browser
REC = "lt-research-before-routine-practice"


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("audit-file") / "audit.html"
    assert main(["audit", "--format", "html", "-o", str(target)]) == 0
    return target.as_uri()


def test_an_index_link_opens_the_recommendations_section(page, audit_file):
    page.goto(audit_file)
    heading = page.locator(f"#rec-{REC}")
    assert not heading.is_visible()  # sections start closed: the file reads as an index
    page.locator(f'table.audit-index a[href="#rec-{REC}"]').click()
    page.wait_for_url(re.compile(f"#rec-{REC}$"))
    assert heading.is_visible()
    box = heading.bounding_box()
    assert 0 <= box["y"] < page.viewport_size["height"]
    tag = page.locator(f"#rec-{REC} ~ section.claim a.tag").first  # a flag of one of its claims
    target = tag.get_attribute("href")
    tag.click()
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    assert page.locator(target).is_visible()


def test_the_closed_file_is_an_index(page, audit_file):
    page.goto(audit_file)
    closed = page.evaluate("() => document.documentElement.scrollHeight")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    opened = page.evaluate("() => document.documentElement.scrollHeight")
    assert closed * 4 < opened, (closed, opened)


def test_no_sideways_scrolling_at_390px(page, audit_file):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(audit_file)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_axe_finds_no_serious_violation_in_the_file(page, audit_file):
    page.goto(audit_file)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    assert serious(page) == []
