"""Fixtures of the external-store tests: real store servers, loaded once per session.

The Oxigraph server and Virtuoso are started once each (:mod:`nelmkg.testing.stores`),
loaded with ``nelmkg load`` with what the session's embedded service holds (the bundled data
and ``tests/data/web/protocol.trig``), and a service is built over each (``remote_service``)
beside the embedded one (``service``, from ``tests/web/conftest.py``). A store whose server
is not installed is skipped locally but fails the run in CI (``CI=true``), where ``.ci/run``
installs both.
"""

from __future__ import annotations

import pytest
from tests.conftest import unavailable

from nelmkg.graph.remote import Credentials, RemoteStore
from nelmkg.testing import stores
from nelmkg.web import create_app
from nelmkg.web.fhir.work import FhirWork
from nelmkg.web.service import build_service

STORES = ("oxigraph", "virtuoso")
BINARIES = {"oxigraph": stores.oxigraph_binary, "virtuoso": stores.virtuoso_binary}
STARTERS = {"oxigraph": stores.oxigraph_server, "virtuoso": stores.virtuoso_server}


def _require(name: str) -> None:
    if BINARIES[name]() is None:
        unavailable(f"the {name} server is not installed (.ci/run installs it)")


def _server(name: str, request, tmp_path_factory, protocol_data):
    _require(name)
    context = STARTERS[name](tmp_path_factory.mktemp(name))
    server = context.__enter__()
    request.addfinalizer(lambda: context.__exit__(None, None, None))
    stores.load(server, [protocol_data])
    return server


@pytest.fixture(scope="session")
def protocol_data(web_data):
    return web_data / "protocol.trig"


@pytest.fixture(scope="session")
def oxigraph(request, tmp_path_factory, protocol_data):
    """The Oxigraph server, loaded."""
    return _server("oxigraph", request, tmp_path_factory, protocol_data)


@pytest.fixture(scope="session")
def virtuoso(request, tmp_path_factory, protocol_data):
    """Virtuoso, loaded."""
    return _server("virtuoso", request, tmp_path_factory, protocol_data)


@pytest.fixture(scope="session", params=STORES)
def store_server(request):
    """Each real store server in turn."""
    return request.getfixturevalue(request.param)


def remote_store(server: stores.StoreServer, gsp: bool = False) -> RemoteStore:
    """Return a store object for ``server`` (with its write credentials)."""
    user = server.credentials
    return RemoteStore(
        server.query_url,
        server.gsp_url if gsp else None,
        Credentials(*user) if user else None,
        timeout=30,
    )


@pytest.fixture(scope="session")
def remote_service(store_server):
    """A service over ``store_server`` (built once per store)."""
    built = build_service(
        remote=remote_store(store_server),
        memory_mb=1024,
        fhir_work=FhirWork,
        query_timeout=10,
    )
    yield built
    built.close()


@pytest.fixture
def remote_client(remote_service):
    """A test client of an app over ``remote_service``."""
    return create_app({"COMMIT": "0" * 40}, service=remote_service).test_client()
