"""Floor anchors for ``service_bench.py``: the least any Python app costs on nelmkg's stack.

Both run under the very stack ``nelmkg serve`` uses — gunicorn's master, ``--preload``, the
same number of workers, each a :class:`nelmkg.web.front.GuardedWorker` (waitress, guards) on
the same thread count (:func:`nelmkg.web.lanes.thread_count` of the default settings) — so the
gap between them and ``nelmkg serve`` is what nelmkg's own request path costs, and the gap
between them and the Oxigraph server is what the stack costs before any app work:

- ``wsgi``: a bare WSGI callable that reads ``query`` from the query string and returns the
  answer computed for that text once at start-up (on the same store, by Oxigraph's own
  serialisers); any other query gets 404. The ceiling of any Python app on this stack.
- ``flask``: a minimal Flask app that evaluates every query in the worker thread itself on
  the same pyoxigraph store and writes it with Oxigraph's serialisers — no evaluator process,
  so no time limit and no row cap: what the safety of issue 12 costs, beside nelmkg.

Run by ``service_bench.py`` as ``service_bench.py --floor-server KIND PORT``.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from nelmkg.web.sparql.protocol import unquote, url_params

SOLUTIONS = ("application/sparql-results+json", ox.QueryResultsFormat.JSON)
GRAPH = ("text/turtle", ox.RdfFormat.TURTLE)


def answer(store: Any, query: str) -> tuple[str, bytes]:
    """Evaluate ``query`` on ``store``; return its content type and body (JSON or Turtle)."""
    result = store.query(query)
    if isinstance(result, ox.QueryTriples):
        return GRAPH[0], ox.serialize(result, format=GRAPH[1]) or b""
    return SOLUTIONS[0], result.serialize(format=SOLUTIONS[1]) or b""


class FixedAnswers:
    """The ``wsgi`` floor: answers computed once per known query text, returned as they are."""

    def __init__(self, answers: dict[str, tuple[str, bytes]], config: dict[str, Any]) -> None:
        self.answers = answers
        self.config = config  # GuardedWorker sizes its threads and body cap from it

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        found = None
        for field in environ.get("QUERY_STRING", "").encode("latin-1").split(b"&"):
            name, _, value = field.partition(b"=")
            if name == b"query":  # decoded as nelmkg decodes it (protocol.unquote)
                found = self.answers.get(unquote(value).decode("utf-8", "replace"))
        if found is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        kind, body = found
        start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]


def flask_app(store: Any, config: dict[str, Any]):
    """The ``flask`` floor: each query evaluated in the request's thread."""
    from flask import Flask, Response, request

    app = Flask("floor")
    app.config.update(config)

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.get("/sparql")
    def sparql():
        kind, body = answer(store, url_params(request)["query"][0])  # as nelmkg reads it
        return Response(body, content_type=kind)

    return app


def run_gunicorn(app: Any, port: int, workers: int, worker_class: str, timeout: int) -> None:
    """Serve ``app`` under gunicorn (preloaded, no access log) on 127.0.0.1:``port``."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": workers,
                "worker_class": worker_class,
                "preload_app": True,
                "accesslog": None,
                "loglevel": "warning",
                "timeout": timeout,
            }.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            return app

    Server().run()


def serve(kind: str, port: int, workers: int, queries: list[str]) -> None:
    """Run the floor ``kind`` (wsgi or flask) on 127.0.0.1:``port``; never returns."""
    from nelmkg.graph.store import load_store
    from nelmkg.web import settings

    config = settings.load(None)
    store = load_store(())
    if kind == "wsgi":
        app: Any = FixedAnswers({q: answer(store, q) for q in queries}, config)
    else:
        app = flask_app(store, config)

    run_gunicorn(app, port, workers, "nelmkg.web.front.GuardedWorker", timeout=30)
