"""A real ``nelmkg serve`` process on 127.0.0.1, for end-to-end tests and the benchmark.

One place knows how to start the production server (gunicorn through the CLI) on a free local
port, wait until it answers ``/healthz`` and stop it with all its workers and evaluators; and
how to look at its processes (:func:`descendants`, :func:`cpu_seconds`, :func:`rss_kib`) and
talk to it as a given client address on the loopback network (:func:`fetch`).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Reply:
    """A live response, shaped like a Flask test-client response for ``assert_problem``."""

    status_code: int
    headers: dict
    data: bytes
    seconds: float = 0.0

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


def fetch(
    base: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
    source: str | None = None,
) -> Reply:
    """Send one request to ``base`` (from loopback address ``source``, e.g. ``127.0.0.2``)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=(source, 0) if source else None
    )
    started = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        data = response.read()
        found = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, found, data, time.monotonic() - started)
    finally:
        conn.close()


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(pid: int) -> list[int]:
    """Return the ids of every process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def children(pid: int) -> list[int]:
    """Return the ids of the direct children of ``pid`` (gunicorn's workers)."""
    return [p for p in descendants(pid) if (fields := _stat(p)) and int(fields[1]) == pid]


def cpu_seconds(pids: Sequence[int]) -> float:
    """Return the CPU time (user + system) the processes ``pids`` have used so far."""
    ticks = 0
    for pid in pids:
        if fields := _stat(pid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """Return the resident memory of process ``pid`` in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command(port: int, workers: int, data: Sequence[Path] = ()) -> list[str]:
    """Return the command line that runs ``nelmkg serve`` on 127.0.0.1:``port``."""
    command = [sys.executable, "-m", "nelmkg.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    if data:
        command += ["--data", *map(str, data)]
    return command


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL, process and log file (None when output is dropped)."""

    base: str
    process: subprocess.Popen
    log: Path | None


@contextlib.contextmanager
def running(
    command: Sequence[str],
    port: int,
    *,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    start_timeout: float = 60.0,
    cwd: Path | None = None,
) -> Iterator[LiveServer]:
    """Start ``command`` (a server listening on ``port``), yield it once ``/healthz`` answers.

    The server runs in its own process group; on exit it is terminated, then anything left in
    its group is killed, so no gunicorn worker or query evaluator outlives the block.
    """
    out = log.open("wb") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            list(command),
            env=dict(env) if env is not None else None,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=cwd,
        )
    finally:
        if log:
            out.close()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log, start_timeout)
        yield LiveServer(base, process, log)
    finally:
        _stop(process)


def _wait_healthy(base: str, process: subprocess.Popen, log: Path | None, limit: float) -> None:
    deadline = time.monotonic() + limit
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(base + "/healthz", timeout=2):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            detail = log.read_text(errors="replace") if log else " ".join(process.args)
            raise RuntimeError("the server did not start:\n" + detail)
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()  # gunicorn stops its workers; evaluators die with their worker
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # leftovers in the server's own group
        os.killpg(process.pid, signal.SIGKILL)
