"""Admin pages: users (create, role, teams, deactivate), teams, and the whole audit trail."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from tracker.audit.models import AuditEvent
from tracker.audit.record import record
from tracker.auth import service
from tracker.auth.current import current_actor
from tracker.auth.models import Role, Team, User
from tracker.auth.permissions import is_admin
from tracker.clock import get_clock
from tracker.config import parse_days
from tracker.db import get_session

bp = Blueprint("admin", __name__, url_prefix="/admin")
ROLE_CHOICES = [SelectChoice(r.value, r.value) for r in Role]
AUDIT_PAGE = 100


@bp.before_request
def _admins_only() -> None:
    if not is_admin(current_user):
        abort(403, description="Only admins manage users and teams.")


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Naam / name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Rol / role", choices=ROLE_CHOICES)
    teams = SelectMultipleField("Teams")
    password = StringField(
        "Wachtwoord / password (empty: generate a one-time password)",
        validators=[Optional(), Length(min=service.MIN_PASSWORD, max=1000)],
    )


class UserUpdateForm(FlaskForm):
    role = SelectField("Rol / role", choices=ROLE_CHOICES)
    teams = SelectMultipleField("Teams")
    active = BooleanField("Actief / active")


def _valid_days(form: FlaskForm, field: StringField) -> None:
    if (field.data or "").strip():
        try:
            parse_days(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class TeamRemindersForm(FlaskForm):
    reminder_days = StringField("Herinneringen (dagen vooraf) / reminder lead times", validators=[_valid_days])


class TeamForm(FlaskForm):
    key = StringField(
        "Afkorting / key",
        validators=[DataRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9_\-]+$", message="letters, digits, - and _")],
    )
    name = StringField("Naam / name", validators=[DataRequired(), Length(max=200)])


def _team_choices() -> list[SelectChoice]:
    return [SelectChoice(t.key, t.key) for t in get_session().scalars(select(Team).order_by(Team.key))]


def _render_users(form: UserForm, status: int = 200, generated: str | None = None) -> tuple[str, int]:
    users = get_session().scalars(select(User).order_by(User.email)).all()
    update_forms = {}
    for u in users:
        f = UserUpdateForm(formdata=None, role=u.role.value, teams=[t.key for t in u.teams], active=u.active)
        f.teams.choices = form.teams.choices
        update_forms[u.id] = f
    return render_template(
        "admin/users.html",
        form=form,
        users=users,
        update_forms=update_forms,
        generated=generated,
        team_form=TeamForm(formdata=None),
    ), status


@bp.route("/users", methods=["GET", "POST"])
def users() -> tuple[str, int]:
    form = UserForm()
    form.teams.choices = _team_choices()
    if not form.validate_on_submit():
        return _render_users(form, 400 if form.is_submitted() else 200)
    db = get_session()
    password = form.password.data or secrets.token_urlsafe(12)
    try:
        user = service.create_user(
            db,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            teams=list(form.teams.data or []),
            password=password,
            actor=current_actor(),
            now=get_clock().now(),
        )
    except service.AccountError as exc:
        db.rollback()
        form.email.errors.append(str(exc))
        return _render_users(form, 400)
    db.commit()
    return _render_users(
        UserForm(formdata=None), 200, generated=None if form.password.data else f"{user.email}: {password}"
    )


@bp.post("/users/<int:user_id>")
def update_user(user_id: int) -> Response | tuple[str, int]:
    db = get_session()
    user = db.get(User, user_id)
    if user is None:
        abort(404, description="No such user.")
    form = UserUpdateForm()
    form.teams.choices = _team_choices()
    if not form.validate_on_submit():
        abort(400, description="; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()) or "invalid form")
    if user.id == current_user.id and (form.role.data != Role.ADMIN.value or not form.active.data):
        abort(400, description="You cannot remove your own admin role or deactivate yourself.")
    now, actor = get_clock().now(), current_actor()
    service.set_role(db, user, form.role.data, actor=actor, now=now)
    new_teams = sorted(form.teams.data or [])
    old_teams = sorted(t.key for t in user.teams)
    if new_teams != old_teams:
        user.teams = service.teams_by_key(db, new_teams)
        record(db, actor, now, "user.teams", target=user, label=user.email, changes={"teams": [old_teams, new_teams]})
    if not form.active.data:
        service.deactivate(db, user, actor=actor, now=now)
    elif not user.active:
        user.active = True
        record(db, actor, now, "user.activate", target=user, label=user.email, changes={"active": [False, True]})
    db.commit()
    flash(f"{user.email}: opgeslagen / saved.")
    return redirect(url_for("admin.users"))


@bp.post("/teams")
def create_team() -> Response | tuple[str, int]:
    form = TeamForm()
    db = get_session()
    if not form.validate_on_submit():
        abort(400, description="; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()))
    if db.scalar(select(Team.id).where(Team.key == form.key.data)) is not None:
        abort(409, description=f"A team with key {form.key.data!r} exists already.")
    team = Team(key=form.key.data, name=form.name.data)
    db.add(team)
    db.flush()
    record(
        db,
        current_actor(),
        get_clock().now(),
        "team.create",
        target=team,
        label=team.key,
        changes={"name": [None, team.name]},
    )
    db.commit()
    flash(f"Team {team.key} aangemaakt / created.")
    return redirect(url_for("admin.users"))


@bp.post("/teams/<key>/reminders")
def team_reminders(key: str) -> Response:
    """A team's reminder lead times (empty: the tracker's default); members without their own use these."""
    db = get_session()
    team = db.scalars(select(Team).where(Team.key == key)).first()
    if team is None:
        abort(404, description=f"No team {key!r}.")
    form = TeamRemindersForm()
    if not form.validate_on_submit():
        abort(400, description="; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()))
    raw = (form.reminder_days.data or "").strip()
    new = ",".join(map(str, parse_days(raw))) if raw else None
    if new != team.reminder_days:
        record(
            db,
            current_actor(),
            get_clock().now(),
            "team.reminders",
            target=team,
            label=team.key,
            changes={"reminder_days": [team.reminder_days, new]},
        )
        team.reminder_days = new
    db.commit()
    flash(f"{team.key}: herinneringen opgeslagen / reminder lead times saved.")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
def audit() -> str:
    raw = request.args.get("before", "").strip()
    if raw and (not raw.isdigit() or len(raw) > 12):
        abort(400, description="before: must be an event number")
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)
    if raw:
        query = query.where(AuditEvent.id < int(raw))
    events = get_session().scalars(query).all()
    older = events[-1].id if len(events) == AUDIT_PAGE else None
    return render_template("admin/audit.html", events=events, older=older)
