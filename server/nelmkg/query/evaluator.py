"""A killable evaluator process per web worker: how the query time limit really stops work.

Neither rdflib nor Oxigraph can cancel a query that is running, and a thread cannot be
killed, so every query runs in a child process forked from the web worker (it inherits the
loaded store; nothing is copied or re-parsed). The worker sends the job down a pipe and waits
at most the time limit for the answer. If none comes, it kills the child (``SIGKILL``), reaps
it, forks a fresh one and answers 503; the CPU the query was burning is freed at once. The
child is sandboxed (:mod:`nelmkg.query.sandbox`) before it reads its first job.

One child serves one worker, one job at a time (gunicorn sync workers handle one request at
a time; a lock covers threaded servers). The child is started lazily, or eagerly from
gunicorn's ``post_fork`` hook, and again in any process that inherits the object by forking.
"""

from __future__ import annotations

import faulthandler
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from nelmkg.query import sandbox
from nelmkg.query.jobs import QueryFailure

log = logging.getLogger("nelmkg.web")
Handler = Callable[[Any], Any]


class EvaluatorError(Exception):
    """The evaluator gave no answer (base class)."""


class EvaluationTimeout(EvaluatorError):
    """The job ran past the time limit; the evaluator was killed and replaced."""


class EvaluatorCrashed(EvaluatorError):
    """The evaluator died while running the job (stack or memory exhausted); it was replaced."""


def _child_main(
    conn: Connection, handlers: dict[str, Handler], memory_mb: int, read_roots: tuple[str, ...]
) -> None:
    # Signal handlers of the web worker (gunicorn's) are inherited by fork: reset them.
    for sig in (
        signal.SIGTERM,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGUSR1,
        signal.SIGUSR2,
        signal.SIGCHLD,
        signal.SIGWINCH,
        signal.SIGTTIN,
        signal.SIGTTOU,
    ):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the worker, which kills us
    faulthandler.disable()  # a query that overflows the stack is expected, not a crash report
    report = sandbox.apply({conn.fileno()}, memory_mb, read_roots)
    handlers = {**handlers, "ping": lambda _: {"pid": os.getpid(), "sandbox": report}}
    while True:
        try:
            op, payload = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply = ("ok", handlers[op](payload))
        except QueryFailure as exc:
            reply = ("fail", exc.as_dict())
        except Exception as exc:  # a bug, not bad input: reported as such, logged by the worker
            reply = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class Evaluator:
    """A child process running named operations (``handlers``) with a time limit per call."""

    def __init__(
        self, handlers: dict[str, Handler], memory_mb: int = 0, read_roots: tuple[str, ...] = ()
    ) -> None:
        self._handlers = handlers
        self._memory_mb = memory_mb
        self._read_roots = read_roots
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self._owner: int | None = None

    @property
    def pid(self) -> int | None:
        """Return the child's process id (None when not started in this process)."""
        return self._process.pid if self._process and self._owner == os.getpid() else None

    def start(self) -> None:
        """Fork a fresh child (replacing any current one)."""
        with self._lock:
            self._restart()

    def close(self) -> None:
        """Kill the child, if this process started one."""
        with self._lock:
            self._stop()

    def call(self, op: str, payload: Any, timeout: float) -> Any:
        """Run ``op`` on ``payload`` in the child; wait at most ``timeout`` seconds.

        Raises :class:`QueryFailure` as the handler raised it, :class:`EvaluationTimeout`
        or :class:`EvaluatorCrashed` (the child is replaced in both cases), or
        :class:`EvaluatorError` for an unexpected error inside the handler.
        """
        with self._lock:
            if self._owner != os.getpid() or not self._process.is_alive():
                self._restart()
            try:
                self._conn.send((op, payload))
                ready = self._conn.poll(timeout)
                reply = self._conn.recv() if ready else None
            except (EOFError, OSError) as exc:
                self._restart()
                raise EvaluatorCrashed(str(exc)) from exc
            if reply is None:
                self._restart()
                raise EvaluationTimeout(timeout)
        status, value = reply
        if status == "ok":
            return value
        if status == "fail":
            raise QueryFailure(**value)
        raise EvaluatorError(value)

    def _stop(self) -> None:
        if self._process is not None and self._owner == os.getpid():
            self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()  # in a forked copy this closes only the inherited descriptor
        self._process = self._conn = self._owner = None

    def _restart(self) -> None:
        self._stop()
        ours, theirs = multiprocessing.Pipe(duplex=True)
        context = multiprocessing.get_context("fork")
        process = context.Process(
            target=_child_main,
            args=(theirs, self._handlers, self._memory_mb, self._read_roots),
            name="nelmkg-evaluator",
            daemon=True,
        )
        process.start()
        theirs.close()
        self._process, self._conn, self._owner = process, ours, os.getpid()
        log.debug("evaluator started: pid %s", process.pid)
