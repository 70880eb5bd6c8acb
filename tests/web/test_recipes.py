"""The recipes of docs/recipes.md, carried out on a copy of the repository's data.

The copy lives in a temporary folder that ``NELMKG_ROOT`` points at; the edits are the
recipes' steps (the numbers in them are test fixtures, not medical facts), then
``nelmkg build``, and the change is followed through the generated shapes, the assessment
and the HTTP API. Expectations are written here by hand from what each edit says.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from flask import Blueprint

from nelmkg import generate, paths
from nelmkg.cases.read import FORMATS
from nelmkg.eligibility.assessor import Assessor
from nelmkg.web import create_app
from nelmkg.web.pages import kit
from nelmkg.web.service import build_service

REPO = Path(__file__).resolve().parents[2]
CASE = json.loads((REPO / "tests" / "data" / "cases" / "milan-age-54.json").read_text())

THRESHOLD = ("    nelm:thresholdValue 55 ;\n    nelm:unit unit:YR ;", "nelm:thresholdValue 50")
NEW_CRITERION = """
crit:lt-milan-recipe-unilobar a nelm:Criterion ;
    rdfs:label "Recipe test: unilobar disease"@en ;
    nelm:inCriteriaSet cset:lt-milan ;
    nelm:criterionOrder 9 ;
    nelm:patientProperty nelm:bilobar ;
    nelm:operator nelm:EqualTo ;
    nelm:thresholdValue false ;
    nelm:unit unit:UNITLESS ;
    nelm:thresholdAsPrinted "recipe" .
"""
NEW_OPTION_KG = """
cset:recipe-option a nelm:CriteriaSet ;
    rdfs:label "Recipe test option"@en .

crit:recipe-option-ki67 a nelm:Criterion ;
    rdfs:label "Recipe test: Ki-67 below 20%"@en ;
    nelm:inCriteriaSet cset:recipe-option ;
    nelm:criterionOrder 1 ;
    nelm:patientProperty nelm:ki67Percent ;
    nelm:operator nelm:LessThan ;
    nelm:thresholdValue 20 ;
    nelm:unit unit:PERCENT ;
    nelm:thresholdAsPrinted "<20% (recipe)" .
"""
NEW_OPTION_SHAPE = """
elig:recipe_option a sh:NodeShape ;
    rdfs:label "Recipe test option"@en ;
    sh:order 11 ;
    elig:optionId "recipe_option" ;
    elig:criteriaSet cset:recipe-option .
