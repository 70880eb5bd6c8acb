"""nelmkg: a knowledge graph and SPARQL service about neuroendocrine liver metastases.

The graph encodes one review article (Cloyd et al., HepatoBiliary Surg Nutr 2020). Data lives
in the repository's ``ontology/``, ``kg/``, ``shapes/``, ``queries/`` and ``releases/`` folders
(packaged as ``nelmkg/data/`` in a wheel), found by :mod:`nelmkg.paths`.

Importing the package is cheap (commands that need rdflib's SPARQL engine, Flask or the reasoner
import them themselves), but it keeps one guarantee for every entry point: rdflib's SPARQL engine
never fetches a graph named by a query's ``FROM`` / ``FROM NAMED`` over the network. rdflib's
switch for that (``rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS``) is turned off as soon as that
package is imported, by whoever imports it, through :class:`NoGraphLoading` (importing it here,
eagerly, cost a one-case ``nelmkg assess`` 0.12 s).
"""

from __future__ import annotations

import importlib.machinery
import sys
from types import ModuleType

SPARQL_PACKAGE = "rdflib.plugins.sparql"


def _switch_off(module: ModuleType) -> None:
    module.SPARQL_LOAD_GRAPHS = False


class _Loader:
    """rdflib's own loader for its SPARQL package, switching graph loading off once it ran."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _switch_off(module)


class NoGraphLoading:
    """Finds rdflib's SPARQL package as usual and wraps its loader (see the module docstring).

    A meta path finder and a loader by protocol (importlib.abc would cost every start 15 ms).
    """

    def find_spec(self, fullname, path, target=None):
        if fullname != SPARQL_PACKAGE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


if SPARQL_PACKAGE in sys.modules:
    _switch_off(sys.modules[SPARQL_PACKAGE])
elif not any(isinstance(f, NoGraphLoading) for f in sys.meta_path):
    sys.meta_path.insert(0, NoGraphLoading())


def __getattr__(name: str) -> str:
    """``nelmkg.__version__``, read from the installed metadata on first use."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:  # the one version is pyproject.toml's; installed, the metadata restates it
        version = metadata.version("nelmkg")
    except metadata.PackageNotFoundError:  # imported from a bare source tree
        version = "0+unknown"
    globals()["__version__"] = version
    return version
