"""Accounts, passwords (Argon2id), server-side sessions and login throttling. No Flask here."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any, cast

import email_validator
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.auth import sessions, throttle
from tracker.auth.commands import (
    AccountChanged,
    CreateTeam,
    CreateUser,
    RenameTeam,
    SetTeamReminders,
    TeamChanged,
    UpdateUser,
)
from tracker.auth.models import Role, Team, User, UserSession
from tracker.auth.strength import MIN_LENGTH, password_problem
from tracker.clock import Clock
from tracker.config import parse_days
from tracker.errors import Duplicate, Forbidden, InvalidFields, NotFound
from tracker.keys import key_problem, name_problem
from tracker.unit_of_work import handles, publish

HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
# A hash of a throw-away password, verified for unknown accounts so timing does not reveal which e-mails exist.
_DUMMY_HASH: str | None = None  # made on first use: importing the module (every CLI start) stays cheap

MIN_PASSWORD = MIN_LENGTH
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AccountError(InvalidFields):
    """A refused account change; the message says what to fix and the field names where."""


class LoginRefused(Exception):
    def __init__(self, message: str, throttled: bool = False) -> None:
        super().__init__(message)
        self.throttled = throttled


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# RFC 2606's names for placeholders ("admin@example.invalid", the first admin's default) are valid addresses that no
# mailer rewrites; email-validator refuses them as undeliverable, which is not this check's question. Its documented
# way to allow them is to take them off its list.
for _placeholder in ("invalid", "test"):
    if _placeholder in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_placeholder)


def normalise_email(email: str) -> str:
    """The address as the mailer will use it (lower case, the domain in its normal form), or a refusal.

    Checked by email-validator (RFC 5322/5321 without the forms a mailer would rewrite: no quoted local part, no
    comments, no colon); ASCII only (not every relay speaks SMTPUTF8) and no encoded words (=?...?=), whose decoding
    could put another address or a control character into the envelope.
    """
    raw = (email or "").strip()
    try:
        checked = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        checked = None
    value = checked.normalized.lower() if checked is not None else ""
    if checked is None or "=?" in raw or len(value) > 254 or not EMAIL.fullmatch(value):
        raise AccountError(_l("%(email)s is geen e-mailadres dat de tracker kan mailen: gebruik letters, cijfers en "
                              ". _ %% + - vóór de @ en een domeinnaam met een punt erna.", email=repr(raw[:80])),
                           "email")
    return value


def _not_a_role(role: str) -> AccountError:
    known = ", ".join(r.value for r in Role)
    return AccountError(_l("%(role)s is geen rol; kies uit %(known)s.", role=repr(role), known=known), "role")


def check_password(password: str, *, name: str = "", email: str = "") -> str:
    """The password, if it may be used (see strength.py); else an AccountError naming the field."""
    problem = password_problem(password, name=name, email=email)
    if problem:
        raise AccountError(problem, "password")
    return password


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def teams_by_key(session: Session, keys: list[str]) -> list[Team]:
    found = {t.key: t for t in session.scalars(select(Team).where(Team.key.in_(keys)))}
    missing = [k for k in keys if k not in found]
    if missing:
        known = ", ".join(session.scalars(select(Team.key).order_by(Team.key)))
        raise AccountError(
            _l("Onbekend team: %(missing)s. Bekende teams: %(known)s.", missing=", ".join(missing), known=known),
            "teams",
        )
    return [found[k] for k in keys]


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    teams: list[str],
    password: str | None,
    actor: Actor,
    now: dt.datetime,
    must_change: bool = False,
) -> User:
    address = normalise_email(email)
    if find_user(session, address):
        raise AccountError(_l("Er is al een gebruiker met e-mailadres %(email)s.", email=address), "email")
    if not (name or "").strip():
        raise AccountError(_l("Vul een naam in."), "name")
    try:
        role_value = Role(role)
    except ValueError:
        raise _not_a_role(role) from None
    user = User(
        email=address,
        name=name.strip(),
        role=role_value,
        active=True,
        created_at=now,
        password_hash=(
            HASHER.hash(check_password(password, name=name, email=address)) if password is not None else None
        ),
        password_changed_at=now if password is not None else None,
        # A password chosen by someone else (the admin, the operator, a generator) is changed at first login.
        must_change_password=must_change and password is not None,
        teams=teams_by_key(session, teams),
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        now,
        "user.create",
        target=user,
        label=address,
        changes={
            "role": [None, role_value.value],
            "teams": [None, teams],
            "name": [None, user.name],
            "must_change_password": [None, user.must_change_password],
        },
    )
    return user


def set_role(session: Session, user: User, role: str, *, actor: Actor, now: dt.datetime) -> None:
    try:
        new = Role(role)
    except ValueError:
        raise _not_a_role(role) from None
    if new is not user.role:
        record(
            session,
            actor,
            now,
            "user.role",
            target=user,
            label=user.email,
            changes={"role": [user.role.value, new.value]},
        )
        user.role = new
        session.flush()


def deactivate(session: Session, user: User, *, actor: Actor, now: dt.datetime) -> None:
    if user.active:
        user.active = False
        for s in session.scalars(
            select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        ):
            s.revoked_at = now
        record(session, actor, now, "user.deactivate", target=user, label=user.email, changes={"active": [True, False]})
        session.flush()


# -- login ---------------------------------------------------------------------------------------
def authenticate(session: Session, email: str, password: str, *, address: str | None, now: dt.datetime) -> User:
    """Return the user, or raise LoginRefused; every attempt is audited. The attempt's slots on the address's and
    the account's counters are taken and committed before the password is checked (throttle.py), so parallel
    guesses are counted exactly."""
    label = (email or "").strip().lower()[:254] or "?"
    actor = Actor(label=label, address=address)
    slots = ([(throttle.address_key(address), throttle.ADDRESS_FREE)] if address else []) + [
        (throttle.account_key(email), throttle.ACCOUNT_FREE)
    ]
    for key, free in slots:
        blocked = throttle.reserve(session, key, free, now)
        if blocked is not None:
            record(session, actor, now, "login.throttled", changes={"wait_seconds": [None, blocked.wait_seconds(now)]})
            raise LoginRefused(
                _l("Te veel mislukte pogingen om in te loggen: wacht %(seconds)d seconden en probeer het opnieuw.",
                   seconds=blocked.wait_seconds(now)),
                throttled=True,
            )
    session.commit()  # the slots hold whatever happens next, and other workers see them now
    user = find_user(session, email or "")
    hashed = user.password_hash if user and user.password_hash else _dummy_hash()
    try:
        ok = HASHER.verify(hashed, password or "") and user is not None and user.password_hash is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        record(session, Actor(actor.label, user.id if user else None, address), now, "login.failure")
        raise LoginRefused(_l("Het e-mailadres of het wachtwoord klopt niet, of het account is niet actief."))
    if HASHER.check_needs_rehash(cast(str, user.password_hash)):  # ok: it has one
        user.password_hash = HASHER.hash(password)
    user.last_login_at = now
    throttle.succeeded(session, email, address)
    record(session, Actor(user.email, user.id, address), now, "login.success", target=user, label=user.email)
    session.flush()
    return user


def start_session(
    session: Session, user: User, *, address: str | None, now: dt.datetime, user_agent: str | None = None
) -> str:
    return sessions.start(session, user, address=address, user_agent=user_agent, now=now)


def load_session(
    session: Session, token: str, *, now: dt.datetime, max_age: dt.timedelta, engine: Engine | None = None
) -> User | None:
    return sessions.load(session, token, now=now, max_age=max_age, engine=engine)


def end_session(session: Session, token: str, *, now: dt.datetime) -> None:
    row = sessions.current_row(session, token)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        record(session, Actor(row.user.email, row.user_id), now, "logout", target=row.user, label=row.user.email)
        session.flush()


# -- commands ------------------------------------------------------------------------------------
def _admin_only(actor: Actor) -> None:
    if not (actor.is_process or actor.role == Role.ADMIN.value):
        raise Forbidden(_l("Alleen beheerders beheren gebruikers en teams."))


@handles(CreateUser)
def _create_user(session: Session, cmd: CreateUser, actor: Actor, clock: Clock) -> User:
    _admin_only(actor)
    publish(session, AccountChanged(cmd.email.strip().lower(), "create"))
    return create_user(
        session,
        email=cmd.email,
        name=cmd.name,
        role=cmd.role,
        teams=list(cmd.teams),
        password=cmd.password,
        actor=actor,
        now=clock.now(),
        must_change=cmd.must_change,
    )


@handles(UpdateUser)
def _update_user(session: Session, cmd: UpdateUser, actor: Actor, clock: Clock) -> User:
    _admin_only(actor)
    user = find_user(session, cmd.email)
    if user is None:
        raise NotFound(_l("Er is geen gebruiker met e-mailadres %(email)s.", email=cmd.email.strip().lower()), "email")
    if user.id == actor.user_id and (cmd.role not in (None, Role.ADMIN.value) or cmd.active is False):
        raise InvalidFields(
            _l("U kunt uw eigen beheerdersrol niet weghalen en uzelf niet op inactief zetten."),
            "role" if cmd.active is not False else "active",
        )
    now = clock.now()
    if cmd.role is not None:
        set_role(session, user, cmd.role, actor=actor, now=now)
    if cmd.teams is not None:
        new, old = sorted(cmd.teams), sorted(t.key for t in user.teams)
        if new != old:
            user.teams = teams_by_key(session, new)
            record(session, actor, now, "user.teams", target=user, label=user.email, changes={"teams": [old, new]})
    if cmd.active is False:
        deactivate(session, user, actor=actor, now=now)
    elif cmd.active and not user.active:
        user.active = True
        record(session, actor, now, "user.activate", target=user, label=user.email, changes={"active": [False, True]})
    publish(session, AccountChanged(user.email, "update"))
    session.flush()
    return user


@handles(CreateTeam)
def _create_team(session: Session, cmd: CreateTeam, actor: Actor, clock: Clock) -> Team:
    _admin_only(actor)
    key, name = cmd.key.strip(), cmd.name.strip()
    errors = [(field, problem) for field, problem in (("key", key_problem(key)), ("name", name_problem(name)))
              if problem]
    if errors:
        raise InvalidFields(_l("Niet alle velden zijn goed ingevuld."), errors=errors)
    if session.scalar(select(Team.id).where(Team.key == key)) is not None:
        raise Duplicate(_l("Er is al een team met afkorting %(key)s.", key=key), "key")
    team = Team(key=key, name=name)
    session.add(team)
    session.flush()
    record(session, actor, clock.now(), "team.create", target=team, label=team.key, changes={"name": [None, name]})
    publish(session, TeamChanged(key=team.key))
    return team


def _team(session: Session, key: str) -> Team:
    team = session.scalars(select(Team).where(Team.key == key)).first()
    if team is None:
        raise NotFound(_l("Er is geen team %(key)s.", key=key), "key")
    return team


def acting_user(session: Session, actor: Actor, refusal: Any) -> User:
    """The logged-in user a command acts for, or Forbidden with `refusal` (a process or a stale session has none)."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise Forbidden(refusal)
    return user


