"""App-wide web pieces: template helpers, error pages, security headers."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from tracker.parsing import MAX_ID
from tracker.refusals import ERROR_MESSAGES, ERROR_TITLES
from tracker.regulations.stages import Stage


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]  # passed on as the route gives them


def register_web(app: Flask) -> None:
    app.add_url_rule("/healthz", "health", _health)
    app.jinja_env.globals.update(Stage=Stage)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_security_headers)
    app.before_request(_refuse_unreadable_input)


def _health() -> Response:
    """Liveness for load balancers: the app answers and its database does."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.db import get_session

    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError as exc:  # the process answers but its database does not: not healthy, as /readyz says
        get_session().rollback()
        return Response(f"database unreachable: {type(exc).__name__}\n", 503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")


def _refuse_unreadable_input() -> None:
    """No field anywhere may hold a NUL character (PostgreSQL refuses them), and no form takes a file: a clear 400,
    never a 500."""
    if "\x00" in request.path:
        abort(400, description=_("Het adres bevat een NUL-teken."))
    for source in (request.args, request.form):
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                abort(400, description=_("%(field)s: de waarde bevat een NUL-teken.", field=key.replace(chr(0), "")))
    if request.files:
        # No form here takes a file; a file where text is expected must be a clear 400, not a crash in a form.
        names = ", ".join(request.files)
        abort(400, description=_("%(fields)s: dit formulier neemt geen bestanden aan.", fields=names))


def _http_error(exc: HTTPException) -> tuple[str, int] | HTTPException | Response:
    if request.path.startswith("/static/"):
        return exc
    if request.path.startswith("/api/"):
        from tracker.api.common import problem_for

        return problem_for(exc)
    if request.path.startswith("/feeds/"):
        # Calendar apps and scripts read feed errors: plain text, not a page.
        return Response(f"{exc.code} {exc.name}: {exc.description}\n", exc.code, mimetype="text/plain")
    code = exc.code or 500
    title = f"{code} {ERROR_TITLES.get(code) or exc.name}"
    # Werkzeug's own descriptions are English boilerplate; the app's own descriptions say what was wrong.
    default = type(exc).description
    message = ERROR_MESSAGES.get(code, exc.description) if exc.description == default else exc.description
    # The error's own headers stay (a 405's Allow, a 429's Retry-After).
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return Response(render_template("error.html", error=exc, error_title=title, error_message=message), code,
                    headers=headers, mimetype="text/html")


# No inline script or event handler anywhere (behaviour lives in static/tracker.js); styles may be inline.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    if current_app.config["TRACKER"].base_url.startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # A page for a signed-in user (whose user was loaded for this request) or one that carries a secret in its
    # address (a reset link) stays out of every cache, shared or the browser's own.
    user = g.get("_login_user")
    if (user is not None and user.is_authenticated) or request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    elif g.get("api_user") is not None:
        # A token holder's data: no shared cache keeps it; the client may, but asks again (ETag, 304) every time.
        response.headers.setdefault("Cache-Control", "private, no-cache")
    if request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


NO_STORE_ENDPOINTS = {"account.reset", "auth.login"}
