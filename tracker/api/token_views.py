"""Users create and revoke their personal API tokens in the browser."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.api.common import create_token, revoke_token
from tracker.api.models import ApiToken
from tracker.auth.current import current_actor
from tracker.clock import get_clock
from tracker.db import get_session

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField("Naam / name", validators=[DataRequired(), Length(max=100)])


def _render(form: TokenForm, new_token: str | None = None, status: int = 200) -> tuple[str, int]:
    rows = (
        get_session()
        .scalars(select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc()))
        .all()
    )
    return render_template("api/tokens.html", form=form, tokens=rows, new_token=new_token), status


@bp.route("/settings/tokens", methods=["GET", "POST"])
def tokens() -> tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form, status=400 if form.is_submitted() else 200)
    db = get_session()
    _, token = create_token(
        db, current_user._get_current_object(), form.name.data, actor=current_actor(), now=get_clock().now()
    )
    db.commit()
    return _render(TokenForm(formdata=None), new_token=token)


@bp.post("/settings/tokens/<int:token_id>/revoke")
def revoke(token_id: int) -> Response:
    db = get_session()
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:
        abort(404, description="No such token.")
    revoke_token(db, row, actor=current_actor(), now=get_clock().now())
    db.commit()
    flash("Token ingetrokken / revoked.")
    return redirect(url_for("tokens.tokens"))
