"""Declarative base, engine and session handling.

Handlers only flush; the unit of work (tracker.unit_of_work) or, for operational writes, the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from flask import current_app, g
from sqlalchemy import CheckConstraint, Date, DateTime, Enum, MetaData, Table, create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Composite, DeclarativeBase, Session, composite, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from tracker.dates import Precision, PrecisionDate

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    if TYPE_CHECKING:  # every model here is mapped to a Table (DeclarativeBase says only FromClause)
        __table__: ClassVar[Table]


class PortfolioRecord:
    """A mixin for the rows that pages, feeds and the report show: writing one changes the portfolio.

    The unit of work (tracker.unit_of_work) sees these rows in every flush and announces them, so a model added by any
    feature takes part by being one, never by being listed in a lower layer.
    """

    def portfolio_act_id(self) -> int | None:
        """The act this row belongs to, if any (for rendering that act's feed events again)."""
        value = getattr(self, "regulation_id", None)
        return value if isinstance(value, int) else None


def str_enum(enum_cls: type, name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint on both SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator):
    """Timestamps in UTC, always returned timezone-aware; naive input is refused so no local time slips in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(dt.UTC)
        # SQLite has no time zone type: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def make_precision(start: dt.date | None, precision: Precision | str | None) -> PrecisionDate:
    """Composite constructor: rebuild a PrecisionDate from its two columns."""
    return PrecisionDate(start, Precision(precision or Precision.UNKNOWN))


def precision_date(prefix: str, *, known: bool = False) -> Composite[PrecisionDate]:
    """A PrecisionDate stored as `<prefix>_on` (first day of the period) and `<prefix>_precision`.

    The first-day column is what queries sort and compare on; pair it with `precision_check(prefix)`.
    """
    return composite(
        make_precision,
        mapped_column(f"{prefix}_on", Date, nullable=not known),
        mapped_column(
            f"{prefix}_precision",
            str_enum(Precision, f"{prefix}_precision"),
            nullable=False,
            default=Precision.UNKNOWN,
        ),
    )


def precision_check(prefix: str) -> CheckConstraint:
    """Only an unknown date has no first day."""
    return CheckConstraint(f"({prefix}_on IS NULL) = ({prefix}_precision = 'unknown')", name=f"{prefix}_known")


def fit(text: str | None, column: Any) -> str | None:
    """`text` cut to the column's length with an ellipsis: labels and names copied from longer fields must fit."""
    length = getattr(column.type, "length", None)
    if text is None or length is None or len(text) <= length:
        return text
    return text[: length - 1] + "…"


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs: object) -> Engine:
    """`foreign_keys=False` is for migrations only: SQLite's batch mode recreates tables, and dropping the old
    table with foreign keys on would cascade-delete the rows that refer to it."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

    return engine


class Database:
    """One engine and session factory per application or CLI process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with self.sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


class QueryCounter:
    """Counts SQL statements sent on an engine: benchmarks and tests use it per request."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def get_db() -> Database:
    """The current app's database (request, CLI command or job context)."""
    return current_app.extensions["tracker.db"]


def get_session() -> Session:
    """The request's session; the request decides whether to commit, and the app closes it at teardown."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
    return g.db_session
