"""The weekly status digest: what moved in the past week, and what is coming. One per recipient per ISO week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, cast, exists, literal, or_, select
from sqlalchemy.orm import Session

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.config import WEEKDAYS, Settings
from tracker.date_words import format_days, format_pdate
from tracker.notify import marks
from tracker.notify.marks import NotifyMark
from tracker.notify.models import Follow
from tracker.notify.outbox import NewMessage, enqueue, existing_keys
from tracker.planning.attention import needing_attention
from tracker.regulations.models import Deadline, Evaluation, EvaluationStatus, Regulation

UPCOMING = dt.timedelta(weeks=8)
EVALUATIONS_AHEAD = dt.timedelta(days=183)
LIST_LIMIT = 50
SUBJECT_TAG = "[EU tracker]"  # a tag people filter their mail on: the same in every language


class WeekError(ValueError):
    pass


def parse_week(text: str) -> tuple[int, int]:
    """ "2026-W48" -> (2026, 48)."""
    try:
        year, week = text.strip().upper().split("-W")
        value = (int(year), int(week))
        dt.date.fromisocalendar(value[0], value[1], 1)
    except ValueError:
        raise WeekError(f"{text!r} is not an ISO week; write it like 2026-W48") from None
    return value


def week_label(week: tuple[int, int]) -> str:
    return f"{week[0]}-W{week[1]:02d}"


def send_moment(week: tuple[int, int], settings: Settings) -> dt.datetime:
    day = dt.date.fromisocalendar(week[0], week[1], WEEKDAYS.index(settings.digest_day) + 1)
    hour, minute = settings.digest_time
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=settings.tz)


def current_week(now: dt.datetime, settings: Settings) -> tuple[int, int] | None:
    """The week whose digest is due at `now`: this ISO week once its send moment has passed."""
    iso = now.astimezone(settings.tz).isocalendar()
    week = (iso.year, iso.week)
    return week if now >= send_moment(week, settings) else None


@dataclass
class Digest:
    user: User
    week: tuple[int, int]
    since: dt.datetime
    until: dt.datetime
    teams: str  # the keys of the user's teams, "" for none
    follows: bool  # and the acts they follow; neither: the whole portfolio
    changes: list[tuple[AuditEvent, Regulation | None]] = field(default_factory=list)
    actor_names: dict[str, str] = field(default_factory=dict)  # e-mail -> name, for the changes' actors
    upcoming: list[tuple[Deadline, Regulation]] = field(default_factory=list)
    overdue: list[tuple[Deadline, Regulation]] = field(default_factory=list)
    evaluations: list[tuple[Evaluation, Regulation | None]] = field(default_factory=list)
    planning: list[Any] = field(default_factory=list)  # acts at risk, late or stalled (tracker.planning)

    @property
    def scope(self) -> str:
        """What the digest covers, in the current (the recipient's) language."""
        if not self.teams and not self.follows:
            return _("de hele portefeuille")
        if self.teams and self.follows:
            return _("teams %(teams)s en gevolgde regelingen", teams=self.teams)
        return _("teams %(teams)s", teams=self.teams) if self.teams else _("gevolgde regelingen")

    @property
    def nothing_changed(self) -> bool:
        return not self.changes

    @property
    def empty(self) -> bool:
        return not (self.changes or self.upcoming or self.overdue or self.evaluations)


def _scope(session: Session, user: User) -> tuple[set[int] | None, str, bool]:
    """The regulations a user's digest covers (their teams' and those they follow; everything if neither), their
    teams' keys and whether they follow any."""
    followed = set(session.scalars(select(Follow.regulation_id).where(Follow.user_id == user.id)))
    team_ids = user.team_ids
    if not team_ids and not followed:
        return None, "", False
    own = set(session.scalars(select(Regulation.id).where(Regulation.team_id.in_(team_ids)))) if team_ids else set()
    names = ", ".join(sorted(t.key for t in user.teams))
    return own | followed, names, bool(followed)


def covered(week: tuple[int, int], settings: Settings) -> tuple[dt.datetime, dt.datetime]:
    """The seven whole days a week's digest reports on: from midnight a week before its send day up to midnight of
    the send day (Europe/Amsterdam). Monday's digest covers the week before, Monday to Sunday; no day is in two
    digests, and a change made on the send day before the mail goes is in the next one."""
    until = dt.datetime.combine(send_moment(week, settings).date(), dt.time(0), tzinfo=settings.tz)
    return until - dt.timedelta(days=7), until


def period_words(week: tuple[int, int], settings: Settings, language: str) -> str:
    """The days a week's digest covers, both included: '23 – 29 november 2026'."""
    since, until = covered(week, settings)
    return format_days(since.date(), until.date() - dt.timedelta(days=1), language)


def build_digest(session: Session, user: User, week: tuple[int, int], settings: Settings) -> Digest:
    since, until = covered(week, settings)
    day = until.date()
    reg_ids, teams, follows = _scope(session, user)

    def within(column):
        return column.in_(reg_ids) if reg_ids is not None else column.is_not(None)

    digest = Digest(user=user, week=week, since=since, until=until, teams=teams, follows=follows)
    changes = list(
        session.execute(
            select(AuditEvent, Regulation, User.name)  # the actor's name, where a user is known: the same query
            .outerjoin(Regulation, AuditEvent.regulation_id == Regulation.id)
            .outerjoin(User, AuditEvent.actor_id == User.id)
            .where(within(AuditEvent.regulation_id), AuditEvent.at >= since, AuditEvent.at < until)
            .order_by(AuditEvent.at, AuditEvent.id)
            .limit(LIST_LIMIT)
        )
    )
    digest.changes = [(ev, reg) for ev, reg, _name in changes]
    digest.actor_names = {ev.actor: name for ev, _reg, name in changes if name}
    open_deadlines = (
        select(Deadline, Regulation)
        .join(Regulation, Deadline.regulation_id == Regulation.id)
        .where(within(Deadline.regulation_id), Deadline.met_on.is_(None))
    )
    digest.upcoming = list(
        session.execute(
            open_deadlines.where(Deadline.due_on >= day, Deadline.due_on <= day + UPCOMING)
            .order_by(Deadline.due_on, Deadline.id)
            .limit(LIST_LIMIT)
        )
    )
    digest.overdue = list(
        session.execute(
            open_deadlines.where(Deadline.due_end < day).order_by(Deadline.due_on, Deadline.id).limit(LIST_LIMIT)
        )
    )
    # Evaluations of policy (no regulation) count for the team that owns them.
    in_scope = (
        []
        if reg_ids is None
        else [or_(Evaluation.regulation_id.in_(reg_ids), Evaluation.team_id.in_(user.team_ids or {-1}))]
    )
    digest.evaluations = list(
        session.execute(
            select(Evaluation, Regulation)
            .outerjoin(Regulation, Evaluation.regulation_id == Regulation.id)
            .where(
                *in_scope,
                Evaluation.status != EvaluationStatus.DONE,
                Evaluation.due_on >= day,
                Evaluation.due_on <= day + EVALUATIONS_AHEAD,
            )
            .order_by(Evaluation.due_on, Evaluation.id)
            .limit(LIST_LIMIT)
        )
    )
    digest.planning = needing_attention(session, day, reg_ids)[:LIST_LIMIT]
    return digest


def unsubscribe_token(secret_key: str, user_id: int) -> str:
    return URLSafeSerializer(secret_key, salt="digest-unsubscribe").dumps(user_id)


def user_id_from_token(secret_key: str, token: str) -> int | None:
    try:
        value = URLSafeSerializer(secret_key, salt="digest-unsubscribe").loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def render(digest: Digest, settings: Settings, secret_key: str) -> NewMessage | None:
    """The message for a digest, or None when the week was empty and the user wants nothing then."""
    user = digest.user
    label = week_label(digest.week)  # the outbox key's; people read the days (period_words)
    unsubscribe = f"{settings.base_url}/unsubscribe/{unsubscribe_token(secret_key, user.id)}"
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": "Weekly status digest <digest.eu-tracker>",
    }
    envelope = dict(
        key=f"digest:{user.id}:{label}", kind="digest", user_id=user.id, recipient=user.email, headers=headers
    )
    with force_locale(user.language or "nl"):
        words = period_words(digest.week, settings, user.language or "nl")
        return _render(digest, envelope, words, unsubscribe, settings)


