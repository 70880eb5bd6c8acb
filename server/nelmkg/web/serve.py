"""``nelmkg serve``: run the service under gunicorn's master with guarded waitress workers.

The app is built once in the gunicorn master (store loaded, named queries prepared) before
gunicorn starts, so a bad data file, query or setting stops start-up with a one-line message,
and every worker inherits the loaded store by ``fork``. Each worker runs
:class:`nelmkg.web.front.GuardedWorker` (waitress: only complete requests reach the app, with
header deadline, body rate and connection caps) on :func:`nelmkg.web.lanes.thread_count`
threads, forks its
evaluator processes right away (``post_fork``, before any thread exists) and kills them when it
exits. ``docs/decisions/0007-serving-stack.md`` says why, with measurements.

Equivalent by hand (the evaluators then start on first use):
``gunicorn --preload -w 2 -k nelmkg.web.front.GuardedWorker 'nelmkg.web:create_app()'``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

from nelmkg.web.settings import SERVER_SETTINGS, ConfigError, from_env

# gunicorn kills a worker whose loop is silent this long (the loop beats every second).
WORKER_TIMEOUT = 30
def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """Return the gunicorn settings the service runs with."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "nelmkg.web.front.GuardedWorker",
        "preload_app": True,
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": 10,
        "accesslog": None,  # the app logs requests itself, without query strings
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "nelmkg",
    }


def run(host: str, port: int, workers: int, data: list[Path]) -> int:
    """Build the app and serve it until interrupted; return the exit status."""
    from gunicorn.app.base import BaseApplication

    from nelmkg.graph.dataset import LoadError
    from nelmkg.graph.queries import QueryError
    from nelmkg.graph.store import StoreLoadError
    from nelmkg.paths import DataFileError
    from nelmkg.web import create_app
    from nelmkg.web.service import EXTENSION

    overrides: dict[str, Any] = {}
    if data:
        env_files = os.environ.get("NELMKG_DATA", "")
        overrides["DATA_FILES"] = [*filter(None, env_files.split(os.pathsep)), *data]
    try:
        limits = from_env(SERVER_SETTINGS, os.environ)
        app = create_app(overrides)
    except DataFileError as exc:  # a bundled or --data file missing or unreadable
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, LoadError, QueryError, StoreLoadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    service = app.extensions[EXTENSION]
    # The loaded graphs are never freed: keep them out of the collector's sight, so that the
    # workers' first full collections neither stall requests walking them nor copy their
    # pages (copy-on-write) into every worker and evaluator.
    gc.collect()
    gc.freeze()
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s [%(process)d] %(name)s %(message)s",
    )
    options = gunicorn_options(host, port, workers)

    class Application(BaseApplication):
        def load_config(self) -> None:
            self.limits = limits  # read by the workers (nelmkg.web.front)
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25.1: no socket in ~
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("post_fork", lambda server, worker: service.start())
            self.cfg.set("worker_exit", lambda server, worker: service.close())

        def load(self):
            return app

    Application().run()
    return 0


def _serve(args: argparse.Namespace) -> int:
    return run(args.host, args.port, args.workers, args.data)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand (defaults from ``NELMKG_HOST``/``_PORT``/``_WORKERS``)."""
    try:
        defaults = from_env(SERVER_SETTINGS, os.environ)
    except ConfigError as exc:
        print(f"warning: {exc}; using the built-in default", file=sys.stderr)
        defaults = {s.key: s.default for s in SERVER_SETTINGS}
    cmd = sub.add_parser("serve", help="run the SPARQL service (gunicorn)")
    cmd.add_argument("--host", default=defaults["HOST"], help="address (default %(default)s)")
    cmd.add_argument(
        "--port", type=int, default=defaults["PORT"], help="port (default %(default)s)"
    )
    cmd.add_argument(
        "--workers",
        type=int,
        default=defaults["WORKERS"],
        help="worker processes (default %(default)s)",
    )
    cmd.add_argument(
        "--data",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="extra RDF files (.ttl .nt .trig .nq) loaded as named graphs",
    )
    cmd.set_defaults(func=_serve)
