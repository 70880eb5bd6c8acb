"""Eligibility: the review's criteria, the treatment options and the four-valued assessment.

Criteria are read from the KG (``kg/criteria.ttl``), options from the eligibility shapes
(generated from the KG by ``nelmkg build``); an :class:`~nelmkg.eligibility.assessor.
Assessor` validates a case once and reads the SHACL results as eligible, not eligible,
indeterminate or ambiguous per option.
"""
