"""App-wide web pieces: template helpers, error pages, security headers."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from tracker.dates import PrecisionDate
from tracker.regulations.stages import Stage


def register_web(app: Flask) -> None:
    app.jinja_env.globals.update(Stage=Stage)
    app.jinja_env.filters["pdate"] = _pdate
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_security_headers)


def _pdate(value: PrecisionDate | None) -> str:
    return value.display() if value is not None else ""


def _http_error(exc: HTTPException) -> tuple[str, int] | HTTPException:
    if request.path.startswith("/static/"):
        return exc
    return render_template("error.html", error=exc), exc.code or 500


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
    )
    return response
