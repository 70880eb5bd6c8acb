"""``nelmkg load --into URL``: write a release into a store through the Graph Store Protocol.

The release is the bundled data (with ``--data`` files beside it, named as ``nelmkg serve
--data`` names them) or a folder written by ``nelmkg release`` (its ``nelmkg.nq``, or the
``nelmkg.nq.gz`` of a snapshot under ``releases/``). Each named graph is sent with one
``PUT`` (Graph Store HTTP Protocol §5.3), which replaces the graph: loading the same release
twice leaves the store as it was after the first time, and a graph of a newer release
replaces the older one whole. Last, the graph ``https://w3id.org/nelmkg/graph/catalogue``
is replaced by the list of the graphs just written (``dcterms:hasPart``): ``nelmkg serve
--store`` serves those graphs, and no other graph the store holds (a graph of an earlier
release is left in the store but no longer served). Progress goes to stderr, one line per
graph.

With ``--query URL`` the store's query endpoint is asked afterwards how many triples each
graph holds, and a graph that holds a different number than was sent is an error.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from nelmkg.graph.remote import auth
from nelmkg.graph.remote.http import Client, StoreError, Target, read_all
from nelmkg.graph.remote.store import CATALOGUE, HAS_PART, RemoteStore

# N-Triples is Turtle, and every Graph Store Protocol server reads Turtle.
CONTENT_TYPE = "text/turtle"
RELEASE_FILES = ("nelmkg.nq", "nelmkg.nq.gz")


@dataclass(frozen=True)
class Loaded:
    """One graph written: its name, triples sent, seconds taken."""

    graph: str
    triples: int
    seconds: float


def release_graphs(release: Path | None, data_files=()) -> dict[str, list[ox.Triple]]:
    """Return the triples of every named graph of a release folder, or of the bundled data."""
    if release is not None and data_files:
        raise ValueError("--data goes with the bundled data, not with --release")
    if release is None:
        from nelmkg.graph.store import load_store

        quads = load_store(data_files).quads_for_pattern(None, None, None, None)
    else:
        found = [release / name for name in RELEASE_FILES if (release / name).is_file()]
        if not found:
            raise FileNotFoundError(f"{release}: no {' or '.join(RELEASE_FILES)} (a release?)")
        path = found[0]
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            quads = list(ox.parse(handle, ox.RdfFormat.N_QUADS))
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return dict(sorted(graphs.items()))


def put_graphs(
    graphs: dict[str, list[ox.Triple]],
    gsp: Target,
    client: Client,
    progress: Callable[[str], None] = lambda line: None,
) -> list[Loaded]:
    """PUT every graph to the Graph Store Protocol endpoint ``gsp``; report each one."""
    done = []
    todo = {**graphs, **catalogue(graphs)}
    for number, (graph, triples) in enumerate(todo.items(), 1):
        started = time.monotonic()
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        progress(f"[{number}/{len(todo)}] {graph}: sending {len(triples)} triples ...")
        response = client.request(
            "PUT", gsp, [("graph", graph)], body=body, headers={"Content-Type": CONTENT_TYPE}
        )
        read_all(response, time.monotonic() + client.timeout, limit=1 << 20)
        seconds = time.monotonic() - started
        done.append(Loaded(graph, len(triples), seconds))
        progress(f"[{number}/{len(todo)}] {graph}: {len(triples)} triples in {seconds:.2f} s")
    return done


def catalogue(graphs: dict[str, list[ox.Triple]]) -> dict[str, list[ox.Triple]]:
    """Return the catalogue graph listing ``graphs`` (written last, after them)."""
    node = ox.NamedNode(CATALOGUE)
    part = ox.NamedNode(HAS_PART)
    return {CATALOGUE: [ox.Triple(node, part, ox.NamedNode(g)) for g in graphs]}


def check_counts(loaded: list[Loaded], query_url: str, client: Client) -> list[str]:
    """Return a line for every graph whose triple count in the store differs from what was sent."""
    store = RemoteStore(query_url, timeout=client.timeout)
    store.client = client
    wrong = []
    for item in loaded:
        if item.graph == CATALOGUE:
            continue
        text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{item.graph}> {{ ?s ?p ?o }} }}"
        rows = list(store.query(text, named_graphs=[ox.NamedNode(item.graph)], default_graph=[]))
        count = int(rows[0]["n"].value)
        if count != item.triples:
            wrong.append(f"{item.graph}: the store holds {count} triples, {item.triples} sent")
    return wrong


def _load(args: argparse.Namespace) -> int:
    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        gsp = Target.parse(args.into)
        client = Client(auth.from_env(), args.timeout)
        graphs = release_graphs(args.release, args.data)
        loaded = put_graphs(graphs, gsp, client, say)
        wrong = check_counts(loaded, args.query, client) if args.query else []
    except (ValueError, OSError, StoreError) as exc:
        say(f"error: {exc}")
        return 1
    for line in wrong:
        say(f"error: {line}")
    total = sum(item.triples for item in loaded)
    graphs = len(loaded) - 1  # the catalogue aside
    say(f"loaded {graphs} graphs, {total - graphs} triples and the catalogue into {gsp}")
    return 1 if wrong else 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``load`` subcommand."""
    cmd = sub.add_parser(
        "load", help="load a release into a triple store (Graph Store Protocol, PUT per graph)"
    )
    cmd.add_argument(
        "--into",
        required=True,
        metavar="URL",
        help="the store's Graph Store Protocol endpoint (Oxigraph: http://host:7878/store; "
        "Virtuoso: http://host:8890/sparql-graph-crud-auth); credentials from "
        "NELMKG_STORE_USER and NELMKG_STORE_PASSWORD",
    )
    cmd.add_argument(
        "--release",
        type=Path,
        metavar="DIR",
        help="a folder written by `nelmkg release` (default: the bundled data)",
    )
    cmd.add_argument(
        "--data",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="extra RDF files loaded beside the bundled data, as `nelmkg serve --data` does",
    )
    cmd.add_argument(
        "--query", metavar="URL", help="the store's query endpoint: check the counts afterwards"
    )
    cmd.add_argument(
        "--timeout", type=float, default=60.0, help="seconds per request (default %(default)s)"
    )
    cmd.set_defaults(func=_load)
