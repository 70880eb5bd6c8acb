"""Two stateless front ends over one store answer identically (the deployment of
docs/external-store.md: N ``nelmkg serve --store URL`` behind a load balancer, one store).

Two real ``nelmkg serve --store`` processes over the loaded Oxigraph server get the same
requests: the hand-written /sparql set, every named query with its first example, the pages,
the audit and profile reports and an assessment of every case fixture. Their answers are
compared with each other and with the embedded store's (as in ``test_same_answers``).
"""

from __future__ import annotations

import contextlib
import json
from urllib.parse import urlencode

import pytest

from nelmkg.testing import live

from .test_same_answers import (
    PAGES,
    REPORTS,
    assert_same,
    case_files,
    comparable,
    named_calls,
    named_headers,
    sparql_set,
)


def _requests() -> list[tuple[str, str, str, bytes | None, dict]]:
    """Return (id, method, path, body, headers) for every request both front ends get."""
    found = []
    for qid, text, params, headers in sparql_set():
        if qid.startswith("set/"):
            body = urlencode([("query", text), *map(tuple, params)]).encode()
            form = {"Content-Type": "application/x-www-form-urlencoded", **headers}
            found.append((qid, "POST", "/sparql", body, form))
    found += [(call, "GET", path, None, named_headers(path)) for call, path in named_calls()]
    found += [(path, "GET", path, None, {"Accept": "text/html"}) for path in PAGES]
    found += [(path, "GET", path, None, {}) for path in REPORTS if path != "/healthz"]
    for case in case_files():
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        found.append((case.name, "POST", "/assess", case.read_bytes(), headers))
    return found


@pytest.fixture(scope="module")
def replicas(oxigraph, tmp_path_factory):
    """Two ``nelmkg serve --store`` processes over the loaded Oxigraph server."""
    folder = tmp_path_factory.mktemp("replicas")
    with contextlib.ExitStack() as stack:
        bases = []
        for number in (1, 2):
            port = live.free_port()
            command = [*live.serve_command(port, 1), "--store", oxigraph.query_url]
            log = folder / f"replica-{number}.log"
            bases.append(stack.enter_context(live.running(command, port, log=log)).base)
        yield bases


def test_health_names_the_external_store(replicas):
    for base in replicas:
        reply = live.fetch(base, "GET", "/healthz")
        assert reply.status_code == 200
        assert json.loads(reply.data)["store"]["kind"] == "external"


def test_two_front_ends_answer_identically(replicas, client):
    differ = []
    requests = _requests()
    texts = {qid: text for qid, text, *_ in sparql_set()}
    for rid, method, path, body, headers in requests:
        # One host name for both, as behind a load balancer (pages show the endpoint's URL).
        sent = {**headers, "Host": "localhost"}
        first, second = (live.fetch(b, method, path, body, sent) for b in replicas)
        embedded = client.open(path, method=method, data=body, headers=headers)
        text = texts.get(rid, "")  # a /sparql query's text: is its order to be compared?
        try:
            for one, other, which in ((first, second, "replicas"), (embedded, first, "embedded")):
                if (one.status_code, one.data) != (other.status_code, other.data):  # else: same
                    assert_same(comparable(one, text), comparable(other, text), f"{rid} ({which})")
        except AssertionError as exc:
            differ.append(f"{rid}: {exc}"[:400])
    assert not differ, f"{len(differ)} of {len(requests)} differ: {differ[:5]}"
