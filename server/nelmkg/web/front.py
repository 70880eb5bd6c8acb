"""The server front: a gunicorn worker that serves the app with waitress, guarded against slow
and greedy clients.

gunicorn's master keeps its job (the app preloaded once, workers forked, restarted when they
die, stopped gracefully); each worker runs waitress instead of gunicorn's sync loop. Waitress
reads every connection in one event loop and hands a request to the app's threads only when
its headers *and* body are complete, and it buffers responses, so a slow client holds a
socket, never a thread. On top of waitress, :class:`GuardedServer` enforces (per worker):

- ``HEADER_TIMEOUT``: a request's headers must arrive within this time of its first byte (or of
  the connection's opening or last answer); an idle keep-alive connection is closed after it;
- ``MIN_BODY_RATE``: after ``HEADER_TIMEOUT`` seconds a body must have averaged this many
  bytes per second, or the connection is dropped;
- ``MAX_CLIENT_CONNECTIONS`` open connections per client address (one more is closed at once)
  and ``MAX_CONNECTIONS`` in all (beyond it the worker stops accepting until some close).

Errors the front answers itself (a malformed request, headers over 64 KiB, a body over
``MAX_CONTENT_LENGTH``) are problem+json too. The worker's threads are sized by
:func:`nelmkg.web.lanes.thread_count` so that the lanes of :mod:`nelmkg.web.lanes` never take
the threads kept for other routes. Run by hand::

    gunicorn --preload -w 2 -k nelmkg.web.front.GuardedWorker 'nelmkg.web:create_app()'
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter
from typing import Any

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from nelmkg.web.lanes import thread_count
from nelmkg.web.problems import MEDIA_TYPE, body_bytes
from nelmkg.web.settings import SERVER_SETTINGS, from_env

MAX_HEADER_BYTES = 64 * 1024
CHECK_EVERY = 1  # seconds between two rounds of the guards (waitress's cleanup_interval)
HEARTBEAT = 1.0  # seconds between two "alive" notes to gunicorn's master (its timeout is 30 s)


class ProblemErrorTask(ErrorTask):
    """Waitress's own error answers (400, 413, 431, ...) as problem+json."""

    def execute(self) -> None:
        error = self.request.error
        slug = "body-too-large" if error.code == 413 else None
        path = getattr(self.request, "path", None) or None
        body = body_bytes(error.code, error.body or error.reason, path, slug)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", MEDIA_TYPE))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):
    """A connection that records when its current request started and how much has come."""

    error_task_class = ProblemErrorTask

    def __init__(self, server, sock, addr, adj, map=None) -> None:
        super().__init__(server, sock, addr, adj, map)
        self.client = addr[0] if isinstance(addr, tuple) else ""
        self.started = time.monotonic()  # of the request being read, or of idleness
        self.body_since: float | None = None
        self.received_bytes = 0

    def received(self, data: bytes) -> bool:
        now = time.monotonic()
        if self.request is None:  # these bytes begin a new request
            self.started, self.body_since, self.received_bytes = now, None, 0
        self.received_bytes += len(data)
        result = super().received(data)
        if self.request is None:  # complete: the app has it now (or it was empty)
            self.started, self.body_since, self.received_bytes = now, None, 0
        elif self.request.headers_finished and self.body_since is None:
            self.body_since = now
        return result

    def service(self) -> None:
        super().service()
        self.started = time.monotonic()  # answered: idle from now on

    def too_slow(self, now: float, header_timeout: float, min_rate: int) -> bool:
        """Return True when this connection breaks the header deadline or the body rate."""
        if self.requests:  # being answered: the app's own limits apply
            return False
        if self.request is None or self.body_since is None:
            return now - self.started > header_timeout
        late = now - self.body_since - header_timeout
        return min_rate > 0 and late > 0 and self.received_bytes < min_rate * late

    def del_channel(self, map=None) -> None:
        if self._fileno in self.server.active_channels:
            self.server.release(self.client)
        super().del_channel(map)


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server with the guards above; ``limits`` are the server settings."""

    channel_class = GuardedChannel

    def __init__(self, application, limits: dict[str, Any], **kw) -> None:
        self.limits = limits
        self.per_client: Counter[str] = Counter()
        super().__init__(application, **kw)

    def handle_accept(self) -> None:
        try:
            pair = self.accept()
            if pair is None:
                return
            conn, addr = pair
            self.set_socket_options(conn)  # TCP_NODELAY: no Nagle stall between header and body
        except OSError:  # the client left before we got to it
            return
        client = addr[0] if isinstance(addr, tuple) else ""
        if self.per_client[client] >= self.limits["MAX_CLIENT_CONNECTIONS"]:
            conn.close()  # this address has its share open already
            return
        self.per_client[client] += 1
        self.channel_class(self, conn, addr, self.adj, map=self._map)

    def release(self, client: str) -> None:
        """Forget one closed connection of ``client``."""
        self.per_client[client] -= 1
        if self.per_client[client] <= 0:
            del self.per_client[client]

    def maintenance(self, now: float) -> None:
        # waitress calls this every cleanup_interval from its loop; ``now`` is wall time.
        mono = time.monotonic()
        timeout, rate = self.limits["HEADER_TIMEOUT"], self.limits["MIN_BODY_RATE"]
        for channel in list(self.active_channels.values()):
            if channel.too_slow(mono, timeout, rate):
                channel.will_close = True


def waitress_options(limits: dict[str, Any], threads: int, max_body: int) -> dict[str, Any]:
    """Return the waitress adjustments the worker runs with."""
    return {
        "threads": threads,
        "connection_limit": limits["MAX_CONNECTIONS"],
        "channel_timeout": max(1, int(limits["HEADER_TIMEOUT"])),
        "cleanup_interval": CHECK_EVERY,
        "max_request_header_size": MAX_HEADER_BYTES,
        "max_request_body_size": max_body,
        "asyncore_use_poll": True,  # select() cannot watch more than 1,024 sockets
        "channel_request_lookahead": 1,  # keep reading: a client that leaves is noticed
        "expose_tracebacks": False,
        "ident": "nelmkg",
        "clear_untrusted_proxy_headers": False,
    }


# Signals that stop a worker: one that arrives while it boots must not be lost.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


def note_early_stop(worker: Worker) -> None:
    """Record a stop signal that arrives before the worker's own handlers are set.

    Called first in gunicorn's ``post_fork`` hook. Until ``init_signals`` a forked worker still
    has the master's handlers, which only queue a signal for the master's loop, which the
    worker does not run: a ``TERM`` sent while it forked its evaluators was dropped, and the
    master waited its whole graceful timeout (10 s) before killing the worker.
    """
    worker.early_stop = []

    def note(signum, _frame) -> None:
        worker.early_stop.append(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, note)


class SignalWakeup(wasyncore.file_dispatcher):
    """The worker's signal pipe in the event loop: a stop signal ends the loop's wait at once.

    gunicorn writes a byte to this pipe on every signal (``set_wakeup_fd``); without it in
    the loop a ``TERM`` waited for the loop's one-second poll to run out.
    """

    def writable(self) -> bool:
        return False

    def handle_read(self) -> None:
        with contextlib.suppress(OSError):  # nothing left to read
            self.recv(512)


class GuardedWorker(Worker):
    """A gunicorn worker running :class:`GuardedServer` on the master's listening sockets."""

    def init_signals(self) -> None:
        """gunicorn's handlers; a stop signal noted while booting stops the worker now."""
        super().init_signals()
        early = getattr(self, "early_stop", None)
        if early:
            self.log.info("stop signal %s while booting: exiting", early[0])
            self.alive = False

    def run(self) -> None:
        from waitress.adjustments import Adjustments

        limits = getattr(self.app, "limits", None) or from_env(SERVER_SETTINGS, os.environ)
        config = self.wsgi.config
        adj = Adjustments(
            **waitress_options(
                limits, thread_count(config), config["MAX_CONTENT_LENGTH"] + 1
            )
        )
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(adj.threads)
        socket_map: dict = {}
        for listener in self.sockets:
            sock = listener.sock
            sock.setblocking(False)
            GuardedServer(
                self.wsgi,
                limits,
                map=socket_map,
                _sock=sock,
                dispatcher=dispatcher,
                adj=adj,
                bind_socket=False,
                sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
            )
        SignalWakeup(self.PIPE[0], map=socket_map)
        beat = 0.0
        while self.alive:
            # The loop turns once per socket event (several per request): tell gunicorn's master
            # we live (a utime() on a file) and check our parent once per HEARTBEAT, not per turn.
            now = time.monotonic()
            if now - beat >= HEARTBEAT:
                if self.ppid != os.getppid():
                    break
                self.notify()
                beat = now
            wasyncore.loop(timeout=HEARTBEAT, map=socket_map, use_poll=True, count=1)
        self._drain(socket_map, dispatcher)

    def _drain(self, socket_map: dict, dispatcher: ThreadedTaskDispatcher) -> None:
        """Stop accepting, finish the requests in hand (up to the graceful timeout), stop."""
        for dispatcher_obj in list(socket_map.values()):
            if isinstance(dispatcher_obj, GuardedServer):
                dispatcher_obj.accepting = False
                dispatcher_obj.del_channel()
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while time.monotonic() < deadline and any(
            getattr(c, "requests", None) or getattr(c, "total_outbufs_len", 0)
            for c in socket_map.values()
        ):
            self.notify()
            wasyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)
        dispatcher.shutdown(cancel_pending=True, timeout=1)
