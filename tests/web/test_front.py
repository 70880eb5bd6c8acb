"""Slow and greedy clients against the real ``nelmkg serve`` (issue 12): none holds a worker.

Before the guarded front, 60 connections sending their headers slowly, or 30 trickling a
body, left ``/healthz`` unanswered while they stayed open. Here they come from other loopback
addresses (127.0.0.2 and 127.0.0.4; a Linux host answers the whole 127/8 network), so the
per-address connection cap is exercised apart from the client whose answers are timed.
"""

from __future__ import annotations

import os
import select
import socket
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from tests.conftest import in_fresh_python

from nelmkg.testing import live
from nelmkg.web.front import MAX_HEADER_BYTES

HEADER_TIMEOUT = 2.0
CLIENT_CAP = 64  # per address and worker
CASE = b'{"id":"quick","age_years":52,"ki67_pct":3}'
SMALL_SELECT = "SELECT ?g WHERE { GRAPH ?g { } } LIMIT 2"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = live.free_port()
    env = {
        **os.environ,
        "NELMKG_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "NELMKG_MAX_CLIENT_CONNECTIONS": str(CLIENT_CAP),
        "NELMKG_QUERY_TIMEOUT": "3",
    }
    log = tmp_path_factory.mktemp("front") / "server.log"
    with live.running(live.serve_command(port, 2), port, env=env, log=log) as running:
        yield running


def opened(base: str, source: str, first: bytes, stack: ExitStack) -> list[socket.socket]:
    """Return a connection from ``source`` that has sent ``first`` and then nothing more."""
    parts = urlsplit(base)
    sock = socket.create_connection((parts.hostname, parts.port), source_address=(source, 0))
    stack.callback(sock.close)
    sock.sendall(first)
    return sock


def closed_by_server(socks: list[socket.socket]) -> list[bool]:
    """Return, for each of ``socks``, whether the server has closed it (EOF or reset)."""
    readable, _, _ = select.select(socks, [], [], 0.2)
    found = []
    for sock in socks:
        if sock not in readable:
            found.append(False)
            continue
        try:
            found.append(sock.recv(1, socket.MSG_DONTWAIT) == b"")
        except BlockingIOError:
            found.append(False)
        except OSError:
            found.append(True)
    return found


def timed_answers(base: str) -> dict[str, live.Reply]:
    """Return the answers of /healthz, a small SELECT and /assess (the client being served)."""
    return {
        "healthz": live.fetch(base, "GET", "/healthz", timeout=5),
        "select": live.fetch(base, "GET", "/sparql?query=" + quote(SMALL_SELECT), timeout=5),
        "assess": live.fetch(
            base, "POST", "/assess", CASE, {"Content-Type": "application/json"}, timeout=5
        ),
    }


def test_slow_headers_and_bodies_hold_no_worker(server):
    with ExitStack() as stack:
        slow_headers = [
            opened(server.base, "127.0.0.2", b"GET /healthz HTTP/1.1\r\nHost: x\r\n", stack)
            for _ in range(60)
        ]
        slow_bodies = [
            opened(
                server.base,
                "127.0.0.4",
                b"POST /assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n{",
                stack,
            )
            for _ in range(30)
        ]
        time.sleep(0.3)
        answers = timed_answers(server.base)
        for name, reply in answers.items():
            assert reply.status_code == 200 and reply.seconds < 1.0, (name, reply)
        # The deadline: headers (and, at under the minimum rate, bodies) are cut off.
        time.sleep(HEADER_TIMEOUT + 2.5)
        assert all(closed_by_server(slow_headers)), "header deadline not enforced"
        dropped = closed_by_server(slow_bodies)
        assert all(dropped), f"{dropped.count(False)} trickled bodies still open"


def test_connections_are_capped_per_client_address(server):
    with ExitStack() as stack:
        greedy = [opened(server.base, "127.0.0.3", b"", stack) for _ in range(3 * CLIENT_CAP)]
        time.sleep(0.5)
        still_open = closed_by_server(greedy).count(False)
        assert CLIENT_CAP <= still_open <= 2 * CLIENT_CAP  # two workers, CLIENT_CAP each
        reply = live.fetch(server.base, "GET", "/healthz", timeout=5)
        assert reply.status_code == 200 and reply.seconds < 1.0


def test_the_fronts_own_errors_are_problems(server, assert_problem):
    huge = {"X-Padding": "a" * (MAX_HEADER_BYTES + 10)}
    assert_problem(live.fetch(server.base, "GET", "/healthz", headers=huge), 431)
    bad = live.fetch(server.base, "GET", "/healthz", headers={"Content-Length": "-1"})
    assert_problem(bad, 400)


@pytest.mark.parametrize("hook", [True, False])
def test_a_stop_signal_while_the_worker_boots_is_kept(hook):
    """gunicorn forks a worker with the master's handlers, which only queue a signal for the
    master; a TERM sent while ``post_fork`` forks the evaluators was lost and the worker served
    on until the master killed it after its graceful timeout. ``hook=False`` replays that."""
    code = f"""
import os, signal
from nelmkg.web import front
queued = []
signal.signal(signal.SIGTERM, lambda s, f: queued.append(s))  # the master's, as inherited
worker = front.GuardedWorker.__new__(front.GuardedWorker)
worker.alive, worker.PIPE = True, os.pipe()
for fd in worker.PIPE:
    os.set_blocking(fd, False)  # as gunicorn's init_process leaves them
worker.log = type("Log", (), {{"info": lambda *a: None}})()
if {hook}:
    front.note_early_stop(worker)  # what post_fork does first
os.kill(os.getpid(), signal.SIGTERM)  # the master stops while the worker boots
worker.init_signals()
print(worker.alive)
"""
    assert in_fresh_python(code) == ["False" if hook else "True"]


def test_a_signal_wakes_the_workers_loop():
    """A byte on the signal pipe ends the event loop's wait (5 s here) at once."""
    from waitress import wasyncore

    from nelmkg.web.front import SignalWakeup

    read, write = os.pipe()
    socket_map: dict = {}
    SignalWakeup(read, map=socket_map)
    os.write(write, b"\x0f")  # what set_wakeup_fd writes for SIGTERM
    started = time.monotonic()
    wasyncore.loop(timeout=5.0, map=socket_map, use_poll=True, count=1)
    assert time.monotonic() - started < 2.5
    for dispatcher in list(socket_map.values()):
        dispatcher.close()
    os.close(read)
    os.close(write)


def _running(pid: int) -> bool:
    """Return True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_and_evaluators_leave_when_the_master_dies():
    # A worker checks its parent once per heartbeat (GuardedWorker.run), not on every turn of
    # its event loop: with the master gone it still stops, and its evaluators with it.
    port = live.free_port()
    with live.running(live.serve_command(port, 1), port, env=dict(os.environ)) as running:
        below = live.descendants(running.process.pid)
        assert len(below) >= 2  # a worker and its evaluators
        running.process.kill()
        running.process.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_running(pid) for pid in below):
            time.sleep(0.2)
        assert [pid for pid in below if _running(pid)] == []
