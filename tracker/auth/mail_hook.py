"""Account mail (password-reset links) goes through the outbox, which belongs to notify; notify builds on auth, so
auth cannot import it. notify installs its queueing function on the app, and auth asks the app for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import force_locale, gettext
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
    """The reset link's mail, in the recipient's language (their stored choice, else Dutch)."""
    link = f"{settings.base_url}/reset/{token}"
    with force_locale(user.language or "nl"):
        # The app's own date filter (tracker.i18n builds on auth, so auth cannot import it): the moment in the
        # tracker's time zone, written the recipient's way.
        until = current_app.jinja_env.filters["when"](expires_at)
        text = "\n\n".join([
            gettext("Beste %(name)s,", name=user.name),
            gettext("Een beheerder van de EU-implementatietracker heeft voor u een link gemaakt om een nieuw "
                    "wachtwoord te kiezen. De link werkt één keer, tot %(until)s:", until=until),
            link,
            gettext("Hebt u hier niet om gevraagd? Negeer dan dit bericht; uw wachtwoord blijft zoals het is."),
        ]) + "\n"
        subject = gettext("Nieuw wachtwoord kiezen")
    return AccountMail(
        key=f"password-reset:{sessions.hash_token(token)[:32]}",
        user_id=user.id,
        recipient=user.email,
        subject=subject,
        body_text=text,
    )
