"""Follow / unfollow, notification settings, one-click unsubscribe, and the admin's outbox page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms 3.2
from wtforms.validators import Optional, ValidationError

from tracker.audit.record import Actor
from tracker.auth.current import current_actor
from tracker.auth.models import User
from tracker.auth.navigation import safe_next
from tracker.auth.permissions import is_admin
from tracker.clock import get_clock
from tracker.config import LANGUAGES, parse_days
from tracker.content import short_name
from tracker.date_words import current_language
from tracker.db import get_session
from tracker.errors import Refused
from tracker.forms_i18n import TrackerForm
from tracker.hooks import add_page_context
from tracker.notify import commands
from tracker.notify.digest import user_id_from_token
from tracker.notify.models import Follow, OutboxMessage, OutboxStatus
from tracker.refusals import on_form
from tracker.regulations.models import Regulation
from tracker.unit_of_work import run_and_commit

bp = Blueprint("notify", __name__)


def _following(reg: Regulation) -> dict[str, object]:
    return {"following": get_session().get(Follow, (current_user.id, reg.id)) is not None}


bp.record_once(lambda state: add_page_context(state.app, "regulation", _following))


def _execute(command: object, actor: Actor | None = None) -> object:
    """Run a notification command as the reader (a refusal is the error page naming it: tracker.refusals)."""
    return run_and_commit(get_session(), command, actor or current_actor(), get_clock())


def _name(key: str) -> str:
    """The act's short name in the reader's language (its key only when it has none)."""
    reg = get_session().scalars(select(Regulation).where(Regulation.key == key)).first()
    return short_name(reg, current_language()) if reg is not None else key


@bp.post("/regulations/<key>/follow")
def follow(key: str) -> Response:
    _execute(commands.Follow(key))
    flash(_("U volgt nu %(key)s.", key=_name(key)))
    return redirect(url_for("regulations.detail", key=key))


@bp.post("/regulations/<key>/unfollow")
def unfollow(key: str) -> Response:
    _execute(commands.Unfollow(key))
    flash(_("U volgt %(key)s niet meer.", key=_name(key)))
    return redirect(url_for("regulations.detail", key=key))


def _valid_days(form: TrackerForm, field: StringField) -> None:
    if field.data and field.data.strip():
        try:
            parse_days(field.data)
        except ValueError:
            raise ValidationError(_("Geef tot 8 hele aantallen dagen van 0 tot 730, gescheiden door komma's, "
                                    "bijvoorbeeld 90,30,7,1.")) from None


class SettingsForm(TrackerForm):
    reminder_days = StringField(
        _l("Herinneringen, dagen vooraf"),
        validators=[Optional(), _valid_days],
        description=_l("Bijvoorbeeld 90,30,7,1. Leeg: de standaard van uw team of van de tracker."),
    )
    digest_enabled = BooleanField(_l("Weekoverzicht ontvangen"))
    digest_when_empty = SelectField(
        _l("Als er niets te melden is"),
        choices=[SelectChoice("skip", _l("geen mail")), SelectChoice("notice", _l("een mail van één regel"))],
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> str | Response | tuple[str, int]:
    user: User = current_user._get_current_object()
    form = SettingsForm(obj=user)
    if form.validate_on_submit():
        command = commands.ChangeSettings(
            reminder_days=form.reminder_days.data,
            digest_enabled=bool(form.digest_enabled.data),
            digest_when_empty=form.digest_when_empty.data,
        )
        try:
            run_and_commit(get_session(), command, current_actor(), get_clock())
        except Refused as exc:
            on_form(form, exc)
        else:
            flash(_("Opgeslagen."))
            return redirect(url_for("notify.settings"))
    followed = (
        get_session()
        .scalars(
            select(Regulation.key)
            .join(Follow, Follow.regulation_id == Regulation.id)
            .where(Follow.user_id == user.id)
            .order_by(Regulation.key)
        )
        .all()
    )
    failed = form.errors or form.form_errors
    return render_template("notify/settings.html", form=form, followed=followed), (400 if failed else 200)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> str | tuple[str, int]:
    """One-click unsubscribe from the digest (RFC 8058): works without logging in."""
    user_id = user_id_from_token(current_app.config["SECRET_KEY"], token)
    db = get_session()
    user = db.get(User, user_id) if user_id is not None else None
    if user is None:
        abort(404, description=_("Deze afmeldlink is niet (meer) geldig."))
    if request.method == "POST":
        _execute(commands.Unsubscribe(user.id), Actor(user.email, user.id, request.remote_addr))
        return render_template("notify/unsubscribed.html", user=user, done=True)
    return render_template("notify/unsubscribed.html", user=user, done=False, token=token)


@bp.get("/admin/outbox")
def outbox_page() -> str:
    if not is_admin(current_user):
        abort(403, description=_("Alleen beheerders zien de uitgaande berichten."))
    status = request.args.get("status", "").strip()
    if status and status not in {s.value for s in OutboxStatus}:
        abort(400, description=_("status: %(status)s is geen van %(known)s.", status=repr(status[:24]),
                                  known=", ".join(s.value for s in OutboxStatus)))
    db = get_session()
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
    if status:
        query = query.where(OutboxMessage.status == status)
    counts = dict(db.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template("notify/outbox.html", messages=db.scalars(query).all(), counts=counts, status=status,
                           statuses=list(OutboxStatus))


@bp.get("/admin/outbox/<int:message_id>")
def outbox_message(message_id: int) -> str:
    if not is_admin(current_user):
        abort(403, description=_("Alleen beheerders zien de uitgaande berichten."))
    message = get_session().get(OutboxMessage, message_id)
    if message is None:
        abort(404, description=_("Dit bericht bestaat niet."))
    return render_template("notify/message.html", m=message)


@bp.post("/admin/outbox/<int:message_id>/retry")
def retry(message_id: int) -> Response:
    if not is_admin(current_user):
        abort(403, description=_("Alleen beheerders kunnen berichten opnieuw versturen."))
    _execute(commands.RetryMessage(message_id))
    flash(_("Het bericht staat weer in de wachtrij."))
    return redirect(url_for("notify.outbox_page"))


@bp.post("/taal")
def choose_language() -> Response:
    """The language switch on every page: kept in the session, and with the account (audited) when someone is
    logged in, so it follows the person to another browser and into their mails."""
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            run_and_commit(get_session(), commands.ChooseLanguage(language), current_actor(), get_clock())
    return redirect(safe_next(request.form.get("next", "")), code=303)
