"""A killable evaluator process per web worker: how the query time limit really stops work.

Neither rdflib nor Oxigraph can cancel a query that is running, and a thread cannot be
killed, so every query runs in a child process forked from the web worker (it inherits the
loaded store; nothing is copied or re-parsed). The worker sends the job down a pipe and waits
at most the time limit for the answer. If none comes, it kills the child (``SIGKILL``), reaps
it, forks a fresh one and answers 503; the CPU the query was burning is freed at once. The
child is sandboxed (:mod:`nelmkg.query.sandbox`) before it reads its first job.

One child runs one job at a time (a lock makes concurrent callers wait; a threaded worker
keeps several children in a :class:`nelmkg.web.lanes.EvaluatorPool`). The child is started
lazily, or eagerly from gunicorn's ``post_fork`` hook, and again in any process that inherits
the object by forking. While it waits the worker also asks ``cancelled()`` (the server's "has
the client gone?") every :data:`CANCEL_POLL` seconds: a job nobody waits for is killed too.
A child that dies is reported truthfully: killed by ``SIGKILL`` from outside
(:class:`EvaluatorKilled`), or crashed on its own (:class:`EvaluatorCrashed`: stack or memory).

What crosses the pipe is plain data (``marshal``: no class is pickled or looked up): the
operation and its payload one way; the other way one message (:func:`frame`): a reply's
length, the reply, and for a query's :class:`Answer` its body as raw bytes after it, never
copied into a pickle. One message, so that the waiting worker thread is woken once per answer,
not once for the header and again for the body.

The store is shared with the worker by ``fork`` (copy-on-write), but Oxigraph's in-memory
store writes to the pages it reads (reference counts and locks of the quads it walks), so a
child that scans the store ends up with a private copy of what it touched. A child whose
private memory has grown by ``retire_mb`` since it was forked (counted by the page faults it
took) answers and then exits; the next call forks a fresh one, sharing the store again.
"""

from __future__ import annotations

import faulthandler
import logging
import marshal
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from nelmkg.query import sandbox
from nelmkg.query.jobs import Answer, QueryFailure

log = logging.getLogger("nelmkg.web")
Handler = Callable[[Any], Any]
_GONE = object()  # _wait's answer when the client went away


class EvaluatorError(Exception):
    """The evaluator gave no answer (base class)."""


class EvaluationTimeout(EvaluatorError):
    """The job ran past the time limit; the evaluator was killed and replaced."""


class EvaluatorCrashed(EvaluatorError):
    """The evaluator died while running the job (stack or memory exhausted); it was replaced."""


class EvaluatorKilled(EvaluatorCrashed):
    """The evaluator was killed from outside (``SIGKILL``: the OOM killer, an operator)."""


class ClientGone(EvaluatorError):
    """The client went away while the job ran; the evaluator was killed and replaced."""


# How often a waiting worker checks whether its client is still there.
CANCEL_POLL = 0.1


