"""Security headers on every kind of response: pages, redirects, errors, JSON API, problem details, calendar
feeds, CSV, static files, health checks. HSTS only under https; no-store on authenticated and secret pages."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, login_client
from tests.test_auth import another_app
from tracker.web import CSP

DIRECTIVES = ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
              "form-action 'self'", "frame-ancestors 'none'"]


def _check_common(response):
    csp = response.headers["Content-Security-Policy"]
    for directive in DIRECTIVES:
        assert directive in csp, (response.request.path, directive)
    assert "script-src 'self';" in csp + ";" and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def responses(users, app, viewer):
    from tracker.api.common import create_token
    from tracker.audit.record import Actor
    from tracker.auth import service

    with app.extensions["tracker.db"].transaction() as s:
        _, api_token = create_token(s, service.find_user(s, "viewer@example.nl"), "t", actor=Actor("t"),
                                    now=app.extensions["tracker.clock"].now())
    anonymous = app.test_client()
    bearer = {"Authorization": f"Bearer {api_token}"}
    out = {
        "page": viewer.get("/"),
        "tokens page": viewer.get("/settings/tokens"),
        "sessions page": viewer.get("/settings/sessions"),
        "csv": viewer.get("/export/dates.csv"),
        "not found page": viewer.get("/regulations/NOPE"),
        "login page": anonymous.get("/login"),
        "redirect to login": anonymous.get("/"),
        "static": anonymous.get("/static/tracker.js"),
        "health": anonymous.get("/healthz"),
        "api json": anonymous.get("/api/v1/regulations", headers=bearer),
        "api problem": anonymous.get("/api/v1/regulations"),
        "feed 404": anonymous.get("/feeds/nope.ics"),
    }
    return out


def test_every_response_type_has_the_headers(responses):
    for name, response in responses.items():
        assert response.status_code < 500, name
        _check_common(response)


def test_authenticated_and_secret_pages_are_not_stored(responses):
    for name in ("page", "tokens page", "sessions page", "csv", "not found page", "login page"):
        assert responses[name].headers.get("Cache-Control") == "no-store", name
    assert responses["static"].headers.get("Cache-Control") != "no-store"
    assert responses["api json"].headers["Cache-Control"] == "private, no-cache"


def test_a_new_api_token_is_shown_on_a_no_store_page(viewer):
    from tests.conftest import csrf_from

    token = csrf_from(viewer.get("/settings/tokens").get_data(as_text=True))
    response = viewer.post("/settings/tokens", data={"name": "script", "days": "90", "csrf_token": token})
    assert "trk_" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_only_when_the_base_url_is_https(users, app, settings):
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    https = another_app(settings, BASE_URL="https://tracker.example.nl")
    client = https.test_client()
    for path in ("/login", "/healthz", "/static/tracker.js", "/api/v1/regulations"):
        assert client.get(path).headers["Strict-Transport-Security"].startswith("max-age=31536000"), path
    assert login_client(https, "viewer@example.nl", PASSWORD).get("/").headers["Strict-Transport-Security"]
    https.extensions["tracker.db"].dispose()


def test_no_template_holds_an_inline_script_or_handler():
    import re

    from tracker.config import PROJECT_ROOT

    for path in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE), path
        assert "javascript:" not in text.lower(), path
    assert "'unsafe-inline'" not in CSP.split("script-src")[1].split(";")[0]
