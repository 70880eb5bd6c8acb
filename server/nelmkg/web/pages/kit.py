"""What the human-facing pages share: picking HTML only when it is asked for, and rendering.

Every page follows the service's rule that HTML is served only to a client naming
``text/html`` in ``Accept`` (or ``?format=html``): :func:`choose` negotiates against a table
of :mod:`nelmkg.web.conneg` formats and answers 406 (problem+json) when nothing fits, so a
page that exists only as HTML (the query editor, the assessment form) refuses other clients
instead of surprising them.
"""

from __future__ import annotations

from flask import Response, render_template, request

from nelmkg.web import conneg
from nelmkg.web.problems import Problem

HTML_ONLY: tuple[conneg.Format, ...] = (
    conneg.Format("html", "text/html", ("application/xhtml+xml",), explicit=True, charset=True),
)


def choose(table: tuple[conneg.Format, ...]) -> conneg.Format:
    """Return the format this request gets from ``table`` (``?format=`` over ``Accept``)."""
    fmt = conneg.choose(request.headers.get("Accept"), request.args.get("format"), table)
    if fmt is None:
        offered = ", ".join(f.media_type for f in table)
        raise Problem(406, "not-acceptable", f"This resource is available as: {offered}.")
    return fmt


def page(template: str, fmt: conneg.Format | None = None, **context) -> Response:
    """Render an HTML page (``Vary: Accept``, since the same URL may answer with data)."""
    response = Response(
        render_template(template, **context),
        content_type=(fmt or HTML_ONLY[0]).content_type,
    )
    response.vary.add("Accept")
    return response


def data(body: bytes | str, fmt: conneg.Format, status: int = 200) -> Response:
    """Return a non-HTML representation with the format's Content-Type and ``Vary: Accept``."""
    response = Response(body, status=status, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
