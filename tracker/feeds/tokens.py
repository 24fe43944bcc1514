"""Secret feed tokens: 256 bits, derived from the secret key and a random nonce, stored only as a SHA-256 hash."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.auth.models import User
from tracker.clock import Clock
from tracker.errors import Forbidden, NotFound
from tracker.feeds.commands import EnsureFeedToken, RevokeFeedToken, RotateFeedToken
from tracker.feeds.models import FeedRender, FeedToken
from tracker.regulations.revision import PORTFOLIO, Counter
from tracker.unit_of_work import handles


def derive(secret_key: str, nonce: str) -> str:
    digest = hmac.new(secret_key.encode(), f"feed:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_token(session: Session, user: User) -> FeedToken | None:
    return session.scalars(
        select(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.id.desc())
    ).first()


def current_link(session: Session, user: User, secret_key: str) -> str | None:
    """The token of the user's working link, read only: None when they have none (or the app's key changed)."""
    row = active_token(session, user)
    if row is None or row.token_hash != token_hash(derive(secret_key, row.nonce)):
        return None
    return derive(secret_key, row.nonce)


def ensure_token(session: Session, user: User, secret_key: str, *, now: dt.datetime) -> str:
    """The user's current feed token, creating one if they have none."""
    row = active_token(session, user)
    if row is not None and row.token_hash != token_hash(derive(secret_key, row.nonce)):
        # The secret key changed since this link was made: the old link is dead, so issue a new one.
        revoke(session, user, actor=None, now=now)
        row = None
    if row is None:
        row = _new(session, user, secret_key, now)
    return derive(secret_key, row.nonce)


def _new(session: Session, user: User, secret_key: str, now: dt.datetime) -> FeedToken:
    nonce = secrets.token_urlsafe(32)
    row = FeedToken(user_id=user.id, nonce=nonce, token_hash=token_hash(derive(secret_key, nonce)), created_at=now)
    session.add(row)
    session.flush()
    return row


def rotate(session: Session, user: User, secret_key: str, *, actor: Actor, now: dt.datetime) -> str:
    """Revoke every current token of the user and issue a new one; old URLs answer 404 at once."""
    revoked = revoke(session, user, actor=None, now=now)
    row = _new(session, user, secret_key, now)
    record(session, actor, now, "feed.rotate", target=user, label=user.email, changes={"tokens revoked": [revoked, 0]})
    return derive(secret_key, row.nonce)


def revoke(session: Session, user: User, *, actor: Actor | None, now: dt.datetime) -> int:
    rows = session.scalars(select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None)))
    count = 0
    for row in rows:
        row.revoked_at = now
        count += 1
    session.flush()
    if actor is not None:
        record(
            session, actor, now, "feed.revoke", target=user, label=user.email, changes={"tokens revoked": [count, 0]}
        )
    return count


def _revision_query() -> Any:
    tokens, users, counters, renders = FeedToken.__table__, User.__table__, Counter.__table__, FeedRender.__table__
    return (
        select(tokens.c.nonce, counters.c.value, renders.c.revision, renders.c.etag, renders.c.fetched_at,
               renders.c.rendered_at)
        .select_from(
            tokens.join(users, users.c.id == tokens.c.user_id)
            .outerjoin(counters, counters.c.name == PORTFOLIO)
            .outerjoin(renders, renders.c.feed_key == bindparam("feed_key"))
        )
        .where(tokens.c.token_hash == bindparam("token_hash"), tokens.c.revoked_at.is_(None), users.c.active.is_(True))
    )


_REVISION = None


@dataclass(frozen=True)
class FeedState:
    revision: int  # the portfolio's
    stored_revision: int | None  # the revision the shared copy of this feed was last checked against
    stored_etag: str | None
    fetched_at: dt.datetime | None = None  # when the shared copy was last asked for (noted at most hourly)
    rendered_at: dt.datetime | None = None  # when its content was made

    @property
    def current_etag(self) -> str | None:
        """The feed's ETag when the shared copy is known to be current (a 304 needs nothing more)."""
        return self.stored_etag if self.stored_etag and self.stored_revision == self.revision else None


def feed_state(session: Session, token: str, secret_key: str, feed_key: str) -> FeedState | None:
    """For a valid token of an active user: the portfolio revision and the shared copy's state; None otherwise.

    One Core query built once: this is the whole cost of a 304, so it stays as close to a bare SELECT as it can.
    """
    global _REVISION
    if not 20 <= len(token) <= 100:
        return None
    if _REVISION is None:
        _REVISION = _revision_query()
    row = session.connection().execute(_REVISION, {"token_hash": token_hash(token), "feed_key": feed_key}).first()
    # A link made under an earlier secret key is found by its hash but no longer derives from the key: dead.
    if row is None or not hmac.compare_digest(derive(secret_key, row[0]), token):
        return None
    return FeedState(row[1] or 0, row[2], row[3], row[4], row[5])


# -- commands ------------------------------------------------------------------------------------
def _owner(session: Session, email: str, actor: Actor) -> User:
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"no user with e-mail {email.strip().lower()}", "email")
    if not (actor.is_process or actor.role == "admin" or actor.user_id == user.id):
        raise Forbidden("You manage only your own feed link.")
    return user


@handles(RotateFeedToken)
def _rotate(session: Session, cmd: RotateFeedToken, actor: Actor, clock: Clock) -> str:
    return rotate(session, _owner(session, cmd.email, actor), cmd.secret_key, actor=actor, now=clock.now())


@handles(EnsureFeedToken)
def _ensure(session: Session, cmd: EnsureFeedToken, actor: Actor, clock: Clock) -> str:
    user = _owner(session, cmd.email, actor)
    existing = current_link(session, user, cmd.secret_key)
    if existing is not None:
        return existing
    token = ensure_token(session, user, cmd.secret_key, now=clock.now())
    record(session, actor, clock.now(), "feed.create", target=user, label=user.email)
    return token


@handles(RevokeFeedToken)
def _revoke(session: Session, cmd: RevokeFeedToken, actor: Actor, clock: Clock) -> int:
    return revoke(session, _owner(session, cmd.email, actor), actor=actor, now=clock.now())
