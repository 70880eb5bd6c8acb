"""A real ``nelmkg serve`` process on 127.0.0.1, for end-to-end tests and the benchmark.

One place knows how to start the production server (gunicorn through the CLI) on a free local
port, wait until it answers ``/healthz`` and stop it with all its workers and evaluators.
"""

from __future__ import annotations

import contextlib
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
