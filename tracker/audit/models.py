"""The audit trail: one row per change, login and account change. Rows are only ever added."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_regulation_at", "regulation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(254))  # the e-mail (or "seed", "cli"), kept if the user goes
    action: Mapped[str] = mapped_column(String(60))  # e.g. "stage.move", "deadline.update", "login.failure"
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column()
    target_label: Mapped[str | None] = mapped_column(String(300))
    regulation_id: Mapped[int | None] = mapped_column(ForeignKey("regulations.id", ondelete="SET NULL"))
    # {"field": [old, new]}, values as shown to people
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))
