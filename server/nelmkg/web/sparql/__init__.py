"""The SPARQL 1.1 Protocol: ``/sparql`` and the named queries ``/queries``.

A request is read by :mod:`.protocol` into a :class:`~.jobs.Job`, answered by the killable
evaluator process (:mod:`.evaluator`, running :mod:`.engine` under :mod:`.sandbox`), written by
:mod:`.writers` and turned into a response by :mod:`.responses`.
"""
