"""nelmkg: a knowledge graph and SPARQL service about neuroendocrine liver metastases.

The graph encodes one review article (Cloyd et al., HepatoBiliary Surg Nutr 2020). Data lives
in the repository's ``ontology/``, ``kg/``, ``shapes/`` and ``queries/`` folders, found by
:mod:`nelmkg.paths`.
"""

import rdflib.plugins.sparql

# The project never touches the network: a query's FROM / FROM NAMED must not make rdflib
# fetch a graph over HTTP. Set here so that every entry point (CLI, tests, service) gets it.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

__version__ = "0.1.0"
