"""The scheduler's heartbeat: one row per job, overwritten by each run, so the table never grows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime


class Heartbeat(Base):
    __tablename__ = "heartbeats"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    ran_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # when the run started, by the app's clock
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    swept: Mapped[int] = mapped_column(Integer, default=0)  # items a sweep looked at
    queued: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    retried: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[bool] = mapped_column(default=True)  # False when the job raised
    version: Mapped[str] = mapped_column(String(40))
    host: Mapped[str] = mapped_column(String(100))  # host:pid, to tell two schedulers apart
