"""Hostile and malformed requests for property-based tests (Hypothesis), and the one rule
every answer must keep: a 2xx, or a problem+json 4xx or 503 — never a 500 or a traceback
(a redirect with a ``Location``, which Werkzeug answers for a path with ``//``, is allowed).

Shared by ``tests/web/test_fuzz.py`` (a fixed seed and a modest number of examples, in CI) and
``bench/fuzz.py`` (thousands of examples per route against a live server). The strategies
mix valid case keys and values with what broke the service before: numbers of thousands of
digits or exponents, escaped lone surrogates, deep nesting, DOCTYPEs, random bytes, odd media
types and ``Accept`` headers, and query strings with repeated or unknown parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st

CASE_KEYS = ("id", "age_years", "ki67_pct", "tumour_grade", "extrahepatic_disease", "@context")
CONTEXT = "https://w3id.org/nelmkg/context/case-v1.jsonld"
MEDIA_TYPES = (
    "application/json",
    "application/ld+json",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/x-ndjson",
    "application/sparql-query",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/json; charset=latin-1",
    "",
)
ACCEPTS = ("", "*/*", "application/json", "text/turtle", "text/html", "image/png", "text/*;q=0")


@dataclass(frozen=True)
class Request:
    """One request to send: method, path with query string, headers and body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None


numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.tuples(st.integers(1, 9), st.integers(-(10**7), 10**7)).map(lambda t: f"{t[0]}E{t[1]}"),
    st.integers(4290, 4400).map(lambda n: "9" * n),
    st.just("1E1000000"),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
strings = st.one_of(
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(['"\\ud800"', '"\\udfff x"', '"G2"', '"none"', '""', '"\\u0000"']),
)
scalars = st.one_of(numbers, strings, st.sampled_from(["true", "false", "null"]))


def _object(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    keys = st.one_of(st.sampled_from(CASE_KEYS), st.text(max_size=8)).map(json.dumps)
    pairs = st.lists(st.tuples(keys, children), max_size=5)
    return pairs.map(lambda kv: "{" + ",".join(f"{k}:{v}" for k, v in kv) + "}")


json_texts = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
        _object(children),
    ),
    max_leaves=20,
)
deep = st.integers(20, 3000).map(lambda n: "[" * n + "]" * n)
jsonld = st.tuples(json_texts, st.integers(1, 600)).map(
    lambda t: '{"@context":"' + CONTEXT + '","@type":"Patient","x":' + "[" * t[1] + t[0]
    + "]" * t[1] + "}"
)
turtle = st.tuples(numbers, st.sampled_from(["decimal", "integer", "double"])).map(
    lambda t: "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    '<x> a <https://w3id.org/nelmkg/ontology#Patient> ; '
    f'<https://w3id.org/nelmkg/ontology#ageYears> "{t[0]}"^^xsd:{t[1]} .'
)
xml_bomb = st.integers(1, 12).map(
    lambda n: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a0 "aaaaaaaa">'
    + "".join(f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">' for i in range(1, n))
    + f']><r>&a{n - 1};</r>'
)
bodies = st.one_of(
    json_texts, deep, jsonld, turtle, xml_bomb, st.text(max_size=200), st.binary(max_size=200)
).map(lambda b: b if isinstance(b, bytes) else b.encode("utf-8", "surrogatepass"))
headers = st.fixed_dictionaries(
    {"Content-Type": st.sampled_from(MEDIA_TYPES), "Accept": st.sampled_from(ACCEPTS)}
).map(lambda h: {k: v for k, v in h.items() if v})
# Mostly what a case route reads (so most bodies reach the parser), sometimes anything.
CASE_MEDIA = MEDIA_TYPES[:6]
case_headers = st.one_of(
    st.fixed_dictionaries(
        {"Content-Type": st.sampled_from(CASE_MEDIA), "Accept": st.sampled_from(ACCEPTS[:2])}
    ).map(lambda h: {k: v for k, v in h.items() if v}),
    st.sampled_from(CASE_MEDIA).map(lambda m: {"Content-Type": m}),
    headers,
)
params = st.lists(
    st.tuples(
        st.sampled_from(["query", "format", "default-graph-uri", "named-graph-uri", "x", "ref"]),
        st.one_of(st.text(max_size=30), numbers, st.sampled_from(["ASK{}", "ref:22", "<urn:x>"])),
    ),
    max_size=4,
).map(lambda pairs: "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in pairs))


def case_requests(path: str) -> st.SearchStrategy[Request]:
    """Requests to ``/assess`` or ``/validate``: any body, media type and Accept header."""
    return st.builds(
        lambda b, h, q: Request("POST", f"{path}?{q}", h, b), bodies, case_headers, params
    )


def sparql_requests() -> st.SearchStrategy[Request]:
    """Requests to ``/sparql``: GET with any parameters, or POST with any body."""
    get = st.builds(lambda h, q: Request("GET", f"/sparql?{q}", h, None), headers, params)
    post = st.builds(lambda b, h, q: Request("POST", f"/sparql?{q}", h, b), bodies, headers, params)
    return st.one_of(get, post)


def named_requests(names: list[str]) -> st.SearchStrategy[Request]:
    """Requests to ``/queries/<name>`` (known and unknown names) with any parameters."""
    name = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=10).map(quote))
    return st.builds(
        lambda n, h, q: Request("GET", f"/queries/{n}?{q}", h, None), name, headers, params
    )


def acceptable(
    status: int,
    content_type: str,
    body: bytes,
    location: str | None = None,
    accept: str | None = None,
) -> str | None:
    """Return what is wrong with an answer (None when it keeps the rule).

    A redirect with a ``Location`` is an answer too (Werkzeug merges ``//`` in paths so), and
    a client whose ``Accept`` names ``text/html`` may get the error as a page.
    """
    text = body.decode("utf-8", "replace")
    if "Traceback" in text or 'File "' in text:
        return "a traceback in the body"
    if status < 300 or (status in (301, 308) and location):
        return None
    if status >= 500 and status != 503:
        return f"status {status}"
    if content_type.startswith("text/html") and "text/html" in (accept or ""):
        return None  # the error page a browser asked for (nelmkg.web.problems)
    if not content_type.startswith("application/problem+json"):
        return f"status {status} without problem+json ({content_type})"
    return None
