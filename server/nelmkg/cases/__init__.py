"""Patient cases: the input formats and the case model.

A case arrives as plain JSON, JSON-LD, Turtle, N-Triples or RDF/XML and is read once into a
:class:`nelmkg.cases.model.Case` (the patient node and its facts), which the SHACL engines
check. Input that cannot be read as a case raises :class:`nelmkg.cases.errors.CaseInputError`.
"""
