"""Admin pages: users (create, role, teams, deactivate), teams, and the whole audit trail."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from tracker.audit.models import AuditEvent
from tracker.auth import passwords, service
from tracker.auth.commands import CreateTeam, CreateUser, SetTeamReminders, UpdateUser
from tracker.auth.current import current_actor
from tracker.auth.mail_hook import queue_mail, reset_mail
from tracker.auth.models import Role, Team, User
from tracker.auth.permissions import is_admin
from tracker.clock import get_clock
from tracker.commands import run
from tracker.config import parse_days
from tracker.db import get_session
from tracker.errors import Refused, form_errors
from tracker.parsing import MAX_ID, whole_number

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
    password = PasswordField(
        "Wachtwoord / password (empty: generate a one-time password; the user changes it at first login)",
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
        reset_form=ResetForm(formdata=None),
    ), status


@bp.route("/users", methods=["GET", "POST"])
def users() -> tuple[str, int]:
    form = UserForm()
    form.teams.choices = _team_choices()
    if not form.validate_on_submit():
        return _render_users(form, 400 if form.is_submitted() else 200)
    password = form.password.data or secrets.token_urlsafe(12)
    command = CreateUser(
        form.email.data, form.name.data, form.role.data, tuple(form.teams.data or ()), password, must_change=True
    )
    try:
        user = run(get_session(), command, current_actor(), get_clock())
    except Refused as exc:
        form_errors(form, exc)
        return _render_users(form, exc.status if exc.status in (403, 409) else 400)
    return _render_users(
        UserForm(formdata=None), 200, generated=None if form.password.data else f"{user.email}: {password}"
    )


def _execute(command: object) -> None:
    """Run an admin command from a one-line form; a refusal is the error page it names."""
    try:
        run(get_session(), command, current_actor(), get_clock())
    except Refused as exc:
        abort(exc.status if exc.status != 422 else 400, description="; ".join(m for _, m in exc.errors))


def _form_or_400(form: FlaskForm) -> None:
    if not form.validate_on_submit():
        abort(400, description="; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items()) or "invalid form")


@bp.post("/users/<int:user_id>")
def update_user(user_id: int) -> Response | tuple[str, int]:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404, description="No such user.")
    form = UserUpdateForm()
    form.teams.choices = _team_choices()
    _form_or_400(form)
    _execute(UpdateUser(user.email, form.role.data, tuple(form.teams.data or ()), bool(form.active.data)))
    flash(f"{user.email}: opgeslagen / saved.")
    return redirect(url_for("admin.users"))


class ResetForm(FlaskForm):
    reset_email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])


@bp.post("/users/reset")
def send_reset() -> Response:
    """A one-time link to choose a new password, mailed to the user through the outbox; the old password keeps
    working until the link is used (a typo in an admin's click locks nobody out)."""
    form = ResetForm()
    _form_or_400(form)
    db = get_session()
    user = service.find_user(db, form.reset_email.data)
    if user is None:
        abort(404, description=f"No user {form.reset_email.data.strip().lower()}.")
    now = get_clock().now()
    try:
        row, token = passwords.create_reset(db, user, actor=current_actor(), now=now)
    except Refused as exc:
        abort(400, description="; ".join(m for _, m in exc.errors))
    queue_mail(db, reset_mail(user, token, row.expires_at, current_app.config["TRACKER"]), now)
    db.commit()
    flash(f"{user.email}: reset-link verstuurd / reset link sent (valid until {row.expires_at:%Y-%m-%d %H:%M} UTC).")
    return redirect(url_for("admin.users"))


@bp.post("/teams")
def create_team() -> Response | tuple[str, int]:
    form = TeamForm()
    _form_or_400(form)
    _execute(CreateTeam(form.key.data, form.name.data))
    flash(f"Team {form.key.data} aangemaakt / created.")
    return redirect(url_for("admin.users"))


@bp.post("/teams/<key>/reminders")
def team_reminders(key: str) -> Response:
    """A team's reminder lead times (empty: the tracker's default); members without their own use these."""
    form = TeamRemindersForm()
    _form_or_400(form)
    _execute(SetTeamReminders(key, form.reminder_days.data))
    flash(f"{key}: herinneringen opgeslagen / reminder lead times saved.")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
def audit() -> str:
    raw = request.args.get("before", "").strip()
    try:
        before = whole_number(raw, 1, MAX_ID) if raw else None
    except ValueError as exc:
        abort(400, description=f"before: an event number, {exc}")
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    events = get_session().scalars(query).all()
    older = events[-1].id if len(events) == AUDIT_PAGE else None
    return render_template("admin/audit.html", events=events, older=older)
