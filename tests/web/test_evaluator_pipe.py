"""What crosses the evaluator's pipe (plain data and raw bytes, never a pickle) and when an
evaluator that made a private copy of the store retires (:mod:`nelmkg.query.evaluator`)."""

from __future__ import annotations

import os
from multiprocessing.connection import Connection

import pytest

from nelmkg.query.evaluator import Evaluator
from nelmkg.query.jobs import Answer, QueryFailure

# Every byte value, and more than one pipe buffer: the body must come back exactly.
BODY = bytes(range(256)) * 40_000
TABLE = (["s", "o"], [[("iri", "http://e/s"), ("literal", "caf\u00e9")]])


def _answer(form: str) -> Answer:
    return Answer(form, "json", BODY, True, TABLE)


def _fail(_payload) -> None:
    raise QueryFailure(400, "query-syntax", "no", line=1, column=None)


def _grow(megabytes: int) -> int:
    """Touch ``megabytes`` of fresh memory (as a scan touches store pages); return the pid."""
    block = bytearray(megabytes * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return os.getpid()


HANDLERS = {"answer": _answer, "fail": _fail, "grow": _grow, "echo": lambda payload: payload}


@pytest.fixture
def no_pickle(monkeypatch):
    """Make ``Connection.send``/``recv`` (pickle) fail, in this process and in forked ones."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("something was pickled over the pipe")

    monkeypatch.setattr(Connection, "send", refuse)
    monkeypatch.setattr(Connection, "recv", refuse)


def test_an_answer_comes_back_whole_without_pickle(no_pickle):
    evaluator = Evaluator(HANDLERS)
    try:
        assert evaluator.call("answer", "solutions", 5) == Answer(
            "solutions", "json", BODY, True, TABLE
        )
        payload = {"query": "ASK {}", "graphs": ("http://e/g",), "rows": 10, "none": None}
        assert evaluator.call("echo", payload, 5) == payload
        with pytest.raises(QueryFailure) as failure:
            evaluator.call("fail", None, 5)
        assert (failure.value.status, failure.value.slug, failure.value.members) == (
            400,
            "query-syntax",
            {"line": 1, "column": None},
        )
    finally:
        evaluator.close()


@pytest.mark.parametrize(
    ("retire_mb", "grow_mb", "replaced"),
    [(16, 64, True), (16, 1, False), (0, 64, False)],
)
def test_an_evaluator_that_grew_retires_after_answering(retire_mb, grow_mb, replaced):
    reasons: list[str] = []
    evaluator = Evaluator(HANDLERS, on_restart=reasons.append, retire_mb=retire_mb)
    try:
        first = evaluator.call("grow", grow_mb, 30)  # answered, whatever happens next
        second = evaluator.call("grow", 0, 30)
        assert (second != first) is replaced
        assert reasons == (["retired"] if replaced else [])  # counted by /metrics
    finally:
        evaluator.close()


def test_an_answer_comes_back_in_one_message(monkeypatch):
    # One message per answer: the waiting worker thread is woken once, not for a header and
    # again for the body (issue 14's HTTP path).
    evaluator = Evaluator(HANDLERS)
    received: list[int] = []
    original = Connection.recv_bytes

    def counted(self, *args, **kwargs):
        message = original(self, *args, **kwargs)
        received.append(len(message))
        return message

    try:
        evaluator.call("echo", None, 5)  # the child is forked before counting starts
        monkeypatch.setattr(Connection, "recv_bytes", counted)
        assert evaluator.call("answer", "solutions", 5).body == BODY
        assert len(received) == 1 and received[0] > len(BODY)
    finally:
        evaluator.close()
