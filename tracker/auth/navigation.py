"""Where a login may lead, and how long it may last: shared by the login and account pages."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlsplit

from flask import current_app, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tracker.parsing import text_problem


def max_session_age() -> dt.timedelta:
    return dt.timedelta(days=current_app.config["TRACKER"].session_max_days)


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path of this app, else the board. The target is parsed, not matched as a
    string: no scheme or host, no control character, space or backslash (browsers drop tabs and line breaks from a
    Location and read a backslash as a slash, so "/%09/evil.example" would become "//evil.example"), the same after
    percent-decoding, and the path must be a page of this app (its URL map answers it for GET)."""
    fallback = url_for("regulations.board_page")
    if not target or len(target) > 2000:
        return fallback
    for text in (target, unquote(target)):
        if text_problem(text) is not None or any(c.isspace() or c == "\\" or ord(c) < 32 for c in text):
            return fallback
        parts = urlsplit(text)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
            return fallback
    try:
        current_app.url_map.bind("localhost").match(unquote(urlsplit(target).path), method="GET")
    except (HTTPException, RequestRedirect):
        return fallback
    return target
