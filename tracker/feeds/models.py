"""Feed tokens: the secret in a calendar subscription URL, stored only as a hash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime


class FeedToken(Base):
    """One per user at a time; rotating revokes the old one. The token itself is derived from the app's secret
    key and `nonce` (so the user's pages can show the URL again) and only its SHA-256 is stored."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FeedPiece(Base):
    """One event's iCalendar bytes (BEGIN:VEVENT ... END:VEVENT), rendered once by the icalendar library.

    Keyed by a hash of everything the event shows (its item's fields, which include the row's version through
    SEQUENCE and DTSTAMP, and the alarm options), so a piece never goes stale: a changed item asks for a new key.
    Derived events (computed, not stored rows) are cached the same way. Shared by every worker and every filter."""

    __tablename__ = "feed_pieces"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FeedRender(Base):
    """The last assembled feed per filter (query string and base URL), shared by workers; `body` is zlib-compressed
    (each machine keeps it as a file too, tracker.feeds.files).

    `revision` is the portfolio revision it was last checked against; `etag` is a hash of its content, so a change
    that touches none of its events keeps the ETag (and the body). `lease_until` (wall-clock seconds) marks the one
    worker assembling a new version; others serve the previous one meanwhile, or wait for it."""

    __tablename__ = "feed_renders"

    feed_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    etag: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    events: Mapped[int] = mapped_column(Integer)
    rendered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[float | None] = mapped_column(Float)
    # Where each event's piece lies in `body` (tracker.feeds.store.index): the next render takes unchanged pieces
    # from here instead of reading them again.
    piece_index: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What the feed is (its canonical query and link base) and when it was last asked for: the scheduler keeps the
    # feeds fetched in the last day rendered.
    query: Mapped[str | None] = mapped_column(Text)
    base_url: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
