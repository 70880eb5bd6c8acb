"""The assessment form reads as the data says: labels, descriptions and units of the facts from
the case shapes and the ontology, yes / no / unknown answers, every error at once beside its
field with a summary on top, statuses in words with a legend, options in clinical order.

Expectations are read here with rdflib from the edited and generated source files (the case
shapes, the ontology, shapes/options.ttl) or written by hand from the case format
(docs/case-format.md); nothing is taken from the code under test.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH, SKOS

from nelmkg import paths
from nelmkg.cases.context import load_context
from nelmkg.graph.vocab import NELM

from .formdata import default_submission
from .visible import visible_text

HTML = {"Accept": "text/html"}
KEYS = load_context().keys
QUDT = Namespace("http://qudt.org/schema/qudt/")
ELIG = Namespace("https://w3id.org/nelmkg/shapes/eligibility#")
# The statuses of docs/case-format.md in the words the issue asks for (hand-written).
STATUS_WORDS = ["eligible", "not eligible", "missing data", "ambiguous", "not applicable"]
# Units as a person reads them (hand-written from the case format's keys).
UNITS = {
    "age_years": "years",
    "ki67_pct": "%",
    "largest_lesion_cm": "cm",
    "liver_lesion_count": None,
    "months_stable_or_responsive": "months",
}


@pytest.fixture(scope="module")
def case_shapes() -> Graph:
    graph = Graph()
    for path in sorted((paths.root() / "shapes" / "case").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def shape_of(shapes: Graph, key: str) -> URIRef:
    (shape,) = [s for s in shapes.subjects(SH.name, None) if str(shapes.value(s, SH.name)) == key]
    return shape


def post(client, data) -> str:
    response = client.post("/assess/form", data=data, headers=HTML)
    assert response.status_code == 200, response.data[:300]
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def blank(service) -> str:
    from nelmkg.web import create_app

    client = create_app({"COMMIT": "0" * 40}, service=service).test_client()
    response = client.get("/assess/form", headers=HTML)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def field_html(page: str, key: str) -> str:
    """The markup of one field: from its container to the next field's."""
    start = page.index(f'id="h-{key}"')
    start = max(
        page.rfind('<div class="field', 0, start), page.rfind('<fieldset class="field', 0, start)
    )
    end = min(
        i
        for i in (
            page.find('<div class="field', start + 1),
            page.find('<fieldset class="field', start + 1),
            page.find("</form>", start),
        )
        if i != -1
    )
    return page[start:end]


@pytest.mark.parametrize("key", sorted(KEYS))
def test_each_field_shows_the_shapes_label_and_description(blank, case_shapes, key):
    shape = shape_of(case_shapes, key)
    label = str(case_shapes.value(shape, RDFS.label))
    description = str(case_shapes.value(shape, SH.description))
    text = visible_text(field_html(blank, key))
    assert text.lower().startswith(label.lower()), (text[:80], label)
    assert description in text.replace("’", "'")


@pytest.mark.parametrize("key", sorted(k for k in KEYS if KEYS[k].kind in ("number", "integer")))
def test_each_number_shows_the_ontologys_unit(blank, source_graphs, key):
    onto = source_graphs["ontology"]
    unit = onto.value(KEYS[key].property, NELM.factUnit)
    html = field_html(blank, key)
    shown = re.search(r'<span class="unit"[^>]*>([^<]*)</span>', html)
    if unit is None or str(onto.value(unit, QUDT.ucumCode)) == "1":
        assert shown is None, f"{key}: a count shows no unit"
    else:
        assert shown and shown[1] == str(onto.value(unit, SKOS.notation)), key
    if key in UNITS:
        assert (shown[1] if shown else None) == UNITS[key]


def test_people_read_labels_not_json_keys(blank):
    text = visible_text(blank)
    for key in KEYS:
        if "_" in key:
            assert key not in text, key
    assert "true" not in text.split() and "false" not in text.split()
    assert "concept" not in text.split() and "boolean" not in text.lower()


