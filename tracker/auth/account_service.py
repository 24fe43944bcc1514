"""The account commands of the owner, the admin pages and the CLI: passwords, reset links and sessions.

Each handler checks who may do it, makes the change through tracker.auth.passwords or tracker.auth.sessions (which
write the audit rows) and publishes `AccountChanged`; the unit of work commits. A wrong current password is refused
and the refused attempt stays in the audit trail (it is written on its own once the change is rolled back).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.auth import passwords, sessions, throttle
from tracker.auth.commands import (
    AccountChanged,
    ChangeOwnPassword,
    CreateResetLink,
    EndOtherSessions,
    EndSession,
    SetPassword,
    UseResetLink,
)
from tracker.auth.mail_hook import queue_mail, reset_mail
from tracker.auth.models import PasswordReset, User
from tracker.auth.service import acting_user, find_user
from tracker.clock import Clock
from tracker.errors import Forbidden, NotFound, Refused
from tracker.unit_of_work import handles, publish


def _admin_or_process(actor: Actor) -> None:
    if not (actor.is_process or actor.role == "admin"):
        raise Forbidden(_l("Alleen een beheerder beheert wachtwoorden van anderen."))


def _named(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise NotFound(_l("Er is geen gebruiker %(email)s.", email=email.strip().lower()[:254]), "email")
    return user


def _own(session: Session, actor: Actor) -> User:
    return acting_user(session, actor, _l("Log eerst in."))


@handles(ChangeOwnPassword)
def _change_own(session: Session, cmd: ChangeOwnPassword, actor: Actor, clock: Clock) -> int:
    user = _own(session, actor)
    now = clock.now()
    try:
        ended = passwords.change(session, user, cmd.current, cmd.new, keep_token=cmd.keep_token, actor=actor, now=now)
    except Refused as exc:
        if exc.errors and exc.errors[0][0] == "current":
            user_id, email = user.id, user.email

            def keep(fresh: Session) -> None:
                target = fresh.get(User, user_id)
                record(fresh, actor, now, "user.password.change_refused", target=target, label=email)

            exc.keep = keep  # type: ignore[attr-defined]  # read by the unit of work after its rollback
        raise
    throttle.forget(session, throttle.current_password_key(user.id))  # the owner knew it: their count starts again
    publish(session, AccountChanged(user.email, "password.change", credentials_void=not cmd.keep_api_tokens,
                                    by=actor.label, by_id=actor.user_id, at=now))
    return ended


@handles(SetPassword)
def _set(session: Session, cmd: SetPassword, actor: Actor, clock: Clock) -> User:
    _admin_or_process(actor)
    user = _named(session, cmd.email)
    passwords.set_by_other(session, user, cmd.password, actor=actor, now=clock.now())
    publish(session, AccountChanged(user.email, "password.set", credentials_void=True, by=actor.label,
                                    by_id=actor.user_id, at=clock.now()))
    return user


@handles(CreateResetLink)
def _reset_link(session: Session, cmd: CreateResetLink, actor: Actor, clock: Clock) -> tuple[PasswordReset, str]:
    _admin_or_process(actor)
    user = _named(session, cmd.email)
    now = clock.now()
    row, token = passwords.create_reset(session, user, actor=actor, now=now)
    if cmd.mail:
        queue_mail(session, reset_mail(user, token, row.expires_at, current_app.config["TRACKER"]), now)
    publish(session, AccountChanged(user.email, "password.reset_link"))
    return row, token


@handles(UseResetLink)
def _use_reset(session: Session, cmd: UseResetLink, actor: Actor, clock: Clock) -> User:
    user = passwords.use_reset(session, cmd.token, cmd.new, address=actor.address, now=clock.now())
    publish(session, AccountChanged(user.email, "password.reset", credentials_void=True, by=user.email,
                                    by_id=user.id, at=clock.now()))
    return user


@handles(EndSession)
def _end_one(session: Session, cmd: EndSession, actor: Actor, clock: Clock) -> bool:
    user = _own(session, actor)
    if not sessions.end_one(session, user, cmd.session_id, actor=actor, now=clock.now()):
        raise NotFound(_l("U hebt geen sessie met dit nummer."), "session_id")
    publish(session, AccountChanged(user.email, "session.end"))
    return True


@handles(EndOtherSessions)
def _end_others(session: Session, cmd: EndOtherSessions, actor: Actor, clock: Clock) -> int:
    user = _own(session, actor)
    ended = sessions.end_others(session, user, cmd.keep_token, now=clock.now(), actor=actor)
    publish(session, AccountChanged(user.email, "session.end_others"))
    return ended



