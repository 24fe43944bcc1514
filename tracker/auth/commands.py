"""What an admin (or the operator's CLI) asks of accounts and teams, as plain values."""

from __future__ import annotations

from dataclasses import dataclass


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
class SetTeamReminders:
    key: str
    reminder_days: str | None  # "90,30,7,1"; None or blank: the tracker's default