@handles(RenameTeam)
def _rename_team(session: Session, cmd: RenameTeam, actor: Actor, clock: Clock) -> Team:
    _admin_only(actor)
    team = _team(session, cmd.key)
    name = cmd.name.strip()
    if problem := name_problem(name):
        raise InvalidFields(problem, "name")
    if name != team.name:
        record(session, actor, clock.now(), "team.rename", target=team, label=team.key,
               changes={"name": [team.name, name]})
        team.name = name
        publish(session, TeamChanged(key=team.key))
        session.flush()
    return team


@handles(SetTeamReminders)
def _set_team_reminders(session: Session, cmd: SetTeamReminders, actor: Actor, clock: Clock) -> Team:
    _admin_only(actor)
    team = _team(session, cmd.key)
    raw = (cmd.reminder_days or "").strip()
    try:
        new = ",".join(map(str, parse_days(raw))) if raw else None
    except ValueError as exc:
        raise InvalidFields(str(exc), "reminder_days") from None
    if new != team.reminder_days:
        record(
            session,
            actor,
            clock.now(),
            "team.reminders",
            target=team,
            label=team.key,
            changes={"reminder_days": [team.reminder_days, new]},
        )
        team.reminder_days = new
        publish(session, TeamChanged(key=team.key))
        session.flush()
    return team
