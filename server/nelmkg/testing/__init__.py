"""Helpers for the test suite and the benchmarks only; the service never imports them.

The competency-answer oracle, the random case generator, Apache Jena as a second SHACL engine
and a live ``nelmkg serve`` process for end-to-end tests.
"""
