"""Teams own regulations; their members (a later feature) advance stages."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source_ref: Mapped[str | None] = mapped_column(String(200))
    source_quote: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<Team {self.key}>"
