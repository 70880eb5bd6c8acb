"""Errors for browsers are pages in the site's frame; everyone else gets problem+json.

A client naming ``text/html`` (as a browser does) gets the same status and headers with a page
that extends ``base.html`` (the navigation bar, the skip link) and says what went wrong in
words; a client asking for JSON, anything else or nothing gets RFC 9457 problem+json.
"""

from __future__ import annotations

import pytest

from .visible import visible_text

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# (method, path, status): a missing page, a missing resource, a refused method, a missing
# recommendation, a bad SPARQL query, a page that exists only as HTML asked for as data.
ERRORS = [
    ("GET", "/no/such/page", 404),
    ("GET", "/id/claim/no-such-claim", 404),
    ("GET", "/profile/no-such-recommendation", 404),
    ("GET", "/audit/kind/no-such-kind", 404),
    ("DELETE", "/profile", 405),
    ("GET", "/sparql?query=SELEC", 400),
]


def call(client, method, path, accept):
    headers = {"Accept": accept} if accept else {}
    return client.open(path, method=method, headers=headers)


@pytest.mark.parametrize("method, path, status", ERRORS)
def test_a_browser_gets_the_error_as_a_page_in_the_frame(client, method, path, status):
    response = call(client, method, path, BROWSER)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert "Accept" in response.vary
    page = response.get_data(as_text=True)
    assert '<nav class="site"' in page and 'class="skip"' in page  # base.html's frame
    assert '<link rel="stylesheet" href="/static/site.css">' in page
    text = visible_text(page)
    assert f"error {status}" in text
    assert "Traceback" not in page and '"type"' not in text


# (method, path, status, problem type) answered the same whatever the client accepts
DATA_ERRORS = [
    ("GET", "/no/such/page", 404, None),
    ("GET", "/id/claim/no-such-claim", 404, None),
    ("DELETE", "/profile", 405, None),
    ("GET", "/sparql?query=SELEC", 400, "query-syntax"),
]


@pytest.mark.parametrize("method, path, status, slug", DATA_ERRORS)
@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "text/turtle"])
def test_other_clients_get_problem_json(client, assert_problem, method, path, status, slug, accept):
    response = call(client, method, path, accept)
    assert_problem(response, status, slug)
    assert "Accept" in response.vary


def test_the_404_page_says_it_in_words_and_offers_a_way_on(client):
    page = call(client, "GET", "/no/such/page", BROWSER).get_data(as_text=True)
    text = visible_text(page)
    assert "Page not found" in text
    assert 'href="/"' in page and 'href="/profile"' in page and 'href="/audit"' in page


def test_headers_are_kept_on_the_page(client):
    """A 405 page still says which methods are allowed."""
    response = call(client, "DELETE", "/profile", BROWSER)
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_the_error_page_falls_back_to_json_if_it_cannot_render(service, assert_problem, tmp_path):
    """A broken error template must not turn a 404 into a 500: the client gets problem+json."""
    from nelmkg.web import create_app

    app = create_app({"COMMIT": "0" * 40}, service=service)
    (tmp_path / "error.html").write_text("{% extends 'no-such-frame.html' %}", encoding="utf-8")
    from jinja2 import ChoiceLoader, FileSystemLoader

    app.jinja_loader  # noqa: B018 - built lazily; replaced below for this app only
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(tmp_path), app.jinja_env.loader])
    response = app.test_client().get("/no/such/page", headers={"Accept": BROWSER})
    assert_problem(response, 404)
