"""One limit per field: every text field at its maximum length, written by a user whose e-mail has the longest
length allowed, goes through create, move, sweep, digest, delivery, feed, pages, audit and export on both databases."""

from __future__ import annotations

import datetime as dt
import email

from sqlalchemy import func, select

from tests.conftest import NOW, csrf_from
from tracker.audit.record import Actor
from tracker.auth.commands import CreateUser
from tracker.auth.models import Team
from tracker.auth.permissions import actor_for
from tracker.clock import clock_of
from tracker.feeds import tokens as feed_tokens
from tracker.notify import jobs
from tracker.notify.models import OutboxMessage
from tracker.regulations.commands import CreateItem, CreateRegulation, MoveStage
from tracker.regulations.field_specs import describe
from tracker.regulations.fields import (
    DeadlineFields,
    DesignationFields,
    EvaluationFields,
    MoveStageFields,
    RegulationFields,
)
from tracker.regulations.models import Authority
from tracker.transfer import export_data
from tracker.unit_of_work import apply_in_transaction as apply_cmd

LONG_EMAIL = "e" * (254 - len("@example.nl")) + "@example.nl"


def longest(model, **given) -> dict[str, object]:
    """Every text field of `model` at its maximum length (each a different letter, to find it again)."""
    values: dict[str, object] = dict(given)
    for i, (name, spec) in enumerate(describe(model).items()):
        if spec.type == "text" and name not in values and spec.max_length and not spec.pattern:
            values[name] = chr(ord("A") + i % 26) * spec.max_length
    return values


def test_every_field_at_its_limit_goes_everywhere(mail_app, smtp):
    handler, _ = smtp
    app, db = mail_app, mail_app.extensions["tracker.db"]
    clock = clock_of(app)
    with app.app_context(), db.transaction() as s:
        s.add(Team(key="EZK", name="Economische Zaken"))
        s.flush()
        user = apply_cmd(
            s, CreateUser(LONG_EMAIL, "N" * 200, "editor", ("EZK",), "a long enough password"), Actor("test"), clock
        )
        team_id = s.scalar(select(Team.id).where(Team.key == "EZK"))
        actor = actor_for(user)
        key = "K" * 40
        apply_cmd(s, CreateRegulation(key, longest(RegulationFields, team_id=team_id, celex="3" * 30)), actor, clock)
        soon = (NOW + dt.timedelta(days=3)).date().isoformat()
        deadline = longest(DeadlineFields, kind="transposition", due=soon)
        apply_cmd(s, CreateItem(key, "deadlines", deadline), actor, clock)
        apply_cmd(
            s,
            CreateItem(key, "evaluations", longest(EvaluationFields, level="eu", status="announced", due=soon)),
            actor,
            clock,
        )
        s.add(Authority(key="A" * 40, name="X" * 300))
        s.flush()
        apply_cmd(
            s,
            CreateItem(key, "designations", longest(DesignationFields, authority="A" * 40, status="intended")),
            actor,
            clock,
        )
        apply_cmd(
            s,
            MoveStage(
                key,
                "consultation",
                "2026-11",
                **{k: v for k, v in longest(MoveStageFields).items() if k in ("note", "reference", "reason")},
            ),
            actor,
            clock,
        )
        apply_cmd(s, MoveStage(key, "in_force", "2026-11-28", reason="R" * 4000), actor, clock)
        feed = feed_tokens.ensure_token(s, user, app.config["SECRET_KEY"], now=NOW)
    # The reminder sweep, the weekly digest and delivery.
    assert jobs.run_reminders(app, NOW) == 2  # the deadline and the evaluation, three days ahead
    assert jobs.run_digests(app, dt.datetime(2026, 11, 30, 8, 30, tzinfo=dt.UTC)) == 1
    report = jobs.run_delivery(app, dt.datetime(2026, 11, 30, 8, 31, tzinfo=dt.UTC))
    assert len(handler.messages) == 2, report  # one mail lists both reminders; the digest
    mails = list(map(email.message_from_bytes, handler.messages))
    reminder = next(m for m in mails if "data om op te letten" in m["Subject"])  # Dutch: no language chosen
    assert "A" * 300 in reminder.get_payload(0).get_payload(decode=True).decode()  # the whole title, in the body
    with db.sessionmaker() as s:
        subjects = list(s.scalars(select(OutboxMessage.subject)))
        assert all(len(x) <= 300 for x in subjects)
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")) == 0
        exported = export_data(s)
    assert "A" * 300 in exported and LONG_EMAIL in exported
    # Pages, the API, the feed and the audit trail show it all without failing.
    client = app.test_client()
    response = client.get(f"/feeds/{feed}.ics")
    assert response.status_code == 200 and response.get_data(as_text=True).count("BEGIN:VEVENT") == 2
    admin_email = "admin@example.nl"
    with db.transaction() as s:
        apply_cmd(s, CreateUser(admin_email, "Admin", "admin", (), "correct horse battery staple"), Actor("t"), clock)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    assert (
        client.post(
            "/login", data={"email": admin_email, "password": "correct horse battery staple", "csrf_token": token}
        ).status_code
        == 302
    )
    for url in (
        "/",
        f"/regulations/{'K' * 40}",
        "/admin/audit",
        "/admin/outbox",
        "/export/dates.csv",
        "/export/board.csv",
        f"/regulations/{'K' * 40}/edit",
    ):
        assert client.get(url).status_code == 200, url
