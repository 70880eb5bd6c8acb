"""Request ids: a sane ``X-Request-Id`` is kept, anything else replaced; the id comes back in
the response and is on every log record of the request (in-process; the live server's JSON
lines are ``test_logs_live.py``)."""

from __future__ import annotations

import logging
import re

import pytest

from nelmkg.web.logs import RequestIdFilter

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "sent",
    ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "req.7:zone/a+b=", "A" * 128],
)
def test_a_sane_request_id_is_kept(client, sent):
    assert client.get("/version", headers={"X-Request-Id": sent}).headers["X-Request-Id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["", "A" * 129, "has space", "-leading-dash", 'quote"d', "semi;colon", "ünï", "a\tb"],
)
def test_anything_else_gets_a_new_id(client, sent):
    got = client.get("/version", headers={"X-Request-Id": sent}).headers["X-Request-Id"]
    assert HEX32.fullmatch(got) and got != sent


def test_every_response_has_its_own_id(client, assert_problem):
    ids = {client.get("/version").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5 and all(HEX32.fullmatch(i) for i in ids)
    missing = client.get("/queries/no-such-query")
    assert_problem(missing, 404, "unknown-query")
    assert HEX32.fullmatch(missing.headers["X-Request-Id"])


def test_cors_exposes_the_request_id(make_app):
    response = make_app(CORS="*").test_client().get("/version")
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]


def test_the_access_log_record_carries_the_id_and_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger="nelmkg.access"):
        response = client.get("/queries/no-such-query?secret=1", headers={"X-Request-Id": "r-1"})
    (record,) = [r for r in caplog.records if r.name == "nelmkg.access"]
    assert response.headers["X-Request-Id"] == "r-1"
    fields = {k: getattr(record, k) for k in ("request_id", "method", "path", "route", "status")}
    assert fields == {
        "request_id": "r-1",
        "method": "GET",
        "path": "/queries/no-such-query",
        "route": "/queries/<name>",
        "status": 404,
    }
    assert record.in_bytes == len("secret=1") and "secret" not in record.getMessage()


def test_records_logged_during_a_request_get_its_id(app):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("nelmkg.test.request-id")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with app.test_request_context("/version", headers={"X-Request-Id": "inside-1"}):
            app.preprocess_request()  # the before_request hooks give the request its id
            logger.info("during")
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    assert [getattr(r, "request_id", None) for r in records] == ["inside-1", None]
