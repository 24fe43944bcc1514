"""Personal API tokens as commands: a user (or an admin, or the operator's CLI for a user) creates and revokes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.api.common import TOKEN_DAY_CHOICES, TOKEN_DAYS, create_token, revoke_token
from tracker.api.models import ApiToken
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.auth.commands import AccountChanged
from tracker.auth.models import User
from tracker.clock import Clock
from tracker.errors import Forbidden, InvalidFields, NotFound
from tracker.unit_of_work import handles, subscribe


@dataclass(frozen=True)
class CreateApiToken:
    email: str  # whose token
    name: str
    days: int = TOKEN_DAYS  # lifetime, one of TOKEN_DAY_CHOICES


@dataclass(frozen=True)
class RevokeApiToken:
    token_id: int


def _may_manage(actor: Actor, user_id: int) -> None:
    if not (actor.is_process or actor.role == "admin" or actor.user_id == user_id):
        raise Forbidden(_l("U beheert alleen uw eigen API-tokens."))


@handles(CreateApiToken)
def _create(session: Session, cmd: CreateApiToken, actor: Actor, clock: Clock) -> tuple[ApiToken, str]:
    """The new row and the token itself: shown once, only its hash is kept."""
    user: User | None = service.find_user(session, cmd.email)
    if user is None or not user.active:
        email = cmd.email.strip().lower()
        raise NotFound(_l("Er is geen actieve gebruiker met e-mailadres %(email)s.", email=email), "email")
    _may_manage(actor, user.id)
    if not cmd.name.strip() or len(cmd.name) > 100:
        raise InvalidFields(_l("Geef een naam van 1 tot 100 tekens, zodat u uw tokens uit elkaar houdt."), "name")
    if cmd.days not in TOKEN_DAY_CHOICES:
        choices = ", ".join(map(str, TOKEN_DAY_CHOICES))
        raise InvalidFields(_l("Kies een geldigheid van %(choices)s dagen.", choices=choices), "days")
    return create_token(session, user, cmd.name, actor=actor, now=clock.now(), days=cmd.days)


def _void_with_the_password(session: Session, events: Sequence[AccountChanged]) -> None:
    """A password set by someone else, reset, or changed without keeping the tokens: the account's API tokens stop
    working in the same transaction (ASVS 3.3.3: credentials follow the password), each revocation audited."""
    for happened in events:
        if not happened.credentials_void or happened.at is None:
            continue
        user = service.find_user(session, happened.email)
        if user is None:
            continue
        live = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
        actor = Actor(happened.by or happened.email, happened.by_id)
        for row in live:
            revoke_token(session, row, actor=actor, now=happened.at, reason=happened.what)


subscribe(AccountChanged, _void_with_the_password, phase="before_commit")


@handles(RevokeApiToken)
def _revoke(session: Session, cmd: RevokeApiToken, actor: Actor, clock: Clock) -> None:
    row = session.get(ApiToken, cmd.token_id)
    if row is None or not (actor.is_process or actor.role == "admin" or actor.user_id == row.user_id):
        raise NotFound(_l("Dit token bestaat niet."), "token_id")  # another's token is not even confirmed to exist
    revoke_token(session, row, actor=actor, now=clock.now())
