"""Write the release files: the ontology (Turtle, RDF/XML), the dataset (TriG, N-Quads), counts.

The version is the ontology's ``owl:versionInfo``. ``nelm.ttl`` is the hand-edited source
copied byte for byte (comments kept) when the ontology is that one file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from rdflib import Dataset

from nelmkg import paths
from nelmkg.graph.dataset import part, summary

FILES = ("nelm.ttl", "nelm.owl", "nelmkg.trig", "nelmkg.nq", "counts.json")


def write_release(ds: Dataset, out: Path) -> dict[str, Path]:
    """Write every release file of ``ds`` into ``out`` (created if needed); return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {name: out / name for name in FILES}
    ontology = part(ds, "ontology")
    sources = paths.ontology_files()
    if sources == [paths.ontology_file()]:
        shutil.copyfile(sources[0], written["nelm.ttl"])
    else:
        ontology.serialize(written["nelm.ttl"], format="turtle")
    ontology.serialize(written["nelm.owl"], format="xml")
    ds.serialize(written["nelmkg.trig"], format="trig")
    # Sorted lines make two releases of the same data easy to diff.
    lines = sorted(ds.serialize(format="nquads").splitlines(keepends=True))
    written["nelmkg.nq"].write_text("".join(lines), encoding="utf-8")
    counts = summary(ds)
    written["counts.json"].write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    return written
