"""Every model, imported in one place so the metadata is complete (Alembic, tests)."""

from tracker.api.models import ApiToken
from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginThrottle, Team, User, UserSession
from tracker.feeds.models import FeedToken
from tracker.notify.marks import NotifyMark
from tracker.notify.models import Follow, OutboxMessage
from tracker.ops.models import Heartbeat
from tracker.planning.models import ActPlan, PlannedDate, Review, StageDuration
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation, StageChange
from tracker.regulations.revision import Counter

__all__ = [
    "ActPlan",
    "ApiToken",
    "AuditEvent",
    "Authority",
    "Counter",
    "Deadline",
    "Designation",
    "Evaluation",
    "FeedToken",
    "Follow",
    "Heartbeat",
    "Implements",
    "Instrument",
    "LoginThrottle",
    "NotifyMark",
    "OutboxMessage",
    "PlannedDate",
    "Regulation",
    "Review",
    "StageChange",
    "StageDuration",
    "Team",
    "User",
    "UserSession",
]
