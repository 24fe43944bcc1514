"""Users create and revoke their personal API tokens in the browser."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tracker.api.common import TOKEN_DAY_CHOICES, TOKEN_DAYS
from tracker.api.models import ApiToken
from tracker.api.tokens import CreateApiToken, RevokeApiToken
from tracker.auth.current import current_actor
from tracker.clock import get_clock
from tracker.commands import run
from tracker.db import get_session
from tracker.errors import Refused, form_errors

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField("Naam / name", validators=[DataRequired(), Length(max=100)])
    days = SelectField(
        "Geldig / valid for",
        choices=[SelectChoice(str(d), f"{d} dagen / days") for d in TOKEN_DAY_CHOICES],
        default=str(TOKEN_DAYS),
    )


def _render(form: TokenForm, new_token: str | None = None, status: int = 200) -> tuple[str, int]:
    rows = (
        get_session()
        .scalars(select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc()))
        .all()
    )
    now = get_clock().now()
    return render_template("api/tokens.html", form=form, tokens=rows, new_token=new_token, now=now), status


@bp.route("/settings/tokens", methods=["GET", "POST"])
def tokens() -> tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form, status=400 if form.is_submitted() else 200)
    try:
        command = CreateApiToken(current_user.email, form.name.data, int(form.days.data))
        _, token = run(get_session(), command, current_actor(), get_clock())
    except Refused as exc:
        form_errors(form, exc)
        return _render(form, status=400)
    return _render(TokenForm(formdata=None), new_token=token)


@bp.post("/settings/tokens/<int:token_id>/revoke")
def revoke(token_id: int) -> Response:
    row = get_session().get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:  # this page manages only the user's own tokens
        abort(404, description="No such token.")
    run(get_session(), RevokeApiToken(token_id), current_actor(), get_clock())
    flash("Token ingetrokken / revoked.")
    return redirect(url_for("tokens.tokens"))
