"""Running one SPARQL query job: in a killable, sandboxed process, under a time limit and a row cap.

A :class:`~nelmkg.query.jobs.Job` (query text, dataset, formats, row cap, bound parameters) is
sent to the :class:`~nelmkg.query.evaluator.Evaluator`, a child process forked from the web
worker with the store loaded; it runs :func:`nelmkg.query.engine.run` (Oxigraph, or rdflib for
named queries with bound parameters, :mod:`.bound`) under :mod:`.sandbox` and answers an
:class:`~nelmkg.query.jobs.Answer` written by :mod:`.writers`. If no answer comes in time the
child is killed: that is what makes the time limit real. Nothing here knows HTTP.
"""
