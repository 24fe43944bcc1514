"""What a user asks of notifications, as plain values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Follow:
    key: str  # the regulation's short name


@dataclass(frozen=True)
class Unfollow:
    key: str


@dataclass(frozen=True)
class ChangeSettings:
    reminder_days: str | None  # "90,30,7,1"; None or blank: the team's or the tracker's default
    digest_enabled: bool
    digest_when_empty: str  # "skip" or "notice"


@dataclass(frozen=True)
class ChooseLanguage:
    """The language the signed-in user reads the tracker and its mails in: "nl" or "en"."""

    language: str


@dataclass(frozen=True)
class Unsubscribe:
    """One-click unsubscribe from the digest: the signed link names the user; no login."""

    user_id: int


@dataclass(frozen=True)
class RetryMessage:
    message_id: int
