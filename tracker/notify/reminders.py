"""The reminder sweep: what is due and not yet queued? Idempotent, so it can run as often as anyone likes.

Rules (one place, documented in the README):
- An open deadline (not met) or open evaluation (not done) with a known date gets reminders at the recipient's lead
  times (the user's own, else their team's: the owning team if they are in it, else their first team with lead
  times of its own; else the default 90, 30, 7, 1 days), counted from the first day of its period.
- A sweep queues only the latest lead time that has been reached: after downtime the recipient gets one reminder
  that is still relevant, not a burst of stale ones.
- Once the date has passed, one "overdue" notice, if it passed at most OVERDUE_WINDOW days ago (older overdue items
  are on the board and in the digest, not in new mail).
- Recipients: the active members of the owning team and everyone who follows the regulation.
- The key is item + recipient + lead time + due date: a moved date gets reminders for its new date; nothing is queued
  twice (a marker per key, written with the mail).
- Several reminders due for one person in one sweep go out as one mail that lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from flask import render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.auth.models import Team, User, user_teams
from tracker.config import Settings, parse_days
from tracker.content import short_name, text_in
from tracker.date_words import format_pdate
from tracker.dates import PrecisionDate
from tracker.notify import marks
from tracker.notify.models import Follow
from tracker.notify.outbox import NewMessage, enqueue, existing_keys
from tracker.regulations.models import Deadline, Evaluation, EvaluationStatus, Regulation

OVERDUE_WINDOW = 14


@dataclass(frozen=True)
class DueItem:
    kind: str  # "deadline" | "evaluation"
    id: int
    title: str
    due: PrecisionDate
    due_on: dt.date
    regulation: Regulation | None
    team_id: int | None
    title_en: str | None = None  # the title's English, for a recipient who reads English


def _leads(text: str | None) -> tuple[int, ...] | None:
    try:
        return parse_days(text) if text else None
    except ValueError:
        return None


def lead_key(due_on: dt.date, today: dt.date, leads: Iterable[int], end_on: dt.date | None = None) -> str | None:
    """Which reminder is due today for a date: the smallest reached lead time, "overdue", or None.

    Reminders count from the first day (`due_on`); a range ("2023-Q4 .. 2024") is overdue only after `end_on`.
    """
    last = max(due_on, end_on or due_on)
    if today > last:
        return "overdue" if (today - last).days <= OVERDUE_WINDOW else None
    if today > due_on:
        return None  # within a range: its reminders came before it began
    reached = [lead for lead in leads if today >= due_on - dt.timedelta(days=lead)]
    return str(min(reached)) if reached else None


def lead_times(user: User, user_teams: list[Team], owner_id: int | None, settings: Settings) -> tuple[int, ...]:
    """A recipient's lead times: their own; else the owning team's if they are in it; else their first team's
    (by key) that has its own; else the tracker's default. A follower outside the owning team keeps their own."""
    own = _leads(user.reminder_days)
    if own:
        return own
    ordered = sorted(user_teams, key=lambda t: (t.id != owner_id, t.key))
    for team in ordered:
        if (team_leads := _leads(team.reminder_days)) is not None:
            return team_leads
    return settings.reminder_days


def due_items(session: Session, today: dt.date, horizon_days: int) -> list[DueItem]:
    """Open items whose date lies in [today - OVERDUE_WINDOW, today + horizon]: two indexed range queries."""
    low, high = today - dt.timedelta(days=OVERDUE_WINDOW), today + dt.timedelta(days=horizon_days)
    items: list[DueItem] = []
    for d, reg in session.execute(
        select(Deadline, Regulation)
        .join(Regulation, Deadline.regulation_id == Regulation.id)
        .where(
            or_(Deadline.due_on.between(low, high), Deadline.due_until.between(low, high)), Deadline.met_on.is_(None)
        )
    ):
        due_on = cast(dt.date, d.due_on)  # in the range queried, so known
        items.append(DueItem("deadline", d.id, d.title, d.due, due_on, reg, reg.team_id, d.title_en))
    for e, reg in session.execute(
        select(Evaluation, Regulation)
        .outerjoin(Regulation, Evaluation.regulation_id == Regulation.id)
        .where(
            or_(Evaluation.due_on.between(low, high), Evaluation.due_until.between(low, high)),
            Evaluation.status != EvaluationStatus.DONE,
        )
    ):
        due_on = cast(dt.date, e.due_on)  # in the range queried, so known
        team_id = reg.team_id if reg else e.team_id
        items.append(DueItem("evaluation", e.id, e.subject, e.due, due_on, reg, team_id, e.subject_en))
    return items


@dataclass(frozen=True)
class SweepResult:
    swept: int  # open items with a date inside the reminder window
    queued: int  # reminders queued by this sweep


