"""The release writes its files, and they reload as the same graphs."""

import json

from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from nelmkg.graph.dataset import part, summary
from nelmkg.graph.release import FILES, write_release
from nelmkg.graph.vocab import GRAPHS


def test_release_round_trip(dataset, tmp_path):
    written = write_release(dataset, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    assert all(path.stat().st_size > 0 for path in written.values())

    for name, fmt in (("nelmkg.trig", "trig"), ("nelmkg.nq", "nquads")):
        reloaded = Dataset()
        reloaded.parse(written[name], format=fmt)
        for key, iri in GRAPHS.items():
            assert isomorphic(reloaded.graph(iri), part(dataset, key)), f"{name}: graph {key}"

    ontology = part(dataset, "ontology")
    assert isomorphic(Graph().parse(written["nelm.owl"], format="xml"), ontology)
    assert isomorphic(Graph().parse(written["nelm.ttl"], format="turtle"), ontology)
    counts = json.loads(written["counts.json"].read_text(encoding="utf-8"))
    assert counts == summary(dataset)
    assert counts["version"], "the ontology has no owl:versionInfo to version the release"
