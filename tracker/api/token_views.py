"""Users create and revoke their personal API tokens in the browser."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms 3.2
from wtforms.validators import DataRequired, Length

from tracker.api.common import TOKEN_DAY_CHOICES, TOKEN_DAYS
from tracker.api.models import ApiToken
from tracker.api.tokens import CreateApiToken, RevokeApiToken
from tracker.auth.current import current_actor
from tracker.clock import get_clock
from tracker.db import get_session
from tracker.errors import Refused
from tracker.forms_i18n import TrackerForm
from tracker.refusals import on_form
from tracker.unit_of_work import run_and_commit

bp = Blueprint("tokens", __name__)


class TokenForm(TrackerForm):
    name = StringField(
        _l("Naam"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Bijvoorbeeld het script dat het gebruikt."),
    )
    days = SelectField(
        _l("Geldig"),
        choices=[SelectChoice(str(d), _l("%(num)d dagen", num=d)) for d in TOKEN_DAY_CHOICES],
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
        command = CreateApiToken(current_user.email, cast(str, form.name.data), int(form.days.data))
        _, token = run_and_commit(get_session(), command, current_actor(), get_clock())
    except Refused as exc:
        return _render(form, status=on_form(form, exc))
    return _render(TokenForm(formdata=None), new_token=token)


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke(token_id: int) -> str | Response:
    """Revoking stops every script that uses the token: GET asks first on a page of its own, POST revokes."""
    row = get_session().get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id:  # this page manages only the user's own tokens
        abort(404, description=_("Dit token bestaat niet."))
    if request.method == "GET":
        return render_template(
            "confirm.html",
            heading=_("Token %(name)s intrekken?", name=row.name),
            explanation=_("Scripts en dashboards die dit token gebruiken, krijgen daarna geen toegang meer. Intrekken "
                          "kan niet ongedaan worden gemaakt."),
            confirm_label=_("Ja, intrekken"),
            back_url=url_for("tokens.tokens"),
        )
    run_and_commit(get_session(), RevokeApiToken(token_id), current_actor(), get_clock())
    flash(_("Token %(name)s ingetrokken.", name=row.name))
    return redirect(url_for("tokens.tokens"))