def _faulted_mb() -> float:
    """Return the memory this process has made its own (page faults since it started)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt * PAGE / 2**20


PAGE = os.sysconf("SC_PAGE_SIZE")
HEAD = 4  # bytes of the reply's length at the start of a message from the child


def frame(reply: tuple, body: bytes | None) -> bytes:
    """Return the child's message: the marshalled ``reply``'s length, ``reply``, ``body``."""
    head = marshal.dumps(reply)
    return len(head).to_bytes(HEAD, "little") + head + (body or b"")


def unframe(message: bytes) -> tuple[tuple, bytes]:
    """Return the reply and the body (empty when none) of a message made by :func:`frame`."""
    size = int.from_bytes(message[:HEAD], "little")
    return marshal.loads(memoryview(message)[HEAD : HEAD + size]), message[HEAD + size :]


def _child_main(
    conn: Connection,
    handlers: dict[str, Handler],
    memory_mb: int,
    read_roots: tuple[str, ...],
    niceness: int = 0,
    retire_mb: int = 0,
    network: tuple[tuple[str, int], ...] = (),
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
    if niceness:  # a long query gets the CPU the web threads leave, not theirs
        os.nice(niceness)
    report = sandbox.apply({conn.fileno()}, memory_mb, read_roots, network)
    handlers = {**handlers, "ping": lambda _: {"pid": os.getpid(), "sandbox": report}}
    born = _faulted_mb()
    while True:
        try:
            op, payload = marshal.loads(conn.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        body = None
        try:
            value = handlers[op](payload)
            if isinstance(value, Answer):
                reply, body = ("answer", value.header()), value.body
            else:
                reply = ("ok", value)
        except QueryFailure as exc:
            reply = ("fail", exc.as_dict())
        except Exception as exc:  # a bug, not bad input: reported as such, logged by the worker
            reply = ("error", f"{type(exc).__name__}: {exc}")
        retiring = bool(retire_mb) and _faulted_mb() - born > retire_mb
        conn.send_bytes(frame((*reply, retiring), body))
        if retiring:  # leave the private copy behind: the next call forks a fresh child
            os._exit(0)


class Spawner:
    """Forks evaluator processes from one thread that lives as long as the process.

    ``PR_SET_PDEATHSIG`` (the sandbox's "die with the worker") fires when the *thread* that
    forked the child ends, not the process: a child forked from a short-lived thread would be
    killed with it. So a restart asked for on another thread than the main one is done by this
    spawner's own thread (started once per process, on first need).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._jobs: queue.SimpleQueue | None = None

    def __call__(self, start: Callable[[], None]) -> None:
        """Run ``start`` (which forks) on the main thread or on the spawner's thread."""
        if threading.current_thread() is threading.main_thread():
            start()
            return
        with self._lock:
            if self._owner != os.getpid():
                self._jobs, self._owner = queue.SimpleQueue(), os.getpid()
                thread = threading.Thread(
                    target=self._serve, args=(self._jobs,), name="nelmkg-spawner", daemon=True
                )
                thread.start()
            jobs = self._jobs
        done: queue.SimpleQueue = queue.SimpleQueue()
        jobs.put((start, done))
        error = done.get()
        if error is not None:
            raise error

    @staticmethod
    def _serve(jobs: queue.SimpleQueue) -> None:
        while True:
            start, done = jobs.get()
            try:
                start()
                done.put(None)
            except BaseException as exc:  # handed back to the caller
                done.put(exc)


class Evaluator:
    """A child process running named operations (``handlers``) with a time limit per call."""

    def __init__(
        self,
        handlers: dict[str, Handler],
        memory_mb: int = 0,
        read_roots: tuple[str, ...] = (),
        niceness: int = 0,
        spawner: Spawner | None = None,
        on_restart: Callable[[str], None] | None = None,
        retire_mb: int = 0,
        network: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self._handlers = handlers
        self._on_restart = on_restart  # told the reason when a running child is replaced
        self._retire_mb = retire_mb
        self._retired = False
        self._network = network  # (host, port) the child may connect to: an external store
        self._memory_mb = memory_mb
        self._read_roots = read_roots
        self._niceness = niceness
        self._spawn = spawner or Spawner()
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

    def call(
        self,
        op: str,
        payload: Any,
        timeout: float,
        cancelled: Callable[[], bool] | None = None,
    ) -> Any:
        """Run ``op`` on ``payload`` in the child; wait at most ``timeout`` seconds.

        Raises :class:`QueryFailure` as the handler raised it, :class:`EvaluationTimeout`,
        :class:`ClientGone` (``cancelled()`` became true) or :class:`EvaluatorCrashed` /
        :class:`EvaluatorKilled` (the child is replaced in all these cases), or
        :class:`EvaluatorError` for an unexpected error inside the handler.
        """
        with self._lock:
            if self._retired:  # it answered and exited: fork a fresh one sharing the store
                self._restart("retired")
            elif self._owner != os.getpid() or not self._process.is_alive():
                self._restart("dead")
            try:
                self._conn.send_bytes(marshal.dumps((op, payload)))
                reply = self._wait(timeout, cancelled)
            except (EOFError, OSError) as exc:
                self._process.join(timeout=1)
                code = self._process.exitcode
                killed = code == -signal.SIGKILL
                self._restart("killed" if killed else "crashed")
                if killed:
                    raise EvaluatorKilled(f"killed (exit code {code})") from exc
                raise EvaluatorCrashed(f"{exc} (exit code {code})") from exc
            if reply is _GONE:
                self._restart("client-gone")
                raise ClientGone()
            if reply is None:
                self._restart("timeout")
                raise EvaluationTimeout(timeout)
            (status, value, self._retired), body = unframe(reply)
        if status == "answer":
            form, key, truncated, table = value
            return Answer(form, key, body, truncated, table)
        if status == "ok":
            return value
        if status == "fail":
            raise QueryFailure(**value)
        raise EvaluatorError(value)

    def _wait(self, timeout: float, cancelled: Callable[[], bool] | None) -> Any:
        """Return the child's message, None after ``timeout``, or ``_GONE`` once cancelled."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            step = left if cancelled is None else min(left, CANCEL_POLL)
            if self._conn.poll(max(step, 0)):
                return self._conn.recv_bytes()
            if left <= step:
                return None
            if cancelled is not None and cancelled():
                return _GONE

    def _stop(self) -> None:
        if self._process is not None and self._owner == os.getpid():
            self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()  # in a forked copy this closes only the inherited descriptor
        self._process = self._conn = self._owner = None
        self._retired = False

    def _restart(self, reason: str | None = None) -> None:
        # Only replacing a child this process started counts as a restart (not a first start).
        replacing = self._process is not None and self._owner == os.getpid()
        self._stop()
        ours, theirs = multiprocessing.Pipe(duplex=True)
        context = multiprocessing.get_context("fork")
        process = context.Process(
            target=_child_main,
            args=(
                theirs,
                self._handlers,
                self._memory_mb,
                self._read_roots,
                self._niceness,
                self._retire_mb,
                self._network,
            ),
            name="nelmkg-evaluator",
            daemon=True,
        )
        self._spawn(process.start)
        theirs.close()
        self._process, self._conn, self._owner = process, ours, os.getpid()
        log.debug("evaluator started: pid %s", process.pid)
        if replacing and reason and self._on_restart is not None:
            self._on_restart(reason)
