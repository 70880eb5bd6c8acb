"""Lock down the evaluator process: the second line of defence behind the query checks.

Applied once in each evaluator process right after it is forked (:func:`apply`), in order:

1. close every inherited socket but the pipe to the web worker (the listening socket, the
   client connection being served when it was forked);
2. die with the web worker (``PR_SET_PDEATHSIG``), so no query outlives it;
3. move into an empty network namespace when the kernel allows it (root, or unprivileged user
   namespaces): then even Oxigraph's own HTTP client, which Python cannot see, has no network;
4. cap the address space (``RLIMIT_AS``) at its size now plus ``memory_mb``;
5. install a Python audit hook (PEP 578, as rdflib's security notes suggest) that refuses
   sockets, URL opening, subprocesses, file writes and reading files outside the Python
   installation and the repository.

Audit hooks see Python-level operations only; native code (Oxigraph) is covered by (3) when
available and by refusing ``SERVICE`` before evaluation. What was applied is reported by
``/healthz``.

An evaluator that forwards queries to an external store (``nelmkg serve --store``) is given
that store's ``(host, port)`` pairs (``network``): it then keeps the machine's network (no
namespace), and the audit hook lets sockets connect to those addresses only (the host names
resolved once, when the sandbox is applied) — every other host is still refused.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import socket
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

PR_SET_PDEATHSIG = 1
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

BLOCKED_EVENTS = frozenset(
    """socket.__new__ socket.connect socket.bind socket.getaddrinfo socket.gethostbyname
    socket.gethostbyname_ex socket.gethostbyaddr socket.sendto socket.sendmsg urllib.Request
    http.client.connect ftplib.connect smtplib.connect poplib.connect imaplib.open
    webbrowser.open subprocess.Popen os.system os.exec os.posix_spawn os.spawn os.fork
    os.forkpty os.kill os.killpg os.remove os.rmdir os.rename os.truncate os.mkdir os.symlink
    os.link os.chmod os.chown os.utime os.putenv os.unsetenv shutil.rmtree shutil.copyfile
    shutil.move ctypes.dlopen ctypes.dlsym""".split()
)
PATH_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class SandboxViolation(PermissionError):
    """An operation the evaluator process may not perform."""


def default_read_roots(repo_root: Path) -> tuple[str, ...]:
    """Return the folders the evaluator may read: the Python installation and the repo."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, str(repo_root)}
    found |= {p for p in sys.path if p and os.path.isabs(p)}
    roots = {os.path.realpath(p) for p in found}
    return tuple(sorted(r for r in roots if r not in ("/", os.path.realpath(Path.home()))))


def _is_write(mode=None, flags=None) -> bool:
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


NETWORK_EVENTS = frozenset(
    {"socket.__new__", "socket.connect", "socket.getaddrinfo", "http.client.connect"}
)


def resolve(network: Iterable[tuple[str, int]]) -> frozenset[tuple[str, int]]:
    """Return the ``(host or address, port)`` pairs a sandbox with ``network`` may reach."""
    allowed = set(network)
    for host, port in list(allowed):
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            continue  # the store's name does not resolve now: its requests will fail
        allowed |= {(info[4][0], port) for info in found}
    return frozenset(allowed)


def _network_allowed(event: str, args: tuple, allowed: frozenset[tuple[str, int]]) -> bool:
    hosts = {host for host, _ in allowed}
    if event == "socket.__new__":
        return args[1] in (socket.AF_INET, socket.AF_INET6)
    if event == "socket.getaddrinfo":
        return args[0] in hosts
    if event == "http.client.connect":
        return (args[1], args[2]) in allowed
    address = args[1]
    return isinstance(address, tuple) and (address[0], address[1]) in allowed


def make_hook(read_roots: Iterable[str], network: frozenset[tuple[str, int]] = frozenset()):
    """Return an audit hook refusing :data:`BLOCKED_EVENTS` and reads outside ``read_roots``.

    Sockets to the pairs of ``network`` (see :func:`resolve`) are allowed.
    """
    roots = tuple(r.rstrip(os.sep) + os.sep for r in read_roots)

    def hook(event: str, args: tuple) -> None:
        if network and event in NETWORK_EVENTS and _network_allowed(event, args, network):
            return
        if event in BLOCKED_EVENTS:
            raise SandboxViolation(f"not allowed while evaluating queries: {event}")
        if event not in PATH_EVENTS:
            return
        target = args[0] if args else None
        if isinstance(target, int):
            return  # an already-open descriptor
        if event == "open" and _is_write(*args[1:3]):
            raise SandboxViolation(f"not allowed while evaluating queries: writing {target!r}")
        path = os.path.realpath(os.fsdecode(target if target is not None else "."))
        if not (path + os.sep).startswith(roots):
            raise SandboxViolation(f"not allowed while evaluating queries: reading {path}")

    return hook


def close_inherited_sockets(keep: Iterable[int]) -> int:
    """Close every socket descriptor except ``keep``; return how many were closed."""
    kept = set(keep)
    closed = 0
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in kept:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
                closed += 1
        except OSError:
            continue  # the descriptor of the listing itself, already gone
    return closed


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> bool:
    """Ask the kernel to kill this process when its parent exits (Linux only)."""
    try:
        return _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def isolate_network() -> bool:
    """Enter a new, empty network namespace if permitted; return True on success."""
    try:
        libc = _libc()
        return libc.unshare(CLONE_NEWNET) == 0 or libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def limit_memory(extra_mb: int) -> bool:
    """Cap the address space at its current size plus ``extra_mb`` MiB (0: no cap)."""
    if extra_mb <= 0:
        return False
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            size = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = size + extra_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):
        return False
    return True


def apply(
    keep_fds: Iterable[int],
    memory_mb: int,
    read_roots: Iterable[str],
    network: Iterable[tuple[str, int]] = (),
) -> dict[str, bool]:
    """Apply every measure above (the audit hook last); return which ones took effect.

    With ``network`` (the store's ``(host, port)`` pairs) the process keeps the network and
    may connect there only.
    """
    parent = os.getppid()
    report = {"parent_death_signal": die_with_parent()}
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(0)
    close_inherited_sockets(keep_fds)
    allowed = resolve(network) if network else frozenset()
    report["network_namespace"] = False if network else isolate_network()
    report["memory_limit"] = limit_memory(memory_mb)
    sys.addaudithook(make_hook(read_roots, allowed))
    report["audit_hook"] = True
    report["store_network_only"] = bool(network)
    return report
