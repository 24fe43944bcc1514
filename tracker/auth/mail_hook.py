"""Account mail (password-reset links) goes through the outbox, which belongs to notify; notify builds on auth, so
auth cannot import it. notify installs its queueing function on the app, and auth asks the app for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.orm import Session

from tracker.auth import sessions
from tracker.auth.models import User
from tracker.config import Settings

EXTENSION = "tracker.account_mail"


@dataclass(frozen=True)
class AccountMail:
    key: str  # once per key, like every outbox message
    user_id: int
    recipient: str
    subject: str
    body_text: str


Queue = Callable[[Session, AccountMail, dt.datetime], None]


def install(app: Flask, queue: Queue) -> None:
    app.extensions[EXTENSION] = queue


def queue_mail(session: Session, mail: AccountMail, now: dt.datetime, app: Flask | None = None) -> None:
    queue = (app or current_app).extensions.get(EXTENSION)
    if queue is None:
        raise RuntimeError("no outbox is installed on this app: account mail cannot be queued")
    queue(session, mail, now)


def reset_mail(user: User, token: str, expires_at: dt.datetime, settings: Settings) -> AccountMail:
    link = f"{settings.base_url}/reset/{token}"
    until = expires_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    text = (
        f"Beste {user.name},\n\nEen beheerder van de EU-implementatietracker heeft voor u een link gemaakt om een "
        f"nieuw wachtwoord te kiezen. De link werkt een keer, tot {until}:\n\n{link}\n\n"
        "Hebt u hier niet om gevraagd? Negeer dan dit bericht; uw wachtwoord blijft zoals het is.\n\n"
        f"Dear {user.name},\n\nAn administrator of the EU implementation tracker made you a link to choose a new "
        f"password. It works once, until {until} ({settings.timezone}):\n\n{link}\n\n"
        "If you did not ask for this, ignore this message; your password stays as it is.\n"
    )
    return AccountMail(
        key=f"password-reset:{sessions.hash_token(token)[:32]}",
        user_id=user.id,
        recipient=user.email,
        subject="Nieuw wachtwoord kiezen / choose a new password",
        body_text=text,
    )
