"""Fixtures of the web service tests: one loaded service per session, a fresh app per test.

The session's :class:`~nelmkg.web.service.Service` holds the bundled graphs plus
``tests/data/web/protocol.trig`` (the graphs the W3C protocol tests name) and one evaluator
process; every ``app`` reuses it with its own config. ``assert_problem`` is the one check of
the problem+json error shape, for test-client and live responses alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nelmkg.web import create_app
from nelmkg.web.problems import PROBLEM_BASE
from nelmkg.web.service import build_service

WEB_DATA = Path(__file__).parent.parent / "data" / "web"
PROTOCOL_DATA = WEB_DATA / "protocol.trig"


@pytest.fixture(scope="session")
def web_data() -> Path:
    """The folder of the web tests' data files."""
    return WEB_DATA


@pytest.fixture(scope="session")
def service():
    """The service loaded once: bundled graphs + protocol test graphs, one evaluator."""
    built = build_service([PROTOCOL_DATA], memory_mb=1024)
    yield built
    built.close()


@pytest.fixture
def make_app(service):
    """Return a factory of apps sharing the session's service, with config overrides."""

    def make(**config):
        return create_app({"SERVICE": service, "COMMIT": "0" * 40, **config})

    return make


@pytest.fixture
def app(make_app):
    """An app with the default configuration."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


def check_problem(response, status: int, slug: str | None = None, **members) -> dict:
    """Assert ``response`` is an RFC 9457 problem with ``status`` (and ``slug``); return it.

    ``response`` is a Flask test response or anything with ``status_code``, ``mimetype``
    and ``data`` (the live-server tests wrap their replies so).
    """
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/problem+json"
    text = response.data.decode("utf-8")
    assert "Traceback" not in text and 'File "' not in text
    body = json.loads(text)
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["type"] == (PROBLEM_BASE + slug if slug else "about:blank")
    assert body["title"] and body["detail"]
    for name, value in members.items():
        assert body.get(name) == value, (name, body)
    return body


@pytest.fixture(scope="session")
def assert_problem():
    """The problem+json assertion helper (see :func:`check_problem`)."""
    return check_problem


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """``nelmkg serve`` under gunicorn (2 workers, query time limit 2 s) on a free local port.

    Yields ``(base_url, process, log_path)``; the server is stopped (and reaped) at the end.
    """
    import contextlib
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    log = tmp_path_factory.mktemp("live") / "server.log"
    env = {**os.environ, "NELMKG_QUERY_TIMEOUT": "2", "NELMKG_MAX_ROWS": "1000"}
    command = [
        sys.executable,
        "-m",
        "nelmkg.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--data",
        str(PROTOCOL_DATA),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the server did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.1)
    yield base, process, log
    process.terminate()  # gunicorn stops its workers; evaluators die with their worker
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # leftovers in the server's own group
        os.killpg(process.pid, signal.SIGKILL)