def _render(
    digest: Digest, envelope: dict[str, Any], label: str, unsubscribe: str, settings: Settings
) -> NewMessage | None:
    if digest.empty:
        if digest.user.digest_when_empty != "notice":
            return None
        text = (
            _("Niets gewijzigd en niets te doen in %(scope)s (%(week)s).", scope=digest.scope, week=label)
            + f"\n\n{_('Afmelden')}: {unsubscribe}\n"
        )
        subject = _("Weekoverzicht %(week)s: niets gewijzigd", week=label)
        return NewMessage(**envelope, subject=f"{SUBJECT_TAG} {subject}", body_text=text)
    language = digest.user.language or "nl"
    context = dict(
        d=digest, label=label, base=settings.base_url, unsubscribe=unsubscribe,
        shown=lambda value: format_pdate(value, language),
    )
    counts = ", ".join((
        ngettext("%(num)d wijziging", "%(num)d wijzigingen", len(digest.changes)),
        ngettext("%(num)d termijn in de komende 8 weken", "%(num)d termijnen in de komende 8 weken",
                 len(digest.upcoming)),
        ngettext("%(num)d termijn verlopen", "%(num)d termijnen verlopen", len(digest.overdue)),
    ))
    subject = _("Weekoverzicht %(week)s: %(counts)s", week=label, counts=counts)
    return NewMessage(
        **envelope,
        subject=f"{SUBJECT_TAG} {subject}",
        body_text=render_template("emails/digest.txt", **context),
        body_html=render_template("emails/digest.html", **context),
    )


def queue_digests(
    session: Session, settings: Settings, secret_key: str, *, now: dt.datetime, week: tuple[int, int] | None = None
) -> int:
    """Queue this week's digest for every subscribed user who has none yet; return how many were queued."""
    week = week or current_week(now, settings)
    if week is None:
        return 0
    label = week_label(week)
    # Only recipients without this week's marker: a digest queued, or skipped as empty, is not built again.
    marker = literal("digest:") + cast(User.id, String) + literal(f":{label}")
    users = list(
        session.scalars(
            select(User).where(
                User.active.is_(True),
                User.digest_enabled.is_(True),
                ~exists().where(NotifyMark.key == marker),
            )
        )
    )
    # Digests queued before markers existed are in the outbox under the same key.
    done = existing_keys(session, [f"digest:{u.id}:{label}" for u in users])
    todo = [u for u in users if f"digest:{u.id}:{label}" not in done]
    messages = []
    for user in todo:
        message = render(build_digest(session, user, week, settings), settings, secret_key)
        if message is not None:
            messages.append(message)
    marks.take(session, [f"digest:{u.id}:{label}" for u in users], now=now)
    return enqueue(session, messages, now=now)