"""


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> Path:
    """A copy of the data with the first three recipes applied and ``nelmkg build`` run."""
    root = tmp_path_factory.mktemp("repo")
    for folder in ("ontology", "kg", "shapes", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    criteria = root / "kg" / "criteria.ttl"
    text = criteria.read_text(encoding="utf-8")
    block_start = text.index("crit:lt-milan-age a nelm:Criterion")
    head, tail = text[:block_start], text[block_start:]
    assert THRESHOLD[0] in tail
    tail = tail.replace("nelm:thresholdValue 55", THRESHOLD[1], 1)
    criteria.write_text(head + tail + NEW_CRITERION + NEW_OPTION_KG, encoding="utf-8")
    options = root / "shapes" / "options.ttl"
    options.write_text(options.read_text(encoding="utf-8") + NEW_OPTION_SHAPE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NELMKG_ROOT", str(root))
        assert generate.stale()  # the edits made the generated shapes stale ...
        generate.write()
        assert not generate.stale()  # ... and the build brought them up to date
    return root


@pytest.fixture
def on_copy(edited, monkeypatch) -> Path:
    monkeypatch.setenv("NELMKG_ROOT", str(edited))
    return edited


@pytest.fixture(scope="module")
def copy_assessor(edited) -> Assessor:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NELMKG_ROOT", str(edited))
        return Assessor.from_repository()


def criterion(result: dict, option: str, slug: str) -> dict:
    return next(c for c in result["options"][option]["criteria"] if c["id"].endswith(slug))


def test_change_a_threshold(on_copy, copy_assessor):
    shapes = (on_copy / "shapes" / "eligibility" / "lt_milan.ttl").read_text()
    assert "sh:maxExclusive 50 ;" in shapes and "sh:maxExclusive 55" not in shapes
    result = copy_assessor.assess({**CASE, "age_years": 52})  # met under < 55, not under < 50
    age = criterion(result, "lt_milan", "/lt-milan-age")
    assert (age["result"], age["threshold"]) == ("failed", "< 50")
    assert result["options"]["lt_milan"]["status"] == "not_eligible"


def test_add_a_criterion(on_copy, copy_assessor):
    assert (
        "elig:lt-milan-recipe-unilobar" in (on_copy / "shapes/eligibility/lt_milan.ttl").read_text()
    )
    for bilobar, expected in ((False, "met"), (True, "failed")):
        result = copy_assessor.assess({**CASE, "age_years": 40, "bilobar": bilobar})
        assert criterion(result, "lt_milan", "/lt-milan-recipe-unilobar")["result"] == expected
    missing = {k: v for k, v in CASE.items() if k != "bilobar"}
    assert copy_assessor.assess({**missing, "age_years": 40})["options"]["lt_milan"]["status"] == (
        "indeterminate"
    )


@pytest.mark.parametrize(
    ("ki67", "status"),
    [(5, "eligible"), (19.9, "eligible"), (20, "not_eligible"), (None, "indeterminate")],
)
def test_add_a_treatment_option(copy_assessor, ki67, status):
    case = {**CASE, "ki67_pct": ki67}
    assert copy_assessor.assess(case)["options"]["recipe_option"]["status"] == status


def test_a_new_option_reaches_the_api(on_copy):
    service = build_service()
    try:
        client = create_app({"COMMIT": "0" * 40}, service=service).test_client()
        response = client.post("/assess", json={**CASE, "ki67_pct": 5})
        assert response.status_code == 200
        assert response.get_json()["options"]["recipe_option"]["status"] == "eligible"
    finally:
        service.close()


def test_add_a_named_query(tmp_path, monkeypatch):
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "recipe-recommendations.rq").write_text(
        "#+ summary: How many recommendations the review makes\n"
        "PREFIX nelm: <https://w3id.org/nelmkg/ontology#>\n"
        "SELECT (COUNT(?r) AS ?n) WHERE { ?r a nelm:Recommendation }\n",
        encoding="utf-8",
    )
    service = build_service(queries_dir=folder)
    try:
        client = create_app({"COMMIT": "0" * 40}, service=service).test_client()
        listed = client.get("/queries").get_json()["queries"]
        assert [q["name"] for q in listed] == ["recipe-recommendations"]
        body = client.get("/queries/recipe-recommendations").get_json()
        expected = (REPO / "kg" / "recommendations.ttl").read_text().count(" a nelm:Recommendation")
        assert int(body["results"]["bindings"][0]["n"]["value"]) == expected
    finally:
        service.close()


N3_CASE = """@prefix nelm: <https://w3id.org/nelmkg/ontology#> .
<recipe-n3> a nelm:Patient ; nelm:ki67Percent 12 ; nelm:whoGrade nelm:GradeG2 .
"""


def test_add_an_input_format(client, monkeypatch, service, request):
    before = client.post("/assess", data=N3_CASE, content_type="text/n3")
    assert before.status_code == 415
    monkeypatch.setitem(FORMATS, "text/n3", "n3")
    # Cases are read in case evaluator processes forked at start-up: in the code the format
    # is there before the fork; patched at run time, the evaluators must be forked again.
    service.cases.close()
    request.addfinalizer(service.cases.close)  # after the patch is undone, fork afresh
    after = client.post("/assess", data=N3_CASE, content_type="text/n3")
    assert after.status_code == 200 and after.get_json()["case"] == "recipe-n3"
    assert "text/n3" in client.post("/assess", data="", content_type="x/y").headers["Accept-Post"]


def test_add_a_page(app, tmp_path):
    (tmp_path / "recipe.html").write_text(
        '{% extends "base.html" %}{% block body %}<h1>Recipe page</h1>{% endblock %}'
    )
    bp = Blueprint("recipe", __name__, template_folder=str(tmp_path))

    @bp.get("/recipe")
    def recipe():
        """A page added by the recipe."""
        kit.choose(kit.HTML_ONLY)
        return kit.page("recipe.html")

    app.register_blueprint(bp)
    page = app.test_client().get("/recipe", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Recipe page</h1>" in html and '<nav class="site" aria-label="Site">' in html
    doc = app.test_client().get("/openapi.json").get_json()
    assert doc["paths"]["/recipe"]["get"]["summary"] == "A page added by the recipe."


def test_the_copy_is_not_the_repository(edited):
    assert paths.root() == REPO  # the recipes never touched the checkout
    assert "sh:maxExclusive 55" in (REPO / "shapes/eligibility/lt_milan.ttl").read_text()
