"""The start-up cache: what a command derives from the data files, kept between runs.

Parsing the ontology and KG with rdflib (8,700 triples) costs a one-case ``nelmkg assess``
about 0.23 s of its 0.6 s, and the service's start as much again. :func:`cached` keeps such a
value (a parsed graph, the assessor's criteria and options) as a pickle file and reuses it while
nothing it was derived from has changed:

- the *content* (SHA-256) of every data file it was derived from, with its name;
- the code: name, size and modification time of every module of the installed ``nelmkg``
  package, and the Python, rdflib and pickle versions.

Any difference gives another key, so a stale value is never read; the entry is then rebuilt
and written again. Nothing here is needed: with the cache off, unwritable or damaged, the value
is simply derived from the files as before (the same value: ``tests/test_startcache.py``).

Where: ``$NELMKG_STARTUP_CACHE`` (a directory, or ``off``), else ``$XDG_CACHE_HOME/nelmkg``,
else ``~/.cache/nelmkg``. A pickle runs code when read, so an entry is read only from a
directory and a file that belong to the current user and that no one else can write; entries
are written to a temporary file and renamed into place (concurrent starts are safe), and
older entries of the same kind are removed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

ENV = "NELMKG_STARTUP_CACHE"
OFF = "off"
PACKAGE = Path(__file__).resolve().parents[1]  # server/nelmkg, or site-packages/nelmkg
T = TypeVar("T")


def directory() -> Path | None:
    """Return the cache directory (not created yet), or None when the cache is off."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen.lower() == OFF:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "nelmkg"


def code_fingerprint() -> bytes:
    """Return what identifies the running code: module names, sizes and times; versions."""
    import rdflib  # the pickled values hold rdflib terms

    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{rdflib.__version__}|{pickle.HIGHEST_PROTOCOL}".encode())
    for top, folders, names in os.walk(PACKAGE):  # os.walk: 1 ms here, Path.rglob 25 ms
        folders.sort()
        for name in sorted(n for n in names if n.endswith(".py")):
            info = os.stat(os.path.join(top, name))
            where = os.path.relpath(os.path.join(top, name), PACKAGE)
            digest.update(f"{where}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.digest()


def key(kind: str, files: Iterable[Path]) -> str:
    """Return the cache key of ``kind`` derived from ``files`` (their names and content)."""
    digest = hashlib.sha256(code_fingerprint())
    digest.update(kind.encode())
    for path in files:
        digest.update(f"\0{Path(path).name}\0".encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:32]


def _private(info: os.stat_result) -> bool:
    """True when the current user owns it and no one else may write it (POSIX; elsewhere,
    where ownership cannot be checked this way, never: the cache is then off)."""
    if not hasattr(os, "getuid"):
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path) -> tuple[bool, object]:
    """Return ``(True, value)`` from a trustworthy entry, else ``(False, None)``."""
    try:
        with open(path, "rb") as handle:
            if not (_private(os.fstat(handle.fileno())) and _private(path.parent.stat())):
                return False, None
            return True, pickle.load(handle)
    except Exception:  # missing, unreadable or damaged: derive the value again
        return False, None


def _write(folder: Path, kind: str, name: str, value: object) -> None:
    """Write ``value`` as entry ``name`` atomically; remove older entries of ``kind``."""
    import tempfile  # only when writing (its imports cost a start that reads 5 ms)

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder.stat()):
            return
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / name)
        for old in folder.glob(f"{kind}.*.pickle"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except Exception:  # a read-only home, a full disk, a value that does not pickle: no cache
        if "temporary" in locals():
            Path(temporary).unlink(missing_ok=True)


def cached(kind: str, files: Sequence[Path], derive: Callable[[], T]) -> T:
    """Return ``derive()``, or the value it gave before from files with the same content.

    ``kind`` names what is kept (one entry per kind: ``"knowledge"``, ``"assessor"``, ...);
    ``files`` are every file the value is derived from.
    """
    folder = directory()
    if folder is None:
        return derive()
    try:
        name = f"{kind}.{key(kind, files)}.pickle"
    except OSError:  # a data file that cannot be read: let ``derive`` say which
        return derive()
    found, value = _read(folder / name)
    if found:
        return value  # type: ignore[return-value]
    value = derive()
    _write(folder, kind, name, value)
    return value
