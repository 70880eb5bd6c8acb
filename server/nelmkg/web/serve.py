"""``nelmkg serve``: run the service under gunicorn's master with guarded waitress workers.

Every setting of :mod:`nelmkg.web.settings` is an environment variable and a flag (generated
from the one table; a flag wins). A bad value, or an address that cannot be listened on (a
busy port), stops start-up with one line on stderr and exit status 1, before the data is
loaded. The app is then built once in the gunicorn master (store loaded, named queries
prepared) before gunicorn starts, so a bad data file or query stops start-up with a one-line
message too, and every worker inherits the loaded store by ``fork``. Each worker runs
:class:`nelmkg.web.front.GuardedWorker` (waitress: only complete requests reach the app, with
header deadline, body rate and connection caps) on :func:`nelmkg.web.lanes.thread_count`
threads, forks its evaluator processes right away (``post_fork``, before any thread exists)
and kills them when it exits. ``docs/decisions/0010-serving-stack.md`` says why.

**Metrics of all workers.** Before anything imports prometheus-client, ``serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at the directory the operator named (``--metrics-dir``; stale
``*.db`` files in it are removed first, as prometheus-client asks) or at a private temporary
directory that it removes again when gunicorn stops. Each process then writes its counts there
and ``/metrics`` sums them (:mod:`nelmkg.web.metrics`).

**Logs** are one JSON object per line on stderr (:mod:`nelmkg.web.logs`), gunicorn's own too.

Equivalent by hand (the evaluators then start on first use; set ``PROMETHEUS_MULTIPROC_DIR``
to an empty directory first, or each worker reports only its own counts):
``gunicorn --preload -w 2 -k nelmkg.web.front.GuardedWorker 'nelmkg.web:create_app()'``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging.config
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from nelmkg.web import logs
from nelmkg.web.metrics import MULTIPROC_ENV
from nelmkg.web.settings import (
    SERVER_SETTINGS,
    SETTINGS,
    ConfigError,
    add_flags,
    from_env,
    from_flags,
)

# gunicorn kills a worker whose loop is silent this long (the loop beats every second).
WORKER_TIMEOUT = 30


def gunicorn_options(
    host: str, port: int, workers: int, log_config: dict | None = None
) -> dict[str, Any]:
    """Return the gunicorn settings the service runs with."""
    options = {
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
    if log_config is not None:
        options["logconfig_dict"] = log_config
    return options


def check_address(host: str, port: int) -> None:
    """Raise :class:`ConfigError` (one line) if nothing could listen on ``host:port`` now."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ConfigError(f"cannot listen on {host}:{port}: {reason.lower()}") from exc


@contextlib.contextmanager
def metrics_directory(given: Path | None) -> Iterator[Path]:
    """Yield the directory of the workers' metric files, set as ``PROMETHEUS_MULTIPROC_DIR``.

    The operator's directory is emptied of stale ``*.db`` files; otherwise a private one is
    made and removed at the end — by this process only: gunicorn's workers are forked inside
    the block and leave it too when they exit, while the others still count.
    """
    owner = os.getpid()
    before = os.environ.get(MULTIPROC_ENV)
    if given is not None:
        directory = given
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="nelmkg-metrics-"))
    os.environ[MULTIPROC_ENV] = str(directory)
    try:
        yield directory
    finally:
        if os.getpid() == owner:  # not a worker leaving while the master still serves
            if before is None:
                os.environ.pop(MULTIPROC_ENV, None)
            else:
                os.environ[MULTIPROC_ENV] = before
            if given is None:
                shutil.rmtree(directory, ignore_errors=True)


def run(server: dict[str, Any], overrides: dict[str, Any]) -> int:
    """Build the app with the settings ``overrides`` and serve it under the ``server``
    settings until interrupted; return the exit status."""
    with metrics_directory(server["METRICS_DIR"]):
        return _run(server, overrides)


def _run(server: dict[str, Any], overrides: dict[str, Any]) -> int:
    from gunicorn.app.base import BaseApplication

    from nelmkg.graph.dataset import LoadError
    from nelmkg.graph.queries import QueryError
    from nelmkg.graph.remote import StoreError
    from nelmkg.graph.store import StoreLoadError
    from nelmkg.paths import DataFileError
    from nelmkg.web import create_app, front
    from nelmkg.web.backend import StoreConfigError
    from nelmkg.web.service import EXTENSION

    log_config = logs.config(server["LOG_FORMAT"], server["LOG_LEVEL"])
    logging.config.dictConfig(log_config)
    gc.disable()  # loading allocates much and frees little: one collection below instead
    try:
        app = create_app(overrides)
    except DataFileError as exc:  # a bundled or --data file missing or unreadable
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, LoadError, QueryError, StoreLoadError, StoreConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:  # the external store is down, refuses us, or holds no release
        print(f"error: the store at {exc}", file=sys.stderr)
        return 1
    finally:
        gc.enable()  # before the workers fork: they inherit it
    service = app.extensions[EXTENSION]
    # The loaded graphs are never freed: keep them out of the collector's sight, so that the
    # workers' first full collections neither stall requests walking them nor copy their
    # pages (copy-on-write) into every worker and evaluator.
    gc.collect()
    gc.freeze()
    options = gunicorn_options(server["HOST"], server["PORT"], server["WORKERS"], log_config)

    def post_fork(_server, worker) -> None:
        front.note_early_stop(worker)  # first: a TERM while the evaluators fork is kept
        service.start()

    class Application(BaseApplication):
        def load_config(self) -> None:
            self.limits = server  # read by the workers (nelmkg.web.front)
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25.1: no socket in ~
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("post_fork", post_fork)
            self.cfg.set("worker_exit", lambda server, worker: service.close())

        def load(self):
            return app

    Application().run()
    return 0


def settings_of(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the server settings and the app's overrides: the variables of ``environ``
    (all checked here), with the flags given in ``args`` winning; ``--data`` adds files."""
    server = {**from_env(SERVER_SETTINGS, environ), **from_flags(SERVER_SETTINGS, args)}
    env_values = from_env(SETTINGS, environ)  # a bad variable stops us before any loading
    overrides = from_flags(SETTINGS, args)
    if "DATA_FILES" in overrides:
        overrides["DATA_FILES"] = (*env_values["DATA_FILES"], *overrides["DATA_FILES"])
    return server, overrides


def _serve(args: argparse.Namespace) -> int:
    try:
        server, overrides = settings_of(args, os.environ)
        check_address(server["HOST"], server["PORT"])
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return run(server, overrides)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand: one flag per setting (server settings first)."""
    cmd = sub.add_parser(
        "serve",
        help="run the SPARQL service (gunicorn)",
        description="Run the SPARQL service under gunicorn. Every flag may instead be given "
        "as the environment variable named in brackets; a flag wins over its variable.",
    )
    add_flags(cmd, SERVER_SETTINGS)
    add_flags(cmd, SETTINGS)
    cmd.set_defaults(func=_serve)
