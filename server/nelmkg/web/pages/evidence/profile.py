"""``/profile`` and ``/profile/<slug>``: evidence profiles, one per recommendation.

A profile puts in one place what a guideline author grades a recommendation by (see
:mod:`.evidence`): the recommendation as worded and its strength words, each supporting claim
with its quote, section, references, design (and the words it rests on), sample size and effect
as printed, the GRADE domains the review lets us judge, and every audit flag behind them.
JSON by default; HTML for browsers; ``?format=csv`` (UTF-8 with a byte-order mark) and
``?format=xlsx`` for spreadsheets. ``/profile`` lists the recommendations and exports them all.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response

from nelmkg.web import conneg
from nelmkg.web.pages import kit
from nelmkg.web.pages.evidence import exports
from nelmkg.web.pages.evidence.evidence import config, profiles, review_caveats
from nelmkg.web.pages.evidence.flags import slug as slug_of
from nelmkg.web.pages.evidence.profile_tables import tables
from nelmkg.web.problems import Problem

bp = Blueprint("profile", __name__)
FORMATS: tuple[conneg.Format, ...] = (
    conneg.Format("json", "application/json"),
    exports.FORMATS["csv"],
    exports.FORMATS["xlsx"],
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)


def _answer(fmt: conneg.Format, chosen: list[dict], filename: str) -> Response:
    if fmt.key == "json":
        body = json.dumps(chosen if len(chosen) > 1 else chosen[0], ensure_ascii=False, indent=1)
        return kit.data(body, fmt)
    response = kit.data(exports.export(tables(chosen), fmt.key), fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt.key}"'
    return response


@bp.get("/profile")
def index() -> Response:
    """All recommendations with links to their profiles (HTML), or every profile as data."""
    fmt = kit.choose(FORMATS)
    found = list(profiles().values())
    if fmt.key == "html":
        return kit.page(
            "profile_index.html",
            fmt,
            profiles=found,
            bearing=review_caveats(),
            words=config()["caveats"],
            labels={p["recommendation"]: p["label"] for p in found},
        )
    return _answer(fmt, found, "evidence-profiles")


@bp.get("/profile/<slug>")
def profile(slug: str) -> Response:
    """One recommendation's evidence profile."""
    fmt = kit.choose(FORMATS)
    found = {slug_of(iri, "recommendation"): p for iri, p in profiles().items()}
    if slug not in found:
        raise Problem(404, None, f"No recommendation has the evidence profile /profile/{slug}.")
    if fmt.key == "html":
        return kit.page("profile.html", fmt, p=found[slug])
    return _answer(fmt, [found[slug]], f"evidence-profile-{slug}")
