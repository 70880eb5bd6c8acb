"""Where the two sides of a diff come from: release folders, snapshots, git revisions, the data.

A side is named by one string, tried in this order:

- ``.`` — the current data (the data root of :mod:`nelmkg.paths`);
- a folder holding ``nelmkg.nq`` or ``nelmkg.nq.gz`` (a release written by ``nelmkg release``,
  or a snapshot), or a folder holding ``ontology/`` and ``kg/`` (a data root);
- a version with a snapshot in ``releases/`` (``0.1.0``): the previous releases travel with
  the package, so ``/changes`` works without git;
- a git revision of the checkout (``HEAD~3``, ``main``, a tag): its data folders are read
  with ``git archive`` into a temporary folder and loaded as the current data is.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph

from nelmkg import paths
from nelmkg.graph.dataset import load_dataset, part, version

RELEASE_FILES = ("nelmkg.nq", "nelmkg.nq.gz")
_VERSION = re.compile(r"^\d+(\.\d+)*([a-z0-9.+-]*)$")


class SourceError(ValueError):
    """A side of a diff that names nothing loadable (a one-line message)."""


@dataclass(frozen=True)
class Side:
    """One side of a diff: its name (as shown) and its knowledge graph and ontology."""

    name: str
    kg: Graph
    ontology: Graph


def read_release(folder: Path) -> Dataset:
    """Return the dataset of a release folder (``nelmkg.nq``, or gzipped ``nelmkg.nq.gz``)."""
    ds = Dataset()
    for name in RELEASE_FILES:
        path = Path(folder) / name
        if path.is_file():
            data = path.read_bytes()
            ds.parse(data=gzip.decompress(data) if name.endswith(".gz") else data, format="nquads")
            return ds
    raise SourceError(f"{folder}: no {' or '.join(RELEASE_FILES)}")


def _side(name: str, ds: Dataset) -> Side:
    return Side(name, part(ds, "kg"), part(ds, "ontology"))


def _release_name(folder: Path, ds: Dataset) -> str:
    counts = folder / "counts.json"
    if counts.is_file():
        found = json.loads(counts.read_text(encoding="utf-8")).get("version")
        if found:
            return str(found)
    return version(ds) or folder.name


def snapshots() -> list[str]:
    """Return the versions with a snapshot in ``releases/``, oldest first."""
    base = paths.releases_dir()
    found = [p.name for p in base.iterdir() if p.is_dir() and _VERSION.match(p.name)]
    return sorted(found, key=lambda v: [int(x) if x.isdigit() else x for x in re.split(r"\.", v)])


def git_side(ref: str, top: Path) -> Side:
    """Load the data folders of git revision ``ref`` of the checkout ``top``."""
    verify = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=top,
        capture_output=True,
        text=True,
    )
    if verify.returncode != 0:
        raise SourceError(f"{ref!r} is not a release folder, a snapshot in releases/ or a git ref")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", verify.stdout.strip(), "ontology", "kg", "shapes"],
        cwd=top,
        capture_output=True,
    )
    if archive.returncode != 0:
        raise SourceError(f"git archive {ref}: {archive.stderr.decode(errors='replace').strip()}")
    with tempfile.TemporaryDirectory(prefix="nelmkg-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        ds = load_dataset(Path(tmp))
    return _side(ref, ds)


def load_side(spec: str) -> Side:
    """Return the side named by ``spec`` (see the module docstring for the order tried)."""
    if spec == ".":
        ds = load_dataset()
        return _side(version(ds) or "current", ds)
    path = Path(spec)
    if path.is_dir() and any((path / n).is_file() for n in RELEASE_FILES):
        ds = read_release(path)
        return _side(_release_name(path, ds), ds)
    if path.is_dir() and (path / "ontology").is_dir() and (path / "kg").is_dir():
        ds = load_dataset(path)
        return _side(version(ds) or path.name, ds)
    snapshot = paths.releases_dir() / spec
    if _VERSION.match(spec) and snapshot.is_dir():
        return _side(spec, read_release(snapshot))
    top = paths.checkout()
    if top is None:
        raise SourceError(f"{spec!r} is not a release folder or a snapshot in releases/")
    return git_side(spec, top)
