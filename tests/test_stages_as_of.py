"""Past boards by query: `stages_as_of` and the past board's stage scan agree with a replay of every act's
ordered history, for every act at every date of the seeded history, and cost the same number of queries at two
portfolio sizes."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from sqlalchemy import select

from tests.conftest import NOW, TODAY
from tracker.audit.record import Actor
from tracker.auth.models import Team
from tracker.clock import Clock
from tracker.db import QueryCounter
from tracker.regulations.commands import MoveStage
from tracker.regulations.models import Regulation, RegulationKind, StageChange
from tracker.regulations.queries import BoardFilter, board, stages_as_of
from tracker.regulations.stages import Stage
from tracker.unit_of_work import apply_in_transaction as apply_cmd


def replay(session, day: dt.date) -> dict[int, StageChange]:
    """Every act's change in force on `day`, by walking its history in order (effective date, then id)."""
    in_force: dict[int, StageChange] = {}
    for change in session.scalars(select(StageChange).order_by(StageChange.effective_on, StageChange.id)):
        if change.effective_on <= day:
            in_force[change.regulation_id] = change
    return in_force


def history_dates(session) -> list[dt.date]:
    days = set(session.scalars(select(StageChange.effective_on)))
    return sorted(days | {d - dt.timedelta(days=1) for d in days} | {TODAY})


def test_stages_as_of_agrees_with_the_replay_for_every_act_at_every_date(seeded, session):
    days = history_dates(session)
    assert len(days) >= 20  # each change's date, the day before it, and today
    for day in days:
        expected = {reg: (c.id, c.to_stage, c.effective) for reg, c in replay(session, day).items()}
        got = {reg: (c.id, c.to_stage, c.effective) for reg, c in stages_as_of(session, day).items()}
        assert got == expected, day


def _expected_columns(session, day: dt.date, team_id: int | None = None) -> dict[Stage | None, list[str]]:
    in_force = replay(session, day)
    columns: dict[Stage | None, list[str]] = defaultdict(list)
    for reg in session.scalars(select(Regulation).order_by(Regulation.key)):
        if team_id is None or reg.team_id == team_id:
            change = in_force.get(reg.id)
            columns[change.to_stage if change else None].append(reg.key)
    return dict(columns)


def test_past_boards_agree_with_the_replay_at_every_date_with_pages_and_filters(seeded, session):
    ezk = session.scalar(select(Team.id).where(Team.key == "EZK"))
    for day in history_dates(session):
        past = day < TODAY
        as_board = board(session, day, today=TODAY if past else day + dt.timedelta(days=1), limit=None)
        expected = _expected_columns(session, day)
        got = {s: [c.regulation.key for c in cards] for s, cards in as_board.columns.items() if cards}
        assert got == expected, day
        assert as_board.counts == {s: len(keys) for s, keys in expected.items()}, day
        for card in as_board.cards:
            change = replay(session, day).get(card.regulation.id) if card.stage else None
            assert card.since == (change.effective if change else None)
        # A page of two cards per column, its second page, and one team's board.
        for offset in (0, 2):
            paged = board(session, day, today=TODAY + dt.timedelta(days=9999), limit=2, offset=offset)
            got = {s: [c.regulation.key for c in cards] for s, cards in paged.columns.items() if cards}
            assert got == {s: keys[offset:offset + 2] for s, keys in expected.items() if keys[offset:offset + 2]}
            assert paged.counts == as_board.counts
        team = board(session, day, BoardFilter(team_id=ezk), today=TODAY + dt.timedelta(days=9999), limit=None)
        assert {s: [c.regulation.key for c in cards] for s, cards in team.columns.items() if cards} == (
            _expected_columns(session, day, ezk))
    one = board(session, dt.date(2023, 9, 30), today=TODAY, limit=None, only=Stage.PARLIAMENT)
    assert list(one.columns) == [Stage.PARLIAMENT]
    assert [c.regulation.key for c in one.cards] == _expected_columns(session, dt.date(2023, 9, 30))[Stage.PARLIAMENT]


def _add_acts(db, n: int, start: int) -> None:
    with db.transaction() as s:
        team = s.scalars(select(Team).where(Team.key == "EZK")).one()
        for i in range(start, start + n):
            s.add(Regulation(key=f"PAST{i:03d}", title=f"Act {i}", kind=RegulationKind.DIRECTIVE, team_id=team.id,
                             created_at=NOW, updated_at=NOW))
            s.flush()
            for stage, day in (("eu_negotiation", "2021"), ("internal_prep", "2022-05"), ("consultation", "2023-Q1")):
                apply_cmd(s, MoveStage(f"PAST{i:03d}", stage, day, "Added"), Actor("test"), Clock(NOW.tzinfo, NOW))


def test_a_past_board_costs_the_same_queries_at_two_sizes(app, db, viewer):
    def count() -> int:
        with QueryCounter(db.engine) as counter:
            assert viewer.get("/?as_of=2023-09-30").status_code == 200
        return counter.count

    before = count()
    _add_acts(db, 40, 0)
    assert count() == before == 14  # README: a past day's board


def test_board_columns_and_next_deadlines_are_read_through_their_indexes(seeded, session):
    """Today's column (stage, in key order) and the cards' next deadlines each have an index that serves them."""
    from sqlalchemy import text

    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # A tiny, unvacuumed table would rather be scanned, or read through a bitmap: ask whether the indexes alone
        # can answer.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
    explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    plans = {
        "ix_regulations_current_stage_key": "SELECT id FROM regulations WHERE current_stage = 'parliament' "
                                            "ORDER BY key LIMIT 30",
        "ix_deadlines_regulation_due": "SELECT id FROM deadlines WHERE regulation_id IN (1, 2) AND due_on >= "
                                       "'2023-09-30' ORDER BY regulation_id, due_on, id",
    }
    for index, sql in plans.items():
        plan = " ".join(str(row[-1]) for row in session.execute(text(explain + sql)))
        assert index in plan, plan
    session.rollback()


def test_a_past_boards_stage_per_act_is_read_from_the_history_index_alone(seeded, session):
    """Each act's stage on a day is read from its instruments' histories by seeks in (instrument_id, effective_on,
    id, to_stage): the plan names that index and reads no row of the history (SQLite: a covering index;
    PostgreSQL: an index-only scan)."""
    from sqlalchemy import text

    from tracker.regulations.queries import stage_then

    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # A tiny, unvacuumed table would rather be scanned, or read through a bitmap: ask whether the indexes alone
        # can answer.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
    query = select(Regulation.id, stage_then(dt.date(2023, 9, 30))).order_by(Regulation.key)
    sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(row[-1]) for row in session.execute(text(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ")
                                                                 + sql)))
    index = "ix_stage_changes_instrument_effective_stage"
    expected = rf"Index Only Scan (Backward )?using {index}" if postgres else f"COVERING INDEX {index}"
    assert re.search(expected, plan), plan
    # No row of the history and none of the links is read, only their indexes.
    read_rows = r"(Index Scan|Seq Scan|Bitmap Heap Scan) on (stage_changes|instrument_acts)" if postgres else (
        r"SEARCH (stage_changes|instrument_acts)\w* USING (INDEX|INTEGER PRIMARY KEY)")
    assert not re.search(read_rows, plan), plan
    session.rollback()
