"""Server-side login sessions (ASVS V7): an idle limit and an absolute lifetime, a list of one's own sessions to
end, and the purge of rows that can no longer log anyone in. No Flask here."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.auth.models import PasswordReset, User, UserSession

IDLE = dt.timedelta(hours=12)  # a session unused this long ends
SEEN_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often: no write on every request
KEEP_ENDED = dt.timedelta(days=1)  # ended rows stay a day (the sessions page and the audit trail need no more)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session, user: User, *, address: str | None, user_agent: str | None, now: dt.datetime
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            address=(address or None) and address[:64],
            user_agent=(user_agent or None) and user_agent[:200],
        )
    )
    session.flush()
    return token


def is_live(row: UserSession, *, now: dt.datetime, max_age: dt.timedelta) -> bool:
    seen = row.last_seen_at or row.created_at
    return row.revoked_at is None and now - row.created_at < max_age and now - seen < IDLE


def load(
    session: Session, token: str, *, now: dt.datetime, max_age: dt.timedelta, engine: Engine | None = None
) -> User | None:
    """The user of a live session, or None. When the last sighting is over a minute old it is written, on its own
    connection (`engine`) so the request's transaction stays the request's."""
    row = session.scalars(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if row is None or not row.user.active or not is_live(row, now=now, max_age=max_age):
        return None
    if row.last_seen_at is None or now - row.last_seen_at >= SEEN_EVERY:
        statement = update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
        if engine is not None:
            with engine.begin() as conn:
                conn.execute(statement)
        else:
            session.execute(statement)
        session.expire(row, ["last_seen_at"])
    row.user.session_token = token
    return row.user


def current_row(session: Session, token: str | None) -> UserSession | None:
    if not token:
        return None
    return session.scalars(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()


def live_sessions(session: Session, user: User, *, now: dt.datetime, max_age: dt.timedelta) -> list[UserSession]:
    rows = session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    ).all()
    return [r for r in rows if is_live(r, now=now, max_age=max_age)]


def end_one(session: Session, user: User, session_id: int, *, actor: Actor, now: dt.datetime) -> bool:
    """End one of the user's own sessions; False when it is not theirs or already over."""
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    record(session, actor, now, "session.end", target=user, label=f"{user.email}: session {row.id}")
    session.flush()
    return True


def end_others(
    session: Session, user: User, keep_token: str | None, *, now: dt.datetime, actor: Actor | None = None,
    action: str | None = "session.end_others",
) -> int:
    """End every live session of the user except the one with `keep_token` (None: all of them)."""
    keep = hash_token(keep_token) if keep_token else None
    condition = [UserSession.user_id == user.id, UserSession.revoked_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.token_hash != keep)
    ended = cast(  # an UPDATE's result: a CursorResult, which has the row count
        CursorResult[Any], session.execute(update(UserSession).where(*condition).values(revoked_at=now))
    ).rowcount or 0
    for row in [o for o in session.identity_map.values() if isinstance(o, UserSession)]:
        session.expire(row)
    if action and actor is not None:
        record(session, actor, now, action, target=user, label=user.email, changes={"sessions": [ended, 0]})
    session.flush()
    return ended


def purge(session: Session, *, now: dt.datetime, max_age: dt.timedelta) -> int:
    """Delete sessions that can no longer log anyone in, and password-reset links past use. Returns the count."""
    gone = cast(CursorResult[Any], session.execute(  # a DELETE's result: a CursorResult, with the row count
        delete(UserSession).where(
            or_(
                UserSession.created_at <= now - max_age,
                UserSession.last_seen_at <= now - IDLE,
                UserSession.last_seen_at.is_(None) & (UserSession.created_at <= now - IDLE),
                UserSession.revoked_at <= now - KEEP_ENDED,
            )
        )
    )).rowcount or 0
    gone += cast(CursorResult[Any], session.execute(
        delete(PasswordReset).where(or_(PasswordReset.expires_at <= now, PasswordReset.used_at.is_not(None)))
    )).rowcount or 0
    return gone


