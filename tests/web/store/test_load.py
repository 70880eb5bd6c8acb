"""``nelmkg load --into``: a release written into a real store (the Oxigraph server).

The session's Oxigraph server was loaded once by its fixture; here it is loaded a second time
and read back whole through its Graph Store endpoint: every graph the embedded store holds is
there under its own name with the same triples (compared as graphs, blank nodes by
isomorphism), beside nelmkg's catalogue of them; the second load changed nothing; and the
command printed one progress line per graph with its triple count.
"""

from __future__ import annotations

import re
import urllib.request

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from nelmkg.graph.remote.store import CATALOGUE
from nelmkg.testing import stores

NT = ox.RdfFormat.N_TRIPLES


def read_back(server: stores.StoreServer) -> dict[str, Graph]:
    """Return every named graph of the store (the whole dataset, GET from its GSP endpoint)."""
    request = urllib.request.Request(server.gsp_url, headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        dataset = Dataset().parse(data=answer.read().decode("utf-8"), format="nquads")
    return {
        str(g.identifier): g
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef) and len(g) and "default" not in str(g.identifier)
    }


def embedded_graphs(client) -> dict[str, Graph]:
    """Return every named graph of the embedded store, as rdflib graphs."""
    store = client.application.extensions["nelmkg"].store
    found: dict[str, Graph] = {}
    text = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
    for name in client.application.extensions["nelmkg"].info.graphs:
        data = store.query(text.replace("?g", f"<{name}>")).serialize(format=NT)
        found[name] = Graph().parse(data=data.decode("utf-8"), format="nt")
    return found


def test_load_keeps_graphs_and_a_second_load_changes_nothing(oxigraph, protocol_data, client):
    before = read_back(oxigraph)
    output = stores.load(oxigraph, [protocol_data])
    after = read_back(oxigraph)
    want = embedded_graphs(client)
    assert set(after) == set(want) | {CATALOGUE}
    for name, graph in want.items():
        assert isomorphic(after[name], graph), name
        assert isomorphic(before[name], after[name]), name
    listed = {str(o) for o in after[CATALOGUE].objects()}
    assert listed == set(want)
    # Progress: "[i/n] <graph>: <count> triples in <s> s" for every graph and the catalogue.
    done = re.findall(r"^\[(\d+)/(\d+)\] (\S+): (\d+) triples in [\d.]+ s$", output, re.M)
    assert {name: int(count) for _, _, name, count in done} == {
        **{name: len(graph) for name, graph in want.items()},
        CATALOGUE: len(want),
    }