@pytest.mark.parametrize("key", sorted(k for k in KEYS if KEYS[k].kind in ("boolean", "concept")))
def test_choices_are_radio_buttons_with_unknown_checked(blank, case_shapes, source_graphs, key):
    html = field_html(blank, key)
    radios = re.findall(
        r'<input type="radio"[^>]*name="' + key + r'" value="([^"]*)"([^>]*)>', html
    )
    values = [v for v, _ in radios]
    if KEYS[key].kind == "boolean":
        assert values == ["yes", "no", ""]
        assert re.findall(r"> (yes|no|unknown)</label>", html) == ["yes", "no", "unknown"]
    else:  # the allowed values in the order of the shape's sh:in, shown by their labels
        members = list(
            Collection(case_shapes, case_shapes.value(shape_of(case_shapes, key), SH["in"]))
        )
        onto = source_graphs["ontology"]
        assert values == [str(onto.value(m, SKOS.notation)) for m in members] + [""]
        text = visible_text(html)
        for m in members:
            assert str(onto.value(m, RDFS.label)) in text
    checked = [v for v, rest in radios if "checked" in rest]
    assert checked == [""], f"{key}: only 'unknown' is checked on a blank form"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_choosing_unknown_is_missing_data(client, key):
    """Answering "unknown" (an empty value) leaves the fact out: its criteria say missing."""
    page = post(client, {key: ""})
    results = set(re.findall(r'data-result="([a-z_]+)"', page))
    assert results == {"missing"}
    assert f'data-key="{key}"' not in page


def bad_value(key) -> str:
    """A value the form cannot read for ``key`` (hand-written, by kind)."""
    kind = KEYS[key].kind
    return {"number": "12,5", "integer": "2.5", "boolean": "true", "concept": "maybe"}[kind]


@pytest.mark.parametrize("key", sorted(KEYS))
def test_a_bad_value_is_reported_beside_its_field_and_in_the_summary(client, key):
    page = post(client, {key: bad_value(key)})
    assert 'id="result"' not in page, "no verdict on bad input"
    summary = page[
        page.index('class="error-summary"') : page.index(
            "</div>", page.index('class="error-summary"')
        )
    ]
    assert re.findall(r'href="#([^"]+)"', summary) == [f"f-{key}"]
    assert f'id="f-{key}"' in page  # the link's target exists
    html = field_html(page, key)
    assert f'id="e-{key}"' in html and "invalid" in html


def test_every_error_at_once_with_the_entries_kept(client):
    data = {key: bad_value(key) for key in KEYS}
    page = post(client, data)
    summary = page[
        page.index('class="error-summary"') : page.index(
            "</ul>", page.index('class="error-summary"')
        )
    ]
    assert set(re.findall(r'href="#f-([^"]+)"', summary)) == set(KEYS)
    for key in KEYS:
        assert f'id="e-{key}"' in page, key
    kept = dict(default_submission(page, "case"))
    for key, kind in ((k, KEYS[k].kind) for k in KEYS):
        if kind in ("number", "integer"):
            assert kept[key] == data[key], f"{key}: what was typed is shown again"


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("ki67_pct", "150", "from 0 to 100 %"),  # "Ki-67 index, %": 0 to 100 (case format)
        ("largest_lesion_cm", "0", "greater than 0 cm"),  # a diameter is > 0
        ("age_years", "-1", "0 years or more"),
        ("liver_lesion_count", "-2", "0 or more"),
    ],
)
def test_out_of_range_numbers_say_the_range(client, key, value, words):
    page = post(client, {key: value})
    assert words in visible_text(field_html(page, key)), visible_text(field_html(page, key))


def test_statuses_in_words_with_a_legend(client):
    page = post(
        client, {"who_grade": "G2", "ki67_pct": "10", "extrahepatic_disease": "significant"}
    )
    text = visible_text(page)
    legend = page[
        page.index('<dl class="legend"') : page.index("</dl>", page.index('<dl class="legend"'))
    ]
    terms = re.findall(r"<dt[^>]*>([^<]+)</dt>", legend)
    assert terms[: len(STATUS_WORDS)] == STATUS_WORDS
    for raw in ("not_eligible", "indeterminate", "not_applicable"):
        assert raw not in text
    statuses = re.findall(r'data-status="[a-z_]+">([^<]+)<', page)
    assert statuses and set(statuses) <= set(STATUS_WORDS) | {
        s for s in statuses if s.startswith("regimen: ")
    }
    assert "not eligible" in statuses


def test_options_in_the_clinical_order_of_the_option_shapes(client, options_source):
    order = sorted(
        options_source.subjects(ELIG.optionId, None),
        key=lambda n: int(options_source.value(n, SH.order)),
    )
    labels = [str(options_source.value(n, RDFS.label)) for n in order]
    page = post(client, {})
    table = page[
        page.index('<table class="options"') : page.index(
            "</table>", page.index('<table class="options"')
        )
    ]
    shown = [visible_text(a) for a in re.findall(r'<a href="#opt-[^"]+">(.*?)</a>', table)]
    assert shown == labels


def test_a_link_jumps_to_the_result(client):
    page = post(client, {"who_grade": "G1"})
    assert 'href="#result"' in page and 'id="result"' in page
    assert 'action="/assess/form#result"' in page
