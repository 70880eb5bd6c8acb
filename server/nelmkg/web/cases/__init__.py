"""The case API: ``POST /validate``, ``POST /assess`` and the case JSON-LD contexts."""
