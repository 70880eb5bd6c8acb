"""``/healthz`` and ``/version``."""

from nelmkg import __version__
from nelmkg.graph.store import store_info
from nelmkg.query.evaluator import EvaluatorError


def test_healthz_counts_triples(client, service):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    info = store_info(service.store)
    assert body["status"] == "ok"
    assert body["triples"] == {"default": info.default, **info.graphs}
    # the default graph is the union: no bigger than the graphs together, no smaller than any
    assert max(info.graphs.values()) <= info.default <= sum(info.graphs.values())
    assert body["evaluator"]["pid"] > 0


def test_healthz_when_the_evaluator_is_down(client, service, monkeypatch, assert_problem):
    def down(*args, **kwargs):
        raise EvaluatorError("gone")

    monkeypatch.setattr(service.evaluator, "call", down)
    assert_problem(client.get("/healthz"), 503, "evaluator-down")


def test_version(client):
    body = client.get("/version").get_json()
    assert body["nelmkg"] == __version__
    assert body["commit"] == "0" * 40
    assert body["ontology"]["version"]
    assert body["ontology"]["version_iri"].startswith("https://w3id.org/nelmkg/ontology/")
    assert body["rdflib"] and body["pyoxigraph"]


def test_version_commit_from_git(make_app):
    body = make_app(COMMIT=None).test_client().get("/version").get_json()
    assert body["commit"] is None or len(body["commit"]) == 40
