"""The graph: loading the bundled data, the query store, vocabulary, named queries, checks.

Everything here reads the repository's Turtle and ``.rq`` files (found by :mod:`nelmkg.paths`)
and knows nothing of cases, SHACL engines or the web.
"""
