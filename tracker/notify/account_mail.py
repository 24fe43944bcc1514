"""Queues account mail (password-reset links) in the outbox for auth, which cannot import notify (see
tracker/auth/mail_hook.py)."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.orm import Session

from tracker.auth.mail_hook import AccountMail, install
from tracker.notify.outbox import NewMessage, enqueue


def _queue(session: Session, mail: AccountMail, now: dt.datetime) -> None:
    enqueue(
        session,
        [NewMessage(mail.key, "account", mail.user_id, mail.recipient, mail.subject, mail.body_text)],
        now=now,
    )


def register(app: Flask) -> None:
    install(app, _queue)
