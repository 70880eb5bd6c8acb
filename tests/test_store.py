"""The service's Oxigraph store holds exactly what rdflib loads, and the user's files."""

import subprocess

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic

from nelmkg.graph.store import StoreLoadError, load_store, store_info, user_graph_name
from nelmkg.graph.vocab import GRAPHS
from nelmkg.paths import DataFileError
from nelmkg.testing import live


def as_rdflib(store: ox.Store, graph: str) -> Graph:
    """Return one graph of ``store`` as an rdflib Graph (for isomorphism checks)."""

    def term(t):
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == str(namespace.XSD.string):  # rdflib keeps plain literals untyped
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))

    name = ox.DefaultGraph() if graph == "default" else ox.NamedNode(graph)
    out = Graph()
    for q in store.quads_for_pattern(None, None, None, name):
        out.add((term(q.subject), term(q.predicate), term(q.object)))
    return out


@pytest.fixture(scope="module")
def store():
    return load_store()


# Oxigraph stores literals of the types derived from xsd:integer as xsd:integer (same value,
# same lexical form); DATATYPE() on the service says xsd:integer. See docs/decisions/0006-store.md.
INTEGER_TYPES = {
    namespace.XSD[t]
    for t in "positiveInteger nonNegativeInteger negativeInteger "
    "nonPositiveInteger long int short byte unsignedLong unsignedInt unsignedShort "
    "unsignedByte".split()
}


def as_stored(graph) -> Graph:
    """Return ``graph`` with integer-derived datatypes written as xsd:integer."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in INTEGER_TYPES:
            o = Literal(str(o), datatype=namespace.XSD.integer)
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("part", list(GRAPHS))
def test_bundled_graphs_equal_rdflibs(dataset, store, part):
    ours = as_rdflib(store, str(GRAPHS[part]))
    theirs = as_stored(dataset.graph(GRAPHS[part]))
    assert len(ours) == len(theirs)
    assert isomorphic(ours, theirs)


def test_oxigraph_stores_derived_integers_as_integer():
    store = ox.Store()
    store.load(
        input=b'<http://e/s> <http://e/p> "46"^^<http://www.w3.org/2001/XMLSchema#'
        b"positiveInteger> .",
        format=ox.RdfFormat.N_TRIPLES,
    )
    (quad,) = list(store)
    assert quad.object.datatype == ox.NamedNode(str(namespace.XSD.integer))


def test_default_graph_is_the_union(dataset, store):
    """The default graph is a view of the union: nothing is copied, queries see every triple."""
    info = store_info(store)
    assert set(info.graphs) == {str(g) for g in GRAPHS.values()}
    assert store.view
    assert list(store.inner.quads_for_pattern(None, None, None, ox.DefaultGraph())) == []
    union = {
        (q.subject, q.predicate, q.object)
        for q in store.inner.quads_for_pattern(None, None, None, None)
    }
    seen = {
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    assert seen == union  # the same blank nodes too: a view of the stored quads
    # rdflib's count of the source files: no two bundled graphs share a triple
    expected = sum(len(dataset.graph(g)) for g in GRAPHS.values())
    (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(row["n"].value) == expected == info.default


def test_shared_triples_are_merged_once(tmp_path):
    """A triple in two files is in the default graph once (RDF merge), not once per graph."""
    (tmp_path / "a.nt").write_text('<http://e/s> <http://e/p> "1" .\n', encoding="utf-8")
    (tmp_path / "b.ttl").write_text(
        '<http://e/s> <http://e/p> "1" . <http://e/s> <http://e/p> "2" .\n', encoding="utf-8"
    )
    store = load_store([tmp_path / "a.nt", tmp_path / "b.ttl"], bundled=False)
    rows = store.query("SELECT ?o WHERE { <http://e/s> <http://e/p> ?o } ORDER BY ?o")
    assert [r["o"].value for r in rows] == ["1", "2"]
    assert store_info(store).default == 2
    # FROM names one graph's triples, and only those
    rows = store.query(
        f"SELECT ?o FROM <{user_graph_name(tmp_path / 'a.nt')}> WHERE {{ ?s ?p ?o }}"
    )
    assert [r["o"].value for r in rows] == ["1"]


def test_user_files(tmp_path):
    (tmp_path / "mine.ttl").write_text("<http://e/s> <http://e/p> _:b .\n", encoding="utf-8")
    (tmp_path / "more.nt").write_text("<http://e/s> <http://e/p> _:b .\n", encoding="utf-8")
    (tmp_path / "sets.trig").write_text(
        "<http://e/g> { <http://e/a> <http://e/p> 1 } <http://e/loose> <http://e/p> 2 .\n",
        encoding="utf-8",
    )
    (tmp_path / "quads.nq").write_text(
        '<http://e/x> <http://e/p> "q" <http://e/h> .\n<http://e/y> <http://e/p> "d" .\n',
        encoding="utf-8",
    )
    files = [tmp_path / n for n in ("mine.ttl", "more.nt", "sets.trig", "quads.nq")]
    store = load_store(files, bundled=False)
    info = store_info(store)
    assert info.graphs == {
        user_graph_name(files[0]): 1,
        user_graph_name(files[1]): 1,
        "http://e/g": 1,
        user_graph_name(files[2]): 1,
        "http://e/h": 1,
        user_graph_name(files[3]): 1,
    }
    assert user_graph_name(files[0]) == "https://w3id.org/nelmkg/graph/data/mine.ttl"
    # blank nodes of different files stay different; the default graph is the union
    assert info.default == 6


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.ttl", "<http://e/s> <http://e/p> .\n", r"bad.ttl:1:\d+: "),
        ("bad.nq", '<http://e/s> <http://e/p> "o" <http://e/g>\n', r"bad.nq:\d+:\d+: "),
        ("data.json", "{}", "unknown data file suffix"),
        ("empty.ttl", "", "empty.ttl: holds no triples"),
        ("comments.nt", "# nothing here\n", "comments.nt: holds no triples"),
        ("empty.trig", "", "empty.trig: holds no triples"),
    ],
)
def test_bad_user_files(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoreLoadError, match=message):
        load_store([path], bundled=False)


def test_missing_and_clashing_user_files(tmp_path):
    # A file that cannot be read is a data-file error (one line, exit 2), not a parse error.
    with pytest.raises(DataFileError, match="nowhere.ttl"):
        load_store([tmp_path / "nowhere.ttl"], bundled=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "same.ttl").write_text("<http://e/s> <http://e/p> 1 .\n", encoding="utf-8")
    with pytest.raises(StoreLoadError, match="same file name"):
        load_store([tmp_path / "a" / "same.ttl", tmp_path / "b" / "same.ttl"], bundled=False)


def test_unreadable_user_file(tmp_path):
    folder = tmp_path / "folder.ttl"  # a folder where a file should be
    folder.mkdir()
    with pytest.raises(DataFileError, match="folder.ttl: cannot read"):
        load_store([folder], bundled=False)


def test_serve_refuses_an_empty_data_file(tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    command = live.serve_command(live.free_port(), 1, [empty])
    # In a process of its own: were the file accepted, the server would start and be killed
    # by the timeout (a failure), rather than serve for ever inside the test run.
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    err = done.stderr.strip()
    assert done.returncode == 1
    assert err.startswith("error: ") and "empty.ttl: holds no triples" in err
    assert len(err.splitlines()) == 1
