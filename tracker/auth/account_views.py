"""A user's own account: change the password, choose one through a reset link, see and end their sessions."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.audit.record import Actor
from tracker.auth import passwords, sessions, throttle
from tracker.auth.commands import ChangeOwnPassword, EndOtherSessions, EndSession, UseResetLink
from tracker.auth.current import current_actor
from tracker.auth.forms import ChangePasswordForm, NewPasswordForm
from tracker.auth.models import User
from tracker.auth.navigation import max_session_age, safe_next
from tracker.clock import get_clock
from tracker.db import get_session
from tracker.errors import Refused
from tracker.refusals import on_form
from tracker.unit_of_work import run_and_commit

bp = Blueprint("account", __name__)


def _user() -> User:
    return current_user._get_current_object()


@bp.route("/settings/password", methods=["GET", "POST"])
def change_password() -> str | Response | tuple[str, int]:
    form = ChangePasswordForm()
    throttled = False
    if form.validate_on_submit() and not (throttled := not _current_password_may_be_checked(form)):
        # Never after someone else set the password: the choice is not offered, and its tokens are revoked already.
        keep = bool(form.keep_api_tokens.data) and not current_user.must_change_password
        command = ChangeOwnPassword(cast(str, form.current.data), cast(str, form.new.data),
                                    keep_token=current_user.get_id(), keep_api_tokens=keep)
        try:
            ended = run_and_commit(get_session(), command, current_actor(), get_clock())
        except Refused as exc:
            on_form(form, exc)
        else:
            flash(ngettext("Wachtwoord gewijzigd; %(num)d andere sessie beëindigd.",
                           "Wachtwoord gewijzigd; %(num)d andere sessies beëindigd.", ended))
            return redirect(safe_next(request.args.get("next")))
    status = 429 if throttled else 400 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password), status


def _current_password_may_be_checked(form: ChangePasswordForm) -> bool:
    """Take this check's slot on the account's counter and commit it before the check, as a login does, so parallel
    guesses are counted exactly; when the counter is full, say how long to wait and check nothing."""
    db, now = get_session(), get_clock().now()
    blocked = throttle.reserve(db, throttle.current_password_key(current_user.id), throttle.ACCOUNT_FREE, now)
    db.commit()
    if blocked is None:
        return True
    form.current.errors = [_("Te veel pogingen: wacht %(seconds)d seconden en probeer het opnieuw.",
                             seconds=blocked.wait_seconds(now))]
    return False


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    """The one-time link from an admin's reset: works without a login, once, until it expires."""
    db = get_session()
    now = get_clock().now()
    if len(token) > 100 or passwords.find_reset(db, token, now=now) is None:
        abort(404, description=str(passwords.LINK_GONE))
    form = NewPasswordForm()
    if form.validate_on_submit():
        # The link is the permission: whoever holds it acts for its owner (the audit row names the owner).
        try:
            command = UseResetLink(token, cast(str, form.new.data))
            run_and_commit(db, command, Actor("reset-link", address=request.remote_addr), get_clock())
        except Refused as exc:
            on_form(form, exc)
        else:
            flash(_("Wachtwoord ingesteld; log nu in."))
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 400 if form.is_submitted() else 200


@bp.get("/settings/sessions")
def list_sessions() -> str:
    db = get_session()
    mine = sessions.current_row(db, current_user.get_id())
    rows = sessions.live_sessions(db, _user(), now=get_clock().now(), max_age=max_session_age())
    return render_template(
        "auth/sessions.html", rows=rows, current_id=mine.id if mine else None, max_age=max_session_age(),
        idle=sessions.IDLE,
    )


@bp.post("/settings/sessions/<int:session_id>/end")
def end_session(session_id: int) -> Response:
    db = get_session()
    mine = sessions.current_row(db, current_user.get_id())
    run_and_commit(db, EndSession(session_id), current_actor(), get_clock())
    if mine is not None and mine.id == session_id:
        flash(_("U bent uitgelogd."))
        return redirect(url_for("auth.login"))
    flash(_("Sessie beëindigd."))
    return redirect(url_for("account.list_sessions"))


@bp.route("/settings/sessions/end-others", methods=["GET", "POST"])
def end_others() -> str | Response:
    """Ending every other session logs the user out elsewhere at once: GET asks first, POST does it."""
    if request.method == "GET":
        return render_template(
            "confirm.html",
            heading=_("Alle andere sessies beëindigen?"),
            explanation=_("U wordt dan op al uw andere apparaten en browsers uitgelogd; deze sessie blijft."),
            confirm_label=_("Ja, alle andere beëindigen"),
            back_url=url_for("account.list_sessions"),
        )
    ended = run_and_commit(get_session(), EndOtherSessions(current_user.get_id()), current_actor(), get_clock())
    flash(ngettext("%(num)d andere sessie beëindigd.", "%(num)d andere sessies beëindigd.", ended))
    return redirect(url_for("account.list_sessions"))
