"""Real triple store servers on 127.0.0.1, for the external-store tests and the benchmark.

:func:`oxigraph_server` runs the Oxigraph server (``oxigraph serve``, the ``oxigraph``
package's binary, installed with the ``test`` extra) and :func:`virtuoso_server` runs
Virtuoso open source (Debian's ``virtuoso-opensource``; ``.ci/run`` installs it) from a
``virtuoso.ini`` written into a fresh folder, with its database there and free ports. Each
yields a :class:`StoreServer` once its query endpoint answers, and stops the server (its
whole process group) at the end. :func:`load` writes a release into one with ``nelmkg load``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nelmkg.testing.live import free_port

# Virtuoso's account on a new database (the Graph Store Protocol needs one: Digest auth).
VIRTUOSO_USER = ("dba", "dba")
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = {http_port}
ServerRoot = {vsp}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
; above nelmkg's row cap (NELMKG_MAX_ROWS), so a longer result shows as longer
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
; no MaxQueryCostEstimationTime: Virtuoso would refuse queries by an estimated cost that
; changes from run to run (one run refused a named query: "estimated execution time 541 (sec)")
"""
VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")


@dataclass
class StoreServer:
    """A running store: its endpoints, the credentials for writing, the process."""

    name: str
    query_url: str
    gsp_url: str
    process: subprocess.Popen
    credentials: tuple[str, str] | None = None
    folder: Path | None = None
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.credentials:
            self.env = {
                "NELMKG_STORE_USER": self.credentials[0],
                "NELMKG_STORE_PASSWORD": self.credentials[1],
            }


def oxigraph_binary() -> str | None:
    """Return the ``oxigraph`` command (beside this Python first), or None."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def virtuoso_binary() -> str | None:
    """Return the ``virtuoso-t`` command, or None."""
    return shutil.which("virtuoso-t")


@contextlib.contextmanager
def oxigraph_server(folder: Path, timeout_s: int | None = None) -> Iterator[StoreServer]:
    """Run ``oxigraph serve`` with its data in ``folder`` on a free port."""
    binary = oxigraph_binary()
    if binary is None:
        raise FileNotFoundError("oxigraph (pip install oxigraph)")
    port = free_port()
    command = [binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    if timeout_s:
        command += ["--timeout-s", str(timeout_s)]
    base = f"http://127.0.0.1:{port}"
    with _running(command, folder, base + "/query") as process:
        yield StoreServer("oxigraph", base + "/query", base + "/store", process, folder=folder)


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[StoreServer]:
    """Run Virtuoso with a new database in ``folder`` on free ports."""
    binary = virtuoso_binary()
    if binary is None:
        raise FileNotFoundError("virtuoso-t (apt-get install virtuoso-opensource)")
    http_port, sql_port = free_port(), free_port()
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(db=db, sql_port=sql_port, http_port=http_port, vsp=VIRTUOSO_VSP),
        encoding="utf-8",
    )
    base = f"http://127.0.0.1:{http_port}"
    command = [binary, "-c", str(ini), "+foreground"]
    with _running(command, folder, base + "/sparql", start_timeout=120) as process:
        yield StoreServer(
            "virtuoso",
            base + "/sparql",
            base + "/sparql-graph-crud-auth",
            process,
            credentials=VIRTUOSO_USER,
            folder=folder,
        )


def load(server: StoreServer, data: Sequence[Path] = (), release: Path | None = None) -> str:
    """Load the bundled data (and ``data`` files), or a release folder; return the output."""
    command = [sys.executable, "-m", "nelmkg.cli", "load", "--into", server.gsp_url]
    command += ["--query", server.query_url]
    if release is not None:
        command += ["--release", str(release)]
    if data:
        command += ["--data", *map(str, data)]
    done = subprocess.run(
        command,
        env={**os.environ, **server.env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"nelmkg load failed ({done.returncode}):\n{done.stderr}")
    return done.stderr


@contextlib.contextmanager
def _running(
    command: list[str], folder: Path, probe: str, start_timeout: float = 60
) -> Iterator[subprocess.Popen]:
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    try:
        _wait_answering(probe, process, folder / "server.log", start_timeout)
        yield process
    finally:
        stop(process)


def _wait_answering(url: str, process: subprocess.Popen, log: Path, limit: float) -> None:
    deadline = time.monotonic() + limit
    ask = url + "?query=ASK%7B%7D"
    while True:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(ask, timeout=2) as response,
        ):
            if response.status == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            detail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(process.args)} did not start:\n{detail}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """Stop a server started here: SIGTERM, then SIGKILL to its process group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
