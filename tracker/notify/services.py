"""Carry out the notification commands; every change is audited. Handlers flush, the caller commits."""

from __future__ import annotations

from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.auth.models import User
from tracker.auth.service import acting_user
from tracker.clock import Clock
from tracker.config import LANGUAGES, parse_days
from tracker.errors import Conflict, Forbidden, InvalidFields, NotFound
from tracker.notify import outbox
from tracker.notify.commands import ChangeSettings, ChooseLanguage, Follow, RetryMessage, Unfollow, Unsubscribe
from tracker.notify.models import Follow as FollowRow
from tracker.regulations.services import regulation
from tracker.unit_of_work import handles

WHEN_EMPTY = ("skip", "notice")


def _user(session: Session, actor: Actor) -> User:
    return acting_user(session, actor, _l("Alleen een ingelogde gebruiker heeft meldingen."))


@handles(Follow)
def follow(session: Session, cmd: Follow, actor: Actor, clock: Clock) -> bool:
    """Follow an act; following it again changes nothing. Returns whether anything changed."""
    user, reg = _user(session, actor), regulation(session, cmd.key)
    if session.get(FollowRow, (user.id, reg.id)) is not None:
        return False
    now = clock.now()
    session.add(FollowRow(user_id=user.id, regulation_id=reg.id, created_at=now))
    record(
        session,
        actor,
        now,
        "follow",
        target=user,
        label=f"{user.email}: {reg.key}",
        regulation_id=reg.id,
        changes={"follows": [None, reg.key]},
    )
    session.flush()
    return True


@handles(Unfollow)
def unfollow(session: Session, cmd: Unfollow, actor: Actor, clock: Clock) -> bool:
    user, reg = _user(session, actor), regulation(session, cmd.key)
    gone = cast(CursorResult[Any], session.execute(  # a DELETE's result: a CursorResult, with the row count
        delete(FollowRow).where(FollowRow.user_id == user.id, FollowRow.regulation_id == reg.id)
    )).rowcount
    if gone:
        record(
            session,
            actor,
            clock.now(),
            "unfollow",
            target=user,
            label=f"{user.email}: {reg.key}",
            regulation_id=reg.id,
            changes={"follows": [reg.key, None]},
        )
        session.flush()
    return bool(gone)


@handles(ChangeSettings)
def change_settings(session: Session, cmd: ChangeSettings, actor: Actor, clock: Clock) -> dict[str, list]:
    user = _user(session, actor)
    days = None
    if (cmd.reminder_days or "").strip():
        try:
            days = ",".join(map(str, parse_days(cmd.reminder_days or "")))
        except ValueError:
            raise InvalidFields(_l("Geef tot 8 hele aantallen dagen van 0 tot 730, gescheiden door komma's, "
                                   "bijvoorbeeld 90,30,7,1."), "reminder_days") from None
    if cmd.digest_when_empty not in WHEN_EMPTY:
        raise InvalidFields(_l("Kies een van %(known)s.", known=", ".join(WHEN_EMPTY)), "digest_when_empty")
    after = {
        "reminder_days": days,
        "digest_enabled": bool(cmd.digest_enabled),
        "digest_when_empty": cmd.digest_when_empty,
    }
    changes = {k: [getattr(user, k), v] for k, v in after.items() if getattr(user, k) != v}
    if changes:
        for name, (_, value) in changes.items():
            setattr(user, name, value)
        record(session, actor, clock.now(), "user.settings", target=user, label=user.email, changes=changes)
        session.flush()
    return changes


@handles(ChooseLanguage)
def choose_language(session: Session, cmd: ChooseLanguage, actor: Actor, clock: Clock) -> bool:
    """Returns whether anything changed."""
    if cmd.language not in LANGUAGES:
        raise InvalidFields(_l("Kies een van %(known)s.", known=", ".join(LANGUAGES)), "language")
    user = _user(session, actor)
    if user.language == cmd.language:
        return False
    changes = {"language": [user.language, cmd.language]}
    user.language = cmd.language
    record(session, actor, clock.now(), "user.language", target=user, label=user.email, changes=changes)
    session.flush()
    return True


@handles(Unsubscribe)
def unsubscribe(session: Session, cmd: Unsubscribe, actor: Actor, clock: Clock) -> bool:
    user = session.get(User, cmd.user_id)
    if user is None:
        raise NotFound(_l("Deze afmeldlink is niet (meer) geldig."))
    if not user.digest_enabled:
        return False
    user.digest_enabled = False
    record(
        session,
        actor,
        clock.now(),
        "user.unsubscribe",
        target=user,
        label=user.email,
        changes={"digest_enabled": [True, False]},
    )
    session.flush()
    return True


@handles(RetryMessage)
def retry(session: Session, cmd: RetryMessage, actor: Actor, clock: Clock) -> None:
    if actor.role != "admin" and not actor.is_process:
        raise Forbidden(_l("Alleen beheerders kunnen berichten opnieuw versturen."))
    if not outbox.retry(session, cmd.message_id, now=clock.now()):
        raise Conflict(_l("Alleen een mislukt bericht kan opnieuw worden verstuurd."), "message_id")
    record(session, actor, clock.now(), "outbox.retry", label=f"message {cmd.message_id}")
    session.flush()
