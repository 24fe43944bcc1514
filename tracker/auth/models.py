"""Teams own regulations; users belong to teams and have a role; sessions and login counters live in the database."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, PortfolioRecord, UTCDateTime, str_enum


class Role(enum.StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


user_teams = Table(
    "user_teams",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class Team(PortfolioRecord, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # Dutch
    name_en: Mapped[str | None] = mapped_column(String(200))  # its English, for English readers
    source_ref: Mapped[str | None] = mapped_column(String(200))
    source_quote: Mapped[str | None] = mapped_column(Text)
    # Days before a date to remind the team's members, e.g. "90,30,7,1"; None: the tracker's default.
    reminder_days: Mapped[str | None] = mapped_column(String(60))

    def __repr__(self) -> str:
        return f"<Team {self.key}>"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminder_days: Mapped[str | None] = mapped_column(String(60))  # None: the team's, else the default
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    digest_when_empty: Mapped[str] = mapped_column(String(10), default="skip", server_default="skip")  # or "notice"
    # A password printed or set by someone else (admin, operator, reset) is changed by its owner before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(5))  # "nl" or "en"; None: the browser's preference

    teams: Mapped[list[Team]] = relationship(secondary=user_teams, lazy="selectin", order_by=Team.key)

    # Flask-Login: the id it keeps in the cookie is the server-side session's token, set at login or load.
    if TYPE_CHECKING:  # declared for the type checker only: an annotation here would make SQLAlchemy map a column
        session_token: str | None
    session_token = None  # str | None; not a column

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def team_ids(self) -> set[int]:
        return {t.id for t in self.teams}

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class UserSession(Base):
    """A login. The cookie carries only its random token; logout revokes the row, so a copied cookie dies."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # written at most once a minute
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed logins per account and per address, in the database so the limit holds across workers."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "account:<email>" or "address:<ip>"
    failures: Mapped[int] = mapped_column(Integer, default=0)  # attempts counted since the window began
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the last counted attempt: quiet for WINDOW resets
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the next attempt waits until then


class PasswordReset(Base):
    """A one-time link an admin (or the operator) makes for a user; only the token's hash is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
