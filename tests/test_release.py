"""The release writes its files, and they reload as the source files' graphs.

Each file is re-parsed and compared by isomorphism with the graphs rdflib parses from the
source files themselves (``source_graphs``), not with the dataset the release was written
from; ``counts.json`` is compared with rdflib's own count (``expected_summary``).
"""

import json

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from nelmkg import paths
from nelmkg.graph.release import write_release

GRAPH = "https://w3id.org/nelmkg/graph/"
FILES = {"nelm.ttl", "nelm.owl", "nelmkg.trig", "nelmkg.nq", "counts.json"}


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
