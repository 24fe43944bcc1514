"""Changing, setting and resetting passwords (ASVS V6). No Flask here.

A password someone else chose or saw (an admin's form, the operator's CLI, a printed one-time password) marks the
account `must_change_password`: its owner changes it before anything else. A reset is a one-time link that
expires after RESET_LIFETIME; only its hash is kept. Every change ends the account's other sessions, and every
step is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, cast

from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.auth import service, sessions
from tracker.auth.models import PasswordReset, User
from tracker.errors import InvalidFields

LINK_GONE = _l("Deze herstellink is onbekend, al gebruikt of verlopen: vraag een beheerder om een nieuwe.")

RESET_LIFETIME = dt.timedelta(hours=2)


def _store(user: User, password: str, now: dt.datetime) -> None:
    service.check_password(password, name=user.name, email=user.email)
    user.password_hash = service.HASHER.hash(password)
    user.password_changed_at = now


def verify(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return bool(service.HASHER.verify(user.password_hash, password or ""))
    except (VerificationError, InvalidHashError):
        return False


def change(
    session: Session, user: User, current: str, new: str, *, keep_token: str | None, actor: Actor, now: dt.datetime
) -> int:
    """The owner changes their own password; returns how many other sessions ended."""
    if not verify(user, current):
        record(session, actor, now, "user.password.change_refused", target=user, label=user.email)
        session.flush()
        raise InvalidFields(_l("Het huidige wachtwoord klopt niet."), "current")
    if new == current:
        raise InvalidFields(_l("Kies een ander wachtwoord dan het huidige."), "new")
    try:
        _store(user, new, now)
    except InvalidFields as exc:
        raise InvalidFields(exc.errors[0][1], "new") from None
    user.must_change_password = False
    ended = sessions.end_others(session, user, keep_token, now=now, action=None)
    _void_resets(session, user, now)
    record(session, actor, now, "user.password.change", target=user, label=user.email,
           changes={"other_sessions_ended": [None, ended]})
    session.flush()
    return ended


def set_by_other(session: Session, user: User, password: str, *, actor: Actor, now: dt.datetime) -> None:
    """An admin or the operator sets the password: every session ends and the owner must change it at login."""
    _store(user, password, now)
    user.must_change_password = True
    ended = sessions.end_others(session, user, None, now=now, action=None)
    _void_resets(session, user, now)
    record(session, actor, now, "user.password.set", target=user, label=user.email,
           changes={"must_change_password": [None, True], "sessions_ended": [None, ended]})
    session.flush()


def create_reset(session: Session, user: User, *, actor: Actor, now: dt.datetime) -> tuple[PasswordReset, str]:
    """A new one-time link's row and token (shown or mailed once); earlier unused links of the user stop working."""
    if not user.active:
        raise InvalidFields(_l("%(email)s is niet actief: zet het account eerst op actief.", email=user.email), "email")
    _void_resets(session, user, now)
    token = secrets.token_urlsafe(32)
    row = PasswordReset(user_id=user.id, token_hash=sessions.hash_token(token), created_at=now,
                        expires_at=now + RESET_LIFETIME)
    session.add(row)
    session.flush()
    record(session, actor, now, "user.password.reset_link", target=user, label=user.email,
           changes={"expires_at": [None, row.expires_at.isoformat()]})
    return row, token


def find_reset(session: Session, token: str, *, now: dt.datetime) -> PasswordReset | None:
    row = session.scalars(select(PasswordReset).where(PasswordReset.token_hash == sessions.hash_token(token))).first()
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        return None
    return row


def use_reset(session: Session, token: str, new: str, *, address: str | None, now: dt.datetime) -> User:
    """The owner chooses a new password through the link; the link is used up and every session ends."""
    row = find_reset(session, token, now=now)
    if row is None:
        raise InvalidFields(LINK_GONE, "token")
    user = row.user
    try:
        _store(user, new, now)
    except InvalidFields as exc:
        raise InvalidFields(exc.errors[0][1], "new") from None
    # Claimed with a conditional update, so a link used twice at once changes the password once.
    claimed = cast(CursorResult[Any], session.execute(  # an UPDATE's result: a CursorResult, with the row count
        update(PasswordReset).where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None)).values(used_at=now)
    )).rowcount
    if claimed != 1:
        raise InvalidFields(LINK_GONE, "token")
    user.must_change_password = False
    ended = sessions.end_others(session, user, None, now=now, action=None)
    record(session, Actor(user.email, user.id, address), now, "user.password.reset", target=user, label=user.email,
           changes={"sessions_ended": [None, ended]})
    session.flush()
    return user


def _void_resets(session: Session, user: User, now: dt.datetime) -> None:
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
