"""Which store the service answers from: the embedded Oxigraph store, or an external one.

By default the service loads the bundled data (and ``--data`` files) into an in-memory
Oxigraph store in every worker. With the ``STORE`` setting (``nelmkg serve --store URL``) it
answers from any SPARQL 1.1 endpoint instead (:class:`~nelmkg.graph.remote.RemoteStore`;
docs/external-store.md): the same routes, pages and named queries, with the query evaluators
forwarding each checked query to the store (:mod:`nelmkg.query.forward`) and allowed to reach
that store's host and port only. Everything else reads the store through the same API.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from nelmkg.graph.remote import Credentials, RemoteStore
from nelmkg.graph.store import StoreInfo, UnionStore, load_store, store_info
from nelmkg.query import engine, forward

Store = UnionStore | RemoteStore


class StoreConfigError(ValueError):
    """The store settings cannot be used together (one line, for start-up)."""


def remote_from_config(config: Mapping[str, Any]) -> RemoteStore | None:
    """Return the external store the settings name (not yet connected), or None."""
    url = config.get("STORE")
    if not url:
        if config.get("STORE_GSP"):
            raise StoreConfigError("NELMKG_STORE_GSP is set, NELMKG_STORE (the query URL) is not")
        return None
    if config.get("DATA_FILES"):
        raise StoreConfigError(
            "--data files are loaded into the embedded store only; with an external store, "
            "load them with `nelmkg load --into GSP-URL --data FILE...`"
        )
    user = config.get("STORE_USER")
    credentials = Credentials(user, config.get("STORE_PASSWORD") or "") if user else None
    try:
        return RemoteStore(url, config.get("STORE_GSP"), credentials, config["STORE_TIMEOUT"])
    except ValueError as exc:
        raise StoreConfigError(f"NELMKG_STORE: {exc}") from exc


def open_store(data_files: Sequence[Path | str], remote: RemoteStore | None) -> Store:
    """Return the store to answer from: ``remote`` connected, or the embedded one loaded."""
    return remote.connect() if remote is not None else load_store(data_files)


def info(store: Store) -> StoreInfo:
    """Return the triple counts of the store's graphs and default graph."""
    return store.info() if isinstance(store, RemoteStore) else store_info(store)


def network(store: Store) -> tuple[tuple[str, int], ...]:
    """Return the ``(host, port)`` pairs the query evaluators may connect to (none: embedded)."""
    return tuple(sorted(store.origins)) if isinstance(store, RemoteStore) else ()


def query_handler(store: Store, prefixes: dict[str, str], limit: float) -> Callable[[Any], Any]:
    """Return the evaluator's ``query`` operation for ``store`` (job fields in, answer out)."""
    if isinstance(store, RemoteStore):
        return functools.partial(
            forward.run_tuple, store, prefixes=prefixes, parser=ox.Store(), limit=limit
        )
    return functools.partial(engine.run_tuple, store, prefixes=prefixes)
