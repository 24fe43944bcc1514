"""Who may do what, checked on the server for every record."""

from __future__ import annotations

from tracker.audit.record import Actor
from tracker.auth.models import Role, User


def can_edit_team(user: User | None, team_id: int | None) -> bool:
    """Editors change the records of their own teams; admins change everything; viewers nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.EDITOR and team_id is not None and team_id in user.team_ids


def can_create(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.role in (Role.EDITOR, Role.ADMIN)


def is_admin(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.role is Role.ADMIN


def actor_for(user: User, address: str | None = None) -> Actor:
    """The actor of a signed-in user: who they are and what they may change, for services and the audit trail."""
    return Actor(user.email, user.id, address, role=user.role.value, team_ids=frozenset(user.team_ids))
