"""People by name instead of by e-mail address, for the change log and the history (tracker.audit.words)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.models import User


def names_by_email(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """{e-mail: name} for the actors that are users with a name: one query."""
    wanted = set(actors)
    if not wanted:
        return {}
    rows = session.execute(select(User.email, User.name).where(User.email.in_(wanted))).all()
    return {email: name for email, name in rows if name}
