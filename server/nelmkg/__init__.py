"""nelmkg: a knowledge graph and SPARQL service about neuroendocrine liver metastases.

The graph encodes one review article (Cloyd et al., HepatoBiliary Surg Nutr 2020). Data lives
in the repository's ``ontology/``, ``kg/``, ``shapes/``, ``queries/`` and ``releases/`` folders
(packaged as ``nelmkg/data/`` in a wheel), found by :mod:`nelmkg.paths`.
"""

from importlib import metadata

import rdflib.plugins.sparql

# The project never touches the network: a query's FROM / FROM NAMED must not make rdflib
# fetch a graph over HTTP. Set here so that every entry point (CLI, tests, service) gets it.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

try:  # the one version is pyproject.toml's; installed, the metadata restates it
    __version__ = metadata.version("nelmkg")
except metadata.PackageNotFoundError:  # imported from a bare source tree
    __version__ = "0+unknown"
