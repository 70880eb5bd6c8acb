"""The release writes its files, and they reload as the source files' graphs; two runs are
byte-identical, the checksums verify, and the version is stated alike everywhere.

Each file is re-parsed and compared by isomorphism with the graphs rdflib parses from the
source files themselves (``source_graphs``), not with the dataset the release was written
from; ``counts.json`` is compared with rdflib's own count (``expected_summary``).
"""

import errno
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from tests.conftest import unavailable

import nelmkg
from nelmkg import paths
from nelmkg.graph import ontodoc, release
from nelmkg.graph.dataset import part as graph_part
from nelmkg.graph.release import ReleaseError, write_release
from nelmkg.graph.version import mismatches
from nelmkg.graph.vocab import GRAPHS

GRAPH = "https://w3id.org/nelmkg/graph/"
FILES = {
    "nelm.ttl",
    "nelm.owl",
    "nelm.html",
    "nelmkg.trig",
    "nelmkg.nq",
    "counts.json",
    "SHA256SUMS",
}
C14N_LABEL = re.compile(r"_:c14n\d+\b")


@pytest.fixture(scope="module")
def released(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    return write_release(dataset, out)


def test_release_round_trip(dataset, source_graphs, expected_summary, tmp_path):
    write_release(dataset, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == FILES

    for name, fmt in (("nelmkg.trig", "trig"), ("nelmkg.nq", "nquads")):
        reloaded = Dataset()
        reloaded.parse(tmp_path / name, format=fmt)
        names = {g.identifier for g in reloaded.graphs()} - {reloaded.default_graph.identifier}
        assert names == {URIRef(GRAPH + part) for part in source_graphs}, name
        for part, source in source_graphs.items():
            graph = reloaded.graph(URIRef(GRAPH + part))
            assert isomorphic(graph, source), f"{name}: graph {part}"

    ontology = source_graphs["ontology"]
    assert isomorphic(Graph().parse(tmp_path / "nelm.owl", format="xml"), ontology)
    assert isomorphic(Graph().parse(tmp_path / "nelm.ttl", format="turtle"), ontology)
    if [p.name for p in (paths.root() / "ontology").glob("*.ttl")] == ["nelm.ttl"]:
        # the one hand-edited ontology file is copied as it is, comments and all
        source = (paths.root() / "ontology" / "nelm.ttl").read_bytes()
        assert (tmp_path / "nelm.ttl").read_bytes() == source
    counts = json.loads((tmp_path / "counts.json").read_text(encoding="utf-8"))
    assert counts == expected_summary


def test_nquads_are_sorted_with_canonical_blank_nodes(released):
    lines = released["nelmkg.nq"].read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    labels = {m for line in lines for m in re.findall(r"_:\S+", line)}
    assert labels, "the ontology's and shapes' RDF lists should leave blank nodes"
    assert all(C14N_LABEL.fullmatch(label) for label in labels), sorted(labels)[:5]


def test_two_releases_are_byte_identical(released, tmp_path):
    """A second run in another process, under another hash seed, writes the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "nelmkg.cli", "release", "-o", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for name, path in released.items():
        assert (tmp_path / name).read_bytes() == path.read_bytes(), name


def test_checksums_verify(released):
    listed = {}
    for line in released["SHA256SUMS"].read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        listed[name] = digest
    assert set(listed) == FILES - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(released[name].read_bytes()).hexdigest() == digest, name


def test_version_is_stated_alike_everywhere(ontology):
    with (paths.checkout() / "pyproject.toml").open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    onto = URIRef("https://w3id.org/nelmkg/ontology")
    assert str(ontology.value(onto, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))) == version
    iri = ontology.value(onto, URIRef("http://www.w3.org/2002/07/owl#versionIRI"))
    assert str(iri) == f"https://w3id.org/nelmkg/ontology/{version}"
    assert nelmkg.__version__ == version, "reinstall: the installed metadata is stale"
    changelog = (paths.checkout() / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {version}\n" in changelog


def test_release_refuses_a_version_mismatch(dataset, tmp_path):
    ontology = Graph()
    for triple in graph_part(dataset, "ontology"):
        ontology.add(triple)
    assert mismatches(ontology) == []
    assert len(mismatches(ontology, version="9.9.9")) == 2
    broken = Dataset(default_union=True)
    for name, iri in GRAPHS.items():
        graph = broken.graph(iri)
        for s, p, o in graph_part(dataset, name):
            if name == "ontology" and str(p).endswith("#versionInfo"):
                o = type(o)("0.0.1")
            graph.add((s, p, o))
    with pytest.raises(ReleaseError, match="versionInfo"):
        write_release(broken, tmp_path)


def test_ontology_doc_is_generated_from_the_ontology(tmp_path):
    """ontology/doc/nelm.html is pyLODE's output for the current ontology (run `nelmkg docs`)."""
    committed = paths.ontology_doc_file().read_bytes()
    assert ontodoc.generate(paths.ontology_file()) == committed, "stale: run `nelmkg docs`"
    assert b"nelmkg ontology" in committed and b"<script src=" not in committed


def test_a_new_release_replaces_the_old_one_whole(dataset, tmp_path):
    out = tmp_path / "release"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier release", encoding="utf-8")
    write_release(dataset, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(release.FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["release"]  # no temporary folder left


def test_a_read_only_place_is_one_line_and_no_files(dataset, capsys):
    from nelmkg.cli import main

    out = Path("/sys/nelmkg-release")  # sysfs is read-only, even for root
    with pytest.raises(ReleaseError) as caught:
        write_release(dataset, out)
    assert str(out) in str(caught.value) and "\n" not in str(caught.value)
    assert main(["release", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot write the release to /sys/nelmkg-release")
    assert len(err.splitlines()) == 1 and not out.exists()


def test_a_full_disk_leaves_the_earlier_release_untouched(dataset, tmp_path, monkeypatch):
    out = tmp_path / "release"
    write_release(dataset, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = release._write_files

    def fill_up(ds, folder):
        real(ds, folder)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(release, "_write_files", fill_up)
    with pytest.raises(ReleaseError, match="No space left on device"):
        write_release(dataset, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["release"]


def test_a_really_full_disk(dataset, tmp_path):
    """On a 64 KiB tmpfs (needs mount rights: root, as in CI) the release cannot fit."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:  # CI runs as root: there the disk-full path must be proven
        unavailable(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        with pytest.raises(ReleaseError, match="No space left on device"):
            write_release(dataset, mount / "release")
        assert list(mount.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mount)], check=True)
