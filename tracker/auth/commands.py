"""What an admin (or the operator's CLI) asks of accounts and teams, as plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.unit_of_work import Event, PortfolioChanged


@dataclass(frozen=True)
class CreateUser:
    email: str
    name: str
    role: str  # viewer, editor or admin
    teams: tuple[str, ...] = ()  # team keys
    password: str | None = None  # None: the account cannot log in until a password is set
    must_change: bool = False  # True when someone else chose or saw the password: its owner changes it at login


@dataclass(frozen=True)
class UpdateUser:
    """Change what is given; None leaves a value as it is."""

    email: str
    role: str | None = None
    teams: tuple[str, ...] | None = None
    active: bool | None = None


@dataclass(frozen=True)
class CreateTeam:
    key: str
    name: str


@dataclass(frozen=True)
class RenameTeam:
    key: str
    name: str


@dataclass(frozen=True)
class SetTeamReminders:
    key: str
    reminder_days: str | None  # "90,30,7,1"; None or blank: the tracker's default


@dataclass(frozen=True)
class ChangeOwnPassword:
    """The user changes their own password, giving the current one; other sessions than `keep_token`'s end, and
    their API tokens are revoked unless `keep_api_tokens`."""

    current: str
    new: str
    keep_token: str | None = None
    keep_api_tokens: bool = False


@dataclass(frozen=True)
class SetPassword:
    """An admin or the operator sets `email`'s password: every session ends and it must be changed at login."""

    email: str
    password: str


@dataclass(frozen=True)
class CreateResetLink:
    """A one-time link for `email` to choose a new password; `mail` queues it through the outbox."""

    email: str
    mail: bool = False


@dataclass(frozen=True)
class UseResetLink:
    token: str
    new: str


@dataclass(frozen=True)
class EndSession:
    session_id: int


@dataclass(frozen=True)
class EndOtherSessions:
    keep_token: str | None


@dataclass(frozen=True)
class AccountChanged(Event):
    """An account's password, sessions, role, teams or state changed (`what`: e.g. "password.set").

    `credentials_void`: the password was set by someone else, reset through a link, or changed by its owner who did
    not choose to keep their API tokens; features holding credentials of the account (API tokens) revoke them.
    `by` and `by_id` name who did it, for the audit rows of what follows.
    """

    email: str
    what: str
    credentials_void: bool = False
    by: str = ""
    by_id: int | None = None
    at: dt.datetime | None = None  # the unit of work's clock


@dataclass(frozen=True)
class TeamChanged(PortfolioChanged):
    """A team was created, renamed or got other reminder lead times (feeds and pages show team names)."""

    key: str = ""
