"""The per-worker answer cache: same job, same answer, without asking the evaluator again."""

import pytest

from nelmkg.query.cache import AnswerCache
from nelmkg.query.jobs import Answer, Job


@pytest.fixture
def counted(service, monkeypatch):
    """The session's service with a 1 MiB cache and a count of evaluator calls."""
    calls = []
    real = service.evaluator.call

    def call(op, payload, timeout, *args, **kwargs):
        calls.append(payload)
        return real(op, payload, timeout, *args, **kwargs)

    monkeypatch.setattr(service.evaluator, "call", call)
    monkeypatch.setattr(service, "cache", AnswerCache(1024 * 1024))
    return calls


def test_repeated_query_is_answered_from_the_cache(client, counted):
    first = client.get("/sparql?query=SELECT%20*%20%7B%3Fs%20a%20%3Fo%7D%20LIMIT%203")
    again = client.get("/sparql?query=SELECT%20*%20%7B%3Fs%20a%20%3Fo%7D%20LIMIT%203")
    assert first.data == again.data and len(counted) == 1
    client.get(
        "/sparql?query=SELECT%20*%20%7B%3Fs%20a%20%3Fo%7D%20LIMIT%203",
        headers={"Accept": "text/csv"},
    )
    assert len(counted) == 2, "another format is another answer"


@pytest.mark.parametrize("function", ["NOW()", "RAND()", "STRUUID()", "uuid()", "BNODE()"])
def test_volatile_queries_are_not_cached(client, counted, function):
    for _ in range(2):
        client.get("/sparql", query_string={"query": f"SELECT ({function} AS ?x) {{}}"})
    assert len(counted) == 2


def test_cache_is_bounded():
    cache = AnswerCache(16 * 1000)
    for i in range(100):
        cache.put(Job(query=f"q{i}"), Answer("solutions", "json", b"x" * 900))
    assert cache.size <= 16 * 1000
    assert cache.get(Job(query="q99")) is not None and cache.get(Job(query="q0")) is None
    cache.put(Job(query="big"), Answer("solutions", "json", b"x" * 2000))
    assert cache.get(Job(query="big")) is None, "an answer over 1/16 of the budget is not kept"


def test_cache_off():
    assert not AnswerCache(0).cacheable(Job(query="ASK {}"))
