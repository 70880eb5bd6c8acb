"""``/coverage``: every sentence of the review, in order, with the resources that quote it.

The page of ``nelmkg coverage`` (docs/coverage.md): each unit of the review (sentence,
heading, caption, table row, reference entry) with its status — quoted (and by which
resources, linked), excluded (with the reviewed reason of ``kg/coverage-exclusions.toml``),
a gap (a number, recommendation, research need, hedge or citation that nothing quotes) or
plain — and the counts. It needs the review's text, which the program never needs to run:
without ``NELMKG_REVIEW`` the page says so and how to configure it (404
``coverage-unavailable``). Computed from the served KG on first request and kept by the
service. HTML when asked for (``text/html``); JSON (the rows of ``nelmkg coverage --json``)
by default.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Blueprint, Response

from nelmkg import paths
from nelmkg.graph.params import PARAM_PREFIXES
from nelmkg.graph.vocab import expand
from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.problems import Problem
from nelmkg.web.service import current, graphs_of

if TYPE_CHECKING:  # the coverage room is imported on the first request (a start saves 9 ms)
    from nelmkg.coverage.report import Coverage

bp = Blueprint("coverage", __name__)
FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("json", "application/json"),
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)
STATUS_WORDS = {
    "quoted": "quoted",
    "excluded": "not encoded, with a reason",
    "gap": "GAP: carries content that nothing quotes",
    "plain": "no content to encode",
}


def coverage() -> Coverage | str:
    """Return the coverage of the served KG, or why it cannot be computed (not kept)."""
    from nelmkg.coverage.cli import compute, unavailable

    reason = unavailable()  # checked first: a request without the text builds no graph
    if reason is not None:
        return reason
    service = current()
    kept = service.built("coverage", dict)  # by review file, in case the setting changes
    review = str(paths.review_file())
    if review not in kept:
        kept[review] = compute(graphs_of(service.store, ("kg",)))
    return kept[review]


@bp.get("/coverage")
def page() -> Response:
    """Every unit of the review with what quotes it; gaps and exclusions with their reasons."""
    from nelmkg.coverage.cli import as_json

    fmt = kit.choose(FORMATS)
    found = coverage()
    if isinstance(found, str):
        raise Problem(
            404,
            "coverage-unavailable",
            f"The coverage of the review needs the review's text, which this server cannot "
            f"read ({found.split(':')[0]}): start it with {paths.REVIEW_ENV}=/path/to/"
            f"{paths.REVIEW_NAME}.",
        )
    if fmt.key == "html":
        return kit.page(
            "coverage.html",
            fmt,
            coverage=found,
            summary=found.summary(),
            words=STATUS_WORDS,
            iri=lambda text: expand(text, PARAM_PREFIXES),
            layout="base.html",
            standalone=False,
        )
    return kit.data(json.dumps(as_json(found), ensure_ascii=False), fmt)
