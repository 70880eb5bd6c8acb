"""``/healthz``, ``/readyz`` and ``/version``, checked against what the files themselves say.

Triple counts come from rdflib parsing the data files (``expected_triples``), the versions from
the text of ``pyproject.toml`` and ``ontology/nelm.ttl`` and from the libraries' own
``__version__``: none of them from the functions that build the answers.
"""

import os
import re
import shutil
import signal
import subprocess
import time
import tomllib

import pyoxigraph
import pytest
import rdflib

from nelmkg import paths
from nelmkg.graph.store import StoreInfo
from nelmkg.query.evaluator import EvaluatorError
from nelmkg.web.lanes import PoolTimeout


def test_healthz_counts_triples(client, expected_triples):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["triples"] == expected_triples
    assert body["evaluator"]["pid"] > 0


def test_healthz_when_the_evaluator_is_down(client, service, monkeypatch, assert_problem):
    def down(*args, **kwargs):
        raise EvaluatorError("gone")

    monkeypatch.setattr(service.evaluator, "call", down)
    assert_problem(client.get("/healthz"), 503, "evaluator-down")


def ontology_header() -> dict[str, str]:
    """Read owl:versionInfo and owl:versionIRI straight from the text of ontology/nelm.ttl."""
    text = (paths.root() / "ontology" / "nelm.ttl").read_text(encoding="utf-8")
    (info,) = re.findall(r'owl:versionInfo\s+"([^"]+)"', text)
    (iri,) = re.findall(r"owl:versionIRI\s+<([^>]+)>", text)
    return {"version": info, "version_iri": iri}


def test_version(client):
    body = client.get("/version").get_json()
    with (paths.root() / "pyproject.toml").open("rb") as handle:
        package = tomllib.load(handle)["project"]["version"]
    assert body == {
        "nelmkg": package,
        "commit": "0" * 40,
        "ontology": ontology_header(),
        "rdflib": rdflib.__version__,
        "pyoxigraph": pyoxigraph.__version__,
    }


def test_version_commit_from_git(make_app):
    body = make_app(COMMIT=None).test_client().get("/version").get_json()
    git = shutil.which("git")
    asked = git and subprocess.run(
        [git, "-C", str(paths.root()), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    expected = asked.stdout.strip() if asked and asked.returncode == 0 else None
    assert body["commit"] == expected


def test_healthz_names_the_worker(client):
    assert client.get("/healthz").get_json()["worker"] == os.getpid()


def test_readyz_when_ready(client, service):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {
        "status": "ready",
        "checks": {"data": "ok", "query_evaluator": "ok", "case_evaluator": "ok"},
    }
    assert service.evaluator.pids and service.cases.pids  # both pools have a live process


@pytest.mark.parametrize("pool", ["evaluator", "cases"])
def test_readyz_when_an_evaluator_pool_is_down(client, service, monkeypatch, assert_problem, pool):
    def down(*args, **kwargs):
        raise EvaluatorError("gone")

    monkeypatch.setattr(getattr(service, pool), "call", down)
    name = {"evaluator": "query_evaluator", "cases": "case_evaluator"}[pool]
    body = assert_problem(client.get("/readyz"), 503, "not-ready", failed=[name])
    assert body["checks"][name] == "down"


def test_readyz_counts_busy_evaluators_as_alive(client, service, monkeypatch):
    def busy(*args, **kwargs):
        raise PoolTimeout("no evaluator free")

    monkeypatch.setattr(service.evaluator, "call", busy)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["query_evaluator"] == "busy"


def test_readyz_starts_a_dead_case_evaluator_again(client, service):
    client.get("/readyz")
    killed = set(service.cases.pids)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert client.get("/readyz").get_json()["checks"]["case_evaluator"] == "ok"
    assert set(service.cases.pids) - killed, "the ping must have started a new evaluator"


@pytest.mark.parametrize("loaded", ["no triples", "no named queries"])
def test_readyz_when_the_data_is_not_loaded(client, service, monkeypatch, assert_problem, loaded):
    if loaded == "no triples":
        monkeypatch.setattr(service, "info", StoreInfo(graphs={}, default=0))
    else:
        monkeypatch.setattr(service, "named", {})
    body = assert_problem(client.get("/readyz"), 503, "not-ready", failed=["data"])
    assert body["checks"] == {"data": "empty", "query_evaluator": "ok", "case_evaluator": "ok"}
