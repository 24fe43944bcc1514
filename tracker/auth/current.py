"""The signed-in user as an actor, for any feature's views (so none imports another feature's views)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from tracker.audit.record import Actor
from tracker.auth.permissions import actor_for


def current_actor() -> Actor:
    return actor_for(current_user, request.remote_addr)
