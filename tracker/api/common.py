"""What every API route shares: Bearer authentication, RFC 9457 problem details, ETags, JSON bodies."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any, cast

from flask import Response, g, request
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from tracker.api.models import ApiToken
from tracker.audit.record import Actor, record
from tracker.auth.models import User
from tracker.auth.permissions import actor_for
from tracker.clock import get_clock
from tracker.db import get_db
from tracker.errors import Refused, problem

PROBLEM = "application/problem+json"
TOKEN_PREFIX = "trk_"


class Problem(HTTPException):
    """An error answered as application/problem+json; `errors` names the fields at fault."""

    def __init__(self, status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(description=detail)
        self.code, self.title, self.detail, self.errors = status, title, detail, errors or []

    @classmethod
    def of(cls, exc: Refused) -> Problem:
        body = problem(exc)
        return cls(exc.status, exc.title, body["detail"], body.get("errors"))

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        body: dict[str, Any] = {"type": "about:blank", "title": self.title, "status": self.code, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return Response(json.dumps(body, ensure_ascii=False), self.code, content_type=PROBLEM)


def problem_for(exc: HTTPException) -> Response:
    """Any HTTP error under /api/ becomes problem details."""
    if isinstance(exc, Problem):
        return exc.get_response()
    response = Problem(exc.code or 500, exc.name, exc.description or exc.name).get_response()
    for name, value in exc.get_headers():  # a 405's Allow, a 429's Retry-After
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def json_response(payload: Any, status: int = 200, *, etag: bool = True) -> Response:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    response = Response(body, status, content_type="application/json")
    if etag and request.method == "GET":
        response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:40])
        response.make_conditional(request)
    return response


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_DAYS = 90  # the default lifetime of a new token
TOKEN_DAY_CHOICES = (7, 30, 90, 180, 365)
USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often, not on every request


def create_token(
    session: Session, user: User, name: str, *, actor: Actor, now: dt.datetime, days: int = TOKEN_DAYS
) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        prefix=token[:12],
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        now,
        "api_token.create",
        target=user,
        label=f"{user.email}: {row.name} ({row.prefix}...)",
        changes={"expires_at": [None, cast(dt.datetime, row.expires_at).isoformat()]},  # set above
    )
    return row, token


def revoke_token(
    session: Session, row: ApiToken, *, actor: Actor, now: dt.datetime, reason: str | None = None
) -> None:
    """Revoke one token (audited; `reason` names what revoked it when it was not its owner's own choice)."""
    if row.revoked_at is None:
        row.revoked_at = now
        record(session, actor, now, "api_token.revoke", label=f"{row.name} ({row.prefix}...)",
               changes={"reason": [None, reason]} if reason else None)
        session.flush()


def authenticate(session: Session, *, now: dt.datetime | None = None, engine: Engine | None = None) -> User:
    """The token's user, or a 401. `now` and `engine` default to the app's clock and database."""
    now = now or get_clock().now()
    engine = engine or get_db().engine
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "Send a personal API token as 'Authorization: Bearer <token>'.")
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()), ApiToken.revoked_at.is_(None))
    ).first()
    user = session.get(User, row.user_id) if row else None
    if row is None or user is None or not user.active:
        raise Problem(401, "Unauthorized", "The API token is unknown, revoked, or its account is not active.")
    if user.must_change_password:
        raise Problem(403, "Forbidden", "The account's password must be changed before its API tokens work: log in "
                      "and choose your own password, then make a new token (setting a password revokes the old ones).")
    if row.expires_at is not None and row.expires_at <= now:
        expired = f"The API token expired at {row.expires_at:%Y-%m-%d %H:%M} UTC; make a new one."
        raise Problem(401, "Unauthorized", expired)
    if row.last_used_at is None or now - row.last_used_at >= USED_EVERY:
        # On its own connection, so a read-only request stays read-only and a refused write keeps the sighting.
        statement = update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
        with engine.begin() as conn:
            conn.execute(statement)
        session.expire(row, ["last_used_at"])
    g.api_user = user
    return user


def api_actor() -> Actor:
    return actor_for(g.api_user, request.remote_addr)


MAX_DEPTH = 16  # no body of this API nests deeper than 2; 16 leaves room and stops a stack of 50,000 brackets


def body_object() -> dict[str, Any]:
    """The request's JSON object, or a 400 saying what is wrong (size is bounded by MAX_CONTENT_LENGTH: 413)."""
    if request.mimetype != "application/json":
        raise Problem(400, "Bad Request", "The request body must be a JSON object (Content-Type: application/json).")
    try:
        data = json.loads(request.get_data(cache=True).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Problem(400, "Bad Request", "The request body is not valid JSON in UTF-8.") from None
    if not isinstance(data, dict):
        raise Problem(400, "Bad Request", "The request body must be a JSON object (Content-Type: application/json).")
    problem_text = _unreadable(data, MAX_DEPTH)
    if problem_text:
        raise Problem(400, "Bad Request", f"The request body {problem_text}.")
    return data


def _unreadable(value: Any, depth: int) -> str | None:
    """Why a parsed body cannot be taken as it is: nested too deep, or text that is not valid Unicode."""
    stack = [(value, depth)]
    while stack:
        item, left = stack.pop()
        if left < 0:
            return f"nests deeper than {MAX_DEPTH} levels"
        if isinstance(item, str) and any("\ud800" <= c <= "\udfff" for c in item):
            return "contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode"
        if isinstance(item, dict):
            stack.extend((k, left - 1) for k in item)
            stack.extend((v, left - 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, left - 1) for v in item)
    return None
