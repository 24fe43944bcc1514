"""Every model, imported in one place so the metadata is complete (Alembic, tests)."""

from tracker.auth.models import Team
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation, StageChange

__all__ = ["Authority", "Deadline", "Designation", "Evaluation", "Regulation", "StageChange", "Team"]