def sweep(session: Session, settings: Settings, *, now: dt.datetime) -> SweepResult:
    """Queue every reminder that is due and not yet queued; say how many items were looked at and queued."""
    today = now.astimezone(settings.tz).date()
    teams = {t.id: t for t in session.scalars(select(Team))}
    users = {u.id: u for u in session.scalars(select(User).where(User.active.is_(True)))}
    holders: list[Team | User] = [*teams.values(), *users.values()]
    horizon = max([*settings.reminder_days, *(max(_leads(x.reminder_days) or (0,)) for x in holders)])
    items = due_items(session, today, horizon)
    if not items:
        return SweepResult(0, 0)
    members: dict[int, set[int]] = defaultdict(set)
    teams_of: dict[int, list[Team]] = defaultdict(list)
    for user_id, team_id in session.execute(select(user_teams.c.user_id, user_teams.c.team_id)):
        if user_id in users:
            members[team_id].add(user_id)
            teams_of[user_id].append(teams[team_id])
    reg_ids = {i.regulation.id for i in items if i.regulation}
    followers: dict[int, set[int]] = defaultdict(set)
    for f in session.scalars(select(Follow).where(Follow.regulation_id.in_(reg_ids))):
        if f.user_id in users:
            followers[f.regulation_id].add(f.user_id)

    wanted: dict[str, tuple[DueItem, User, str]] = {}
    for item in items:
        recipients = set(members.get(item.team_id, set())) if item.team_id else set()
        if item.regulation:
            recipients |= followers.get(item.regulation.id, set())
        for user_id in recipients:
            user = users[user_id]
            leads = lead_times(user, teams_of[user_id], item.team_id, settings)
            lead = lead_key(item.due_on, today, leads, item.due.end_day)
            if lead is not None:
                key = f"reminder:{item.kind}:{item.id}:{user.id}:{lead}:{item.due_on.isoformat()}"
                wanted[key] = (item, user, lead)
    # Reminders queued one per mail before markers existed are in the outbox under their own key.
    fresh = sorted(set(wanted) - existing_keys(session, list(wanted)))
    ours = marks.take(session, fresh, now=now)
    per_user: dict[int, list[str]] = defaultdict(list)
    for key in sorted(ours):
        per_user[wanted[key][1].id].append(key)
    messages = [
        _message(keys[0], *wanted[keys[0]], today=today, base_url=settings.base_url)
        if len(keys) == 1
        else _combined(keys, [wanted[k] for k in keys], today=today, base_url=settings.base_url)
        for keys in per_user.values()
    ]
    enqueue(session, messages, now=now)
    return SweepResult(len(items), len(ours))


SUBJECT_TAG = "[EU tracker]"  # a tag people filter their mail on: the same in every language


def language_of(user: User) -> str:
    """The language of a user's mail: their choice, else Dutch."""
    return user.language or "nl"


def _when(lead: str, days: int) -> str:
    if lead == "overdue":
        return _("verlopen")
    if days == 0:
        return _("vandaag")
    if days == 1:
        return _("morgen")
    return ngettext("over %(num)d dag", "over %(num)d dagen", days)


def _context(item: DueItem, user: User, lead: str, *, today: dt.date, base_url: str) -> dict[str, object]:
    """What a reminder says about one item, in the current (the recipient's) language."""
    language = language_of(user)
    label = short_name(item.regulation, language) if item.regulation else _("Evaluatie")
    url = f"{base_url}/regulations/{item.regulation.key}" if item.regulation else f"{base_url}/"
    days = (item.due_on - today).days
    shown = text_in(item, "title", language)
    title = _("evaluatie: %(subject)s", subject=shown) if item.kind == "evaluation" else shown
    due = format_pdate(item.due, language)
    return dict(item=item, user=user, label=label, url=url, when=_when(lead, days), lead=lead, days=days,
                title=title, due=due)


def _combined(
    keys: list[str], wanted: list[tuple[DueItem, User, str]], *, today: dt.date, base_url: str
) -> NewMessage:
    """One mail for several reminders due for one person in one sweep, listing them by date."""
    user = wanted[0][1]
    with force_locale(language_of(user)):
        entries = sorted(
            (_context(item, user, lead, today=today, base_url=base_url) for item, _user, lead in wanted),
            key=lambda c: (c["item"].due_on, c["label"], c["item"].title),  # type: ignore[attr-defined]  # a DueItem
        )
        overdue = sum(1 for c in entries if c["lead"] == "overdue")
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
        context = dict(entries=entries, user=user, base_url=base_url, overdue=overdue)
        subject = ngettext("%(num)d datum om op te letten", "%(num)d data om op te letten", len(entries))
        if overdue:
            subject += ngettext(", waarvan %(num)d verlopen", ", waarvan %(num)d verlopen", overdue)
        return _reminder(f"reminders:{user.id}:{today.isoformat()}:{digest}", user, subject, "reminders", context)


def _message(key: str, item: DueItem, user: User, lead: str, *, today: dt.date, base_url: str) -> NewMessage:
    with force_locale(language_of(user)):
        context = _context(item, user, lead, today=today, base_url=base_url)
        subject = f"{context['label']}: {context['title']} - {context['when']} ({context['due']})"
        return _reminder(key, user, subject, "reminder", context)


def _reminder(key: str, user: User, subject: str, template: str, context: dict) -> NewMessage:
    """One reminder mail (one item, or several in a list) from its templates, in the reader's locale already set."""
    return NewMessage(
        key=key,
        kind="reminder",
        user_id=user.id,
        recipient=user.email,
        subject=f"{SUBJECT_TAG} {subject}",
        body_text=render_template(f"emails/{template}.txt", **context),
        body_html=render_template(f"emails/{template}.html", **context),
    )
