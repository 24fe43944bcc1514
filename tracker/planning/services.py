"""Carry out the planning commands: permission, checks, the change and its audit row; flush only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import date_input
from tracker.audit.record import Actor, record
from tracker.auth.models import Team
from tracker.clock import Clock
from tracker.dates import DateError
from tracker.errors import Forbidden, InvalidFields, NotFound
from tracker.planning.commands import ConfirmCurrent, PlanChanged, SetDuration, SetPlannedDate, SetTarget
from tracker.planning.models import ActPlan, PlannedDate, Review, StageDuration
from tracker.planning.plan import PLANNABLE, STEPS
from tracker.regulations.models import Deadline, Regulation
from tracker.regulations.services import editable
from tracker.unit_of_work import handles, publish

MAX_DAYS = 3650
NOTE_LENGTH = 2000


@handles(ConfirmCurrent)
def confirm_current(session: Session, cmd: ConfirmCurrent, actor: Actor, clock: Clock) -> Review:
    reg = editable(session, cmd.key, actor)
    note = (cmd.note or "").strip() or None
    if note and len(note) > NOTE_LENGTH:
        raise InvalidFields(_l("hoogstens %(num)d tekens", num=NOTE_LENGTH), "note")
    review = Review(
        regulation_id=reg.id, reviewed_on=clock.today(), recorded_at=clock.now(), actor=actor.label, note=note
    )
    session.add(review)
    record(
        session,
        actor,
        clock.now(),
        "plan.review",
        target=reg,
        label=reg.key,
        regulation_id=reg.id,
        changes={"reviewed_on": [None, clock.today().isoformat()], **({"note": [None, note]} if note else {})},
    )
    publish(session, PlanChanged(frozenset({reg.id}), reg.key, "review"))
    session.flush()
    return review


@handles(SetPlannedDate)
def set_planned_date(session: Session, cmd: SetPlannedDate, actor: Actor, clock: Clock) -> PlannedDate | None:
    reg = editable(session, cmd.key, actor)
    if cmd.step not in PLANNABLE:
        raise InvalidFields(
            _l("%(step)s is geen stap; kies uit %(known)s", step=repr(cmd.step), known=", ".join(PLANNABLE)), "step"
        )
    row = session.scalars(
        select(PlannedDate).where(PlannedDate.regulation_id == reg.id, PlannedDate.step == cmd.step)
    ).first()
    before = row.planned.isoformat() if row else None
    text = (cmd.date or "").strip()
    if not text:
        if row is None:
            return None  # nothing planned, nothing to clear
        session.delete(row)
        _audit(session, actor, clock, reg, f"planned.{cmd.step}", before, None)
        session.flush()
        return None
    try:
        planned = date_input.parse(text, single=True)  # two columns: one date, a season its one period
    except DateError as exc:
        raise InvalidFields(str(exc), "date") from None
    if not planned.known:
        raise InvalidFields(_l("een geplande datum moet bekend zijn; laat het veld leeg om hem te wissen"), "date")
    if row is not None and row.planned == planned:
        return row  # the same date: no write, no audit row
    if row is None:
        row = PlannedDate(regulation_id=reg.id, step=cmd.step)
        session.add(row)
    row.planned, row.updated_at, row.actor = planned, clock.now(), actor.label
    _audit(session, actor, clock, reg, f"planned.{cmd.step}", before, planned.isoformat())
    session.flush()
    return row


@handles(SetTarget)
def set_target(session: Session, cmd: SetTarget, actor: Actor, clock: Clock) -> ActPlan:
    reg = editable(session, cmd.key, actor)
    deadline = None
    if cmd.deadline_id is not None:
        deadline = session.get(Deadline, cmd.deadline_id)
        if deadline is None or deadline.regulation_id != reg.id:
            raise NotFound(_l("%(key)s heeft geen termijn %(id)s.", key=reg.key, id=cmd.deadline_id), "deadline_id")
        if not deadline.due.known:
            raise InvalidFields(
                _l("een doeldatum moet een bekende datum hebben; deze termijn is nog niet bepaald"), "deadline_id"
            )
    row = session.get(ActPlan, reg.id)
    chosen = {"target": deadline.id if deadline else None, "eu_exception": bool(cmd.eu_exception)}
    if row is not None and {"target": row.target_deadline_id, "eu_exception": bool(row.eu_exception)} == chosen:
        return row  # nothing to change: no write, no audit row
    if row is None:
        row = ActPlan(regulation_id=reg.id, eu_exception=False)
        session.add(row)
    before = {"target": row.target_deadline_id, "eu_exception": bool(row.eu_exception)}
    row.target_deadline_id = deadline.id if deadline else None
    row.eu_exception = bool(cmd.eu_exception)
    row.seed_key = row.seed_hash = None  # chosen by a team now: the seed no longer overwrites it
    row.updated_at = clock.now()
    after = {"target": row.target_deadline_id, "eu_exception": row.eu_exception}
    record(
        session,
        actor,
        clock.now(),
        "plan.target",
        target=reg,
        label=reg.key,
        regulation_id=reg.id,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    publish(session, PlanChanged(frozenset({reg.id}), reg.key, "target"))
    session.flush()
    return row


@handles(SetDuration)
def set_duration(session: Session, cmd: SetDuration, actor: Actor, clock: Clock) -> StageDuration | None:
    if cmd.step not in STEPS:
        raise InvalidFields(
            _l("%(step)s is geen stap; kies uit %(known)s", step=repr(cmd.step), known=", ".join(STEPS)), "step"
        )
    if cmd.days is not None and not 0 <= cmd.days <= MAX_DAYS:
        raise InvalidFields(_l("geef een heel aantal dagen van 0 tot en met %(max)d", max=MAX_DAYS), "days")
    if cmd.source is not None and len(cmd.source.strip()) > NOTE_LENGTH:
        raise InvalidFields(_l("hoogstens %(num)d tekens", num=NOTE_LENGTH), "source")
    if cmd.key and cmd.team:
        raise InvalidFields(_l("geef een duur voor een regeling of voor een team, niet voor allebei"), "team")
    reg_id = team_id = None
    label, regulation_id = "default", None
    if cmd.key:
        reg = editable(session, cmd.key, actor)
        reg_id, label, regulation_id = reg.id, reg.key, reg.id
    elif cmd.team:
        team = session.scalars(select(Team).where(Team.key == cmd.team)).first()
        if team is None:
            raise NotFound(_l("Er is geen team %(team)s.", team=repr(cmd.team)), "team")
        if not actor.may_edit_team(team.id):
            raise Forbidden(_l("U mag de doorlooptijden van team %(team)s niet wijzigen.", team=team.key))
        team_id, label = team.id, f"team {team.key}"
    elif not (actor.is_process or actor.role == "admin"):
        raise Forbidden(_l("Alleen een beheerder wijzigt de standaarddoorlooptijden."))
    if cmd.days is None and reg_id is None and team_id is None:
        raise InvalidFields(_l("de standaardduur kan niet gewist worden; geef een aantal dagen"), "days")
    row = session.scalars(
        select(StageDuration).where(
            StageDuration.step == cmd.step,
            StageDuration.regulation_id.is_(None) if reg_id is None else StageDuration.regulation_id == reg_id,
            StageDuration.team_id.is_(None) if team_id is None else StageDuration.team_id == team_id,
        )
    ).first()
    before = row.days if row else None
    new_source = (cmd.source or "").strip()
    if before == cmd.days and (row is None or not new_source or new_source == row.source):
        return row  # the same figure (or none to clear): no write, no audit row
    if cmd.days is None:
        if row is not None:
            session.delete(row)
        row = None
    else:
        if row is None:
            row = StageDuration(step=cmd.step, team_id=team_id, regulation_id=reg_id)
            session.add(row)
        source = (cmd.source or "").strip() or f"Ingesteld door {actor.label}"
        row.days, row.source, row.assumption, row.updated_at = cmd.days, source, True, clock.now()
        row.seed_key = row.seed_hash = None  # a team's figure: the seed no longer overwrites it
    record(
        session,
        actor,
        clock.now(),
        "plan.duration",
        label=label,  # the step is the field of `changes`, worded when shown
        regulation_id=regulation_id,
        changes={cmd.step: [before, cmd.days]},
    )
    publish(session, PlanChanged(frozenset({regulation_id} if regulation_id else ()), cmd.key or "", "duration"))
    session.flush()
    return row


def _audit(
    session: Session, actor: Actor, clock: Clock, reg: Regulation, name: str, before: str | None, after: str | None
) -> None:
    publish(session, PlanChanged(frozenset({reg.id}), reg.key, name))
    record(
        session,
        actor,
        clock.now(),
        "plan.planned",
        target=reg,
        label=reg.key,
        regulation_id=reg.id,
        changes={name: [before, after]},
    )
