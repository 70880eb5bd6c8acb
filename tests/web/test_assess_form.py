"""The assessment form: a blank is missing for every field, never a value.

The keys come from the case context (the one definition of the case format), so a new key is
tested without editing this file. What a browser submits for an untouched form is worked out
by :mod:`formdata` from the HTML rules, independently of the page's code.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from nelmkg.cases.context import load_context

from .formdata import default_submission

HTML = {"Accept": "text/html"}
KEYS = load_context().keys


def sample(key) -> str:
    """A value the case format accepts for ``key`` (the first allowed one for a choice)."""
    if key.kind == "concept":
        return next(iter(key.values))
    if key.kind == "boolean":
        return "yes"  # the form asks yes / no / unknown
    return "1"  # inside every numeric fact's format range (0-100, > 0, >= 0, whole)


def page(response) -> str:
    assert response.status_code == 200, response.data[:300]
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def blank(service) -> str:
    """The form as served (GET), once per module."""
    from nelmkg.web import create_app

    client = create_app({"COMMIT": "0" * 40}, service=service).test_client()
    return page(client.get("/assess/form", headers=HTML))


def test_the_form_has_one_input_per_case_key(blank):
    served = {name for name, _ in default_submission(blank, "case")}
    assert served == set(KEYS), "every case key must be a field, and nothing else"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_untouched_field_submits_nothing(blank, key):
    """The served form submits an empty value for every field (the safety defect: a select
    whose first allowed value was preselected sent ``extrahepatic_disease=none``)."""
    submitted = dict(default_submission(blank, "case"))
    assert submitted.get(key, "") == "", f"{key} submits {submitted.get(key)!r} when left blank"


def test_blank_form_meets_no_criterion(client, blank):
    """Submitted untouched, the form assesses a case with no facts: every criterion is
    missing, none met, and no option is eligible or not eligible."""
    result = page(
        client.post("/assess/form", data=MultiDict(default_submission(blank, "case")), headers=HTML)
    )
    results = re.findall(r'data-result="([a-z_]+)"', result)
    assert results, "the result lists no criterion"
    assert set(results) == {"missing"}, sorted(set(results))
    statuses = re.findall(r'data-status="([a-z_]+)"', result)
    assert statuses and set(statuses) == {"indeterminate"}, sorted(set(statuses))


@pytest.mark.parametrize("key", sorted(KEYS))
def test_one_field_given_is_the_only_fact(client, key):
    """Given one field, the case holds that fact alone, and the form shows it back (the other
    fields stay blank)."""
    value = sample(KEYS[key])
    result = page(client.post("/assess/form", data={key: value}, headers=HTML))
    again = dict(default_submission(result, "case"))
    assert again.get(key) == value
    others = {k: v for k, v in again.items() if k != key and v != ""}
    assert others == {}, f"given only {key}, the form also shows {others}"
    values = set(re.findall(r'data-key="([a-z0-9_]+)" data-value="[^"]+"', result))
    assert values <= {key}, f"criteria show values for {values - {key}}"
