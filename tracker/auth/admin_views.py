"""Admin pages: users (create, role, teams, deactivate), teams, and the whole audit trail."""

from __future__ import annotations

import secrets
from typing import Any, cast

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms 3.2
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from tracker.audit.models import AuditEvent
from tracker.auth import service
from tracker.auth.commands import CreateResetLink, CreateTeam, CreateUser, RenameTeam, SetTeamReminders, UpdateUser
from tracker.auth.current import current_actor
from tracker.auth.models import Role, Team, User
from tracker.auth.names import names_by_email
from tracker.auth.permissions import is_admin
from tracker.auth.words import ROLE_WORDS
from tracker.clock import get_clock
from tracker.config import parse_days
from tracker.db import get_session
from tracker.errors import Refused
from tracker.forms_i18n import TrackerForm
from tracker.keys import KEY_MESSAGE, KEY_PATTERN, NAME_MAX, NAME_MESSAGE
from tracker.parsing import MAX_ID, whole_number
from tracker.refusals import on_form
from tracker.unit_of_work import run_and_commit

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The roles' words (tracker.auth.words), lazy: each reader sees their own language.
ROLE_CHOICES = [SelectChoice(r.value, ROLE_WORDS[r]) for r in Role]
AUDIT_PAGE = 100


@bp.before_request
def _admins_only() -> None:
    if not is_admin(current_user):
        abort(403, description=_("Alleen beheerders beheren gebruikers en teams."))


class UserForm(TrackerForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES)
    teams = SelectMultipleField(_l("Teams"))
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[Optional(), Length(min=service.MIN_PASSWORD, max=1000)],
        description=_l("Leeg: de tracker maakt een eenmalig wachtwoord; de gebruiker kiest bij de eerste keer inloggen "
                       "een eigen wachtwoord."),
    )


class UserUpdateForm(TrackerForm):
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES)
    teams = SelectMultipleField(_l("Teams"))
    active = BooleanField(_l("Actief"))


def _valid_days(form: TrackerForm, field: StringField) -> None:
    if (field.data or "").strip():
        try:
            parse_days(cast(str, field.data))  # not blank, so not None
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class TeamRemindersForm(TrackerForm):
    reminder_days = StringField(_l("Herinneringen, dagen vooraf"), validators=[_valid_days])


class TeamForm(TrackerForm):
    # Own ids: the new-user form on the same page has a field `name` too.
    key = StringField(
        _l("Afkorting"),
        validators=[DataRequired(), Regexp(KEY_PATTERN, message=KEY_MESSAGE)],
        id="team-key",
    )
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=NAME_MAX, message=NAME_MESSAGE)],
                       id="team-name")


def _team_choices() -> list[SelectChoice]:
    return [SelectChoice(t.key, t.key) for t in get_session().scalars(select(Team).order_by(Team.key))]


def _render_users(form: UserForm, status: int = 200, generated: tuple[str, str] | None = None) -> tuple[str, int]:
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
        teams=get_session().scalars(select(Team).order_by(Team.key)).all(),
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
    email, name = cast(str, form.email.data), cast(str, form.name.data)  # validated: DataRequired
    command = CreateUser(email, name, form.role.data, tuple(form.teams.data or ()), password, must_change=True)
    try:
        user = run_and_commit(get_session(), command, current_actor(), get_clock())
    except Refused as exc:
        return _render_users(form, on_form(form, exc))
    return _render_users(UserForm(formdata=None), 200, generated=None if form.password.data else (user.email, password))


def _run(command: object) -> Any:
    """Run an admin command from a one-line form; a refusal is the error page naming it (tracker.refusals)."""
    return run_and_commit(get_session(), command, current_actor(), get_clock())


def _form_or_400(form: TrackerForm) -> None:
    if not form.validate_on_submit():
        labels = {f.name: f.label.text for f in form}
        described = "; ".join(f"{labels.get(k, k)}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        abort(400, description=described or _("Het formulier is niet goed ingevuld."))


@bp.post("/users/<int:user_id>")
def update_user(user_id: int) -> Response | tuple[str, int]:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404, description=_("Deze gebruiker bestaat niet."))
    form = UserUpdateForm()
    form.teams.choices = _team_choices()
    _form_or_400(form)
    _run(UpdateUser(user.email, form.role.data, tuple(form.teams.data or ()), bool(form.active.data)))
    flash(_("%(email)s: opgeslagen.", email=user.email))
    return redirect(url_for("admin.users"))


class ResetForm(TrackerForm):
    reset_email = EmailField(_l("E-mailadres van de gebruiker"), validators=[DataRequired(), Length(max=254)])


@bp.post("/users/reset")
def send_reset() -> Response:
    """A one-time link to choose a new password, mailed to the user through the outbox; the old password keeps
    working until the link is used (a typo in an admin's click locks nobody out)."""
    form = ResetForm()
    _form_or_400(form)
    row, _token = _run(CreateResetLink(cast(str, form.reset_email.data), mail=True))
    user = row.user
    flash(_("%(email)s: herstellink verstuurd, geldig tot %(until)s.", email=user.email,
            until=current_app.jinja_env.filters["when"](row.expires_at)))
    return redirect(url_for("admin.users"))


@bp.post("/teams")
def create_team() -> Response | tuple[str, int]:
    form = TeamForm()
    _form_or_400(form)
    _run(CreateTeam(cast(str, form.key.data), cast(str, form.name.data)))
    flash(_("Team %(key)s aangemaakt.", key=form.key.data))
    return redirect(url_for("admin.users"))


class TeamNameForm(TrackerForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=NAME_MAX, message=NAME_MESSAGE)])


@bp.post("/teams/<key>/name")
def rename_team(key: str) -> Response:
    """A team's name (its key stays: it is in feed links and URLs); the service checks the name again."""
    form = TeamNameForm()
    _form_or_400(form)
    _run(RenameTeam(key, cast(str, form.name.data)))
    flash(_("%(key)s: naam opgeslagen.", key=key))
    return redirect(url_for("admin.users"))


@bp.post("/teams/<key>/reminders")
def team_reminders(key: str) -> Response:
    """A team's reminder lead times (empty: the tracker's default); members without their own use these."""
    form = TeamRemindersForm()
    _form_or_400(form)
    _run(SetTeamReminders(key, form.reminder_days.data))
    flash(_("%(key)s: herinneringen opgeslagen.", key=key))
    return redirect(url_for("admin.users"))


@bp.get("/audit")
def audit() -> str:
    raw = request.args.get("before", "").strip()
    try:
        before = whole_number(raw, 1, MAX_ID) if raw else None
    except ValueError as exc:
        abort(400, description=_("Ongeldig startpunt (before): %(error)s", error=str(exc)))
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    events = get_session().scalars(query).all()
    older = events[-1].id if len(events) == AUDIT_PAGE else None
    names = names_by_email(get_session(), {ev.actor for ev in events})
    return render_template("admin/audit.html", events=events, older=older, actor_names=names)
