"""An external SPARQL 1.1 store behind the store API the service uses (docs/external-store.md).

:class:`RemoteStore` (``store``) speaks the SPARQL 1.1 Protocol to one query endpoint, and
the Graph Store Protocol to one GSP endpoint when given, over the standard library's HTTP
client (``http``; Basic or Digest credentials from the environment, ``auth``), and reads the
answers back into pyoxigraph objects (``results``). ``load`` writes a release into a store
(``nelmkg load --into``).
"""

from nelmkg.graph.remote.auth import Credentials
from nelmkg.graph.remote.http import StoreError, StoreRefused, StoreUnavailable
from nelmkg.graph.remote.store import EMPTY_GRAPH, RemoteStore, StoreTimeout

__all__ = [
    "EMPTY_GRAPH",
    "Credentials",
    "RemoteStore",
    "StoreError",
    "StoreRefused",
    "StoreTimeout",
    "StoreUnavailable",
]
