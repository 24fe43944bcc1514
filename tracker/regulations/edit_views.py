"""Editing in the browser: stage moves, regulations, and their deadlines, designations and evaluations.

Every route checks the permission for the record on the server, checks the version the form was opened with, and
either commits the whole change with its audit rows or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import Role, Team
from tracker.auth.permissions import can_create, can_edit_team
from tracker.auth.views import current_actor
from tracker.clock import get_clock
from tracker.db import get_session
from tracker.regulations import editing
from tracker.regulations.forms import (
    ITEM_FORMS,
    DeleteForm,
    MoveStageForm,
    NewRegulationForm,
    RegulationForm,
    form_values,
    move_from_form,
)
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation
from tracker.regulations.queries import regulation_by_key
from tracker.regulations.stages import (
    EffectiveDateBeforePreviousError,
    EffectiveDateInFutureError,
    EffectiveDateUnknownError,
    ReasonRequiredError,
    StageError,
)

bp = Blueprint("edit", __name__)
ITEM_MODELS: dict[str, type] = {"deadlines": Deadline, "designations": Designation, "evaluations": Evaluation}
Rendered = str | Response | tuple[str, int]


def _regulation(key: str) -> Regulation:
    reg = regulation_by_key(get_session(), key)
    if reg is None:
        abort(404, description=f"No regulation with short name {key!r}.")
    return reg


def _editable(key: str) -> Regulation:
    reg = _regulation(key)
    if not can_edit_team(current_user, reg.team_id):
        abort(403, description=f"You may not change {reg.key}: it belongs to another team, or your role is viewer.")
    return reg


def _team_choices() -> list[SelectChoice]:
    teams = get_session().scalars(select(Team).order_by(Team.key)).all()
    if current_user.role is not Role.ADMIN:
        teams = [t for t in teams if t.id in current_user.team_ids]
    return [SelectChoice(t.id, f"{t.key} - {t.name}") for t in teams]


def _save(work: Callable[[], Any], form: Any, render: Callable[[int], Rendered]) -> Rendered | None:
    """Run `work` and commit; on a conflict or refused input roll back and re-render with the message."""
    db = get_session()
    try:
        work()
        db.commit()
        return None
    except (editing.ConflictError, StaleDataError) as exc:
        db.rollback()
        message = str(exc) if isinstance(exc, editing.ConflictError) else str(editing.ConflictError("record"))
        form.form_errors.append(message)
        return render(409)
    except (editing.DuplicateError, IntegrityError) as exc:
        db.rollback()
        form.form_errors.append(
            str(exc)
            if isinstance(exc, editing.DuplicateError)
            else "This conflicts with a record saved at the same moment; nothing was saved."
        )
        return render(409)


# -- stage moves ---------------------------------------------------------------------------------
STAGE_ERROR_FIELD = {
    ReasonRequiredError: "reason",
    EffectiveDateInFutureError: "effective",
    EffectiveDateBeforePreviousError: "effective",
    EffectiveDateUnknownError: "effective",
}


@bp.post("/regulations/<key>/stage")
def move(key: str) -> Rendered:
    reg = _editable(key)
    form = MoveStageForm()

    def render(status: int) -> tuple[str, int]:
        from tracker.regulations.views import render_detail

        return render_detail(reg.key, move_form=form), status

    if not form.validate_on_submit():
        return render(400)
    try:
        result = _save(
            lambda: move_from_form(
                get_session(), reg, form, actor=current_actor(), now=get_clock().now(), today=get_clock().today()
            ),
            form,
            render,
        )
    except StageError as exc:
        get_session().rollback()
        getattr(form, STAGE_ERROR_FIELD.get(type(exc), "to_stage")).errors.append(str(exc))
        return render(400)
    if result is not None:
        return result
    flash(f"{reg.key}: fase gewijzigd / stage moved.")
    return redirect(url_for("regulations.detail", key=reg.key) + "#history")


# -- regulations ---------------------------------------------------------------------------------
@bp.route("/regulations/new", methods=["GET", "POST"])
def new_regulation() -> Rendered:
    if not can_create(current_user):
        abort(403, description="Only editors and admins create regulations.")
    form = NewRegulationForm()
    form.team_id.choices = _team_choices()

    def render(status: int) -> tuple[str, int]:
        return render_template("regulations/edit.html", form=form, reg=None), status

    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    key = form.key.data.strip()
    result = _save(
        lambda: editing.create_regulation(
            get_session(), key, form_values(form), actor=current_actor(), now=get_clock().now()
        ),
        form,
        render,
    )
    if result is not None:
        return result
    return redirect(url_for("regulations.detail", key=key))


@bp.route("/regulations/<key>/edit", methods=["GET", "POST"])
def edit_regulation(key: str) -> Rendered:
    reg = _editable(key)
    form = RegulationForm(obj=reg)
    form.team_id.choices = _team_choices()
    if reg.team_id not in {c.value for c in form.team_id.choices}:
        form.team_id.choices.insert(0, SelectChoice(reg.team_id, reg.team.key))
    if not form.is_submitted():
        form.version.data = str(reg.version)

    def render(status: int) -> tuple[str, int]:
        return render_template("regulations/edit.html", form=form, reg=reg), status

    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    if form.team_id.data != reg.team_id and not can_edit_team(current_user, form.team_id.data):
        form.team_id.errors.append("You can only hand a regulation to one of your own teams.")
        return render(403)
    result = _save(
        lambda: editing.update_regulation(
            get_session(),
            reg,
            form_values(form),
            expected_version=form.expected_version,
            actor=current_actor(),
            now=get_clock().now(),
        ),
        form,
        render,
    )
    if result is not None:
        return result
    flash(f"{reg.key}: opgeslagen / saved.")
    return redirect(url_for("regulations.detail", key=reg.key))


# -- deadlines, designations, evaluations -------------------------------------------------------------
def _item_form(kind: str, obj: Any = None) -> Any:
    if kind not in ITEM_FORMS:
        abort(404, description=f"{kind!r} is not a kind of item (deadlines, designations, evaluations).")
    form = ITEM_FORMS[kind](obj=obj)
    if kind == "designations":
        authorities = get_session().scalars(select(Authority).order_by(Authority.key)).all()
        form.authority_id.choices = [SelectChoice(a.id, f"{a.key} - {a.name}") for a in authorities]
    return form


def _item(reg: Regulation, kind: str, item_id: int) -> Any:
    item = get_session().get(ITEM_MODELS[kind], item_id)
    if item is None or item.regulation_id != reg.id:
        abort(404, description=f"No such {kind[:-1]} on {reg.key}.")
    return item


@bp.route("/regulations/<key>/<kind>/new", methods=["GET", "POST"])
@bp.route("/regulations/<key>/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(key: str, kind: str, item_id: int | None = None) -> Rendered:
    reg = _editable(key)
    form = _item_form(kind)
    item = _item(reg, kind, item_id) if item_id is not None else None
    if item is not None and not form.is_submitted():
        form = _item_form(kind, obj=item)
        form.version.data = str(item.version)
    elif item is None and not form.is_submitted():
        form.version.data = "0"

    def render(status: int) -> tuple[str, int]:
        return render_template("regulations/item_edit.html", form=form, reg=reg, kind=kind, item=item), status

    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    values = form_values(form)
    now = get_clock().now()

    def work() -> Any:
        if item is None:
            return editing.create_item(get_session(), ITEM_MODELS[kind], reg, values, actor=current_actor(), now=now)
        return editing.update_item(
            get_session(), item, values, expected_version=form.expected_version, actor=current_actor(), now=now
        )

    result = _save(work, form, render)
    if result is not None:
        return result
    flash("Opgeslagen / saved.")
    return redirect(url_for("regulations.detail", key=reg.key) + f"#{kind}")


@bp.post("/regulations/<key>/<kind>/<int:item_id>/delete")
def delete_item(key: str, kind: str, item_id: int) -> Rendered:
    reg = _editable(key)
    if kind not in ITEM_MODELS:
        abort(404, description=f"{kind!r} is not a kind of item.")
    item = _item(reg, kind, item_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400, description="The delete request was incomplete or expired; reload the page and try again.")

    def render(status: int) -> tuple[str, int]:
        abort(409, description=form.form_errors[-1])

    result = _save(
        lambda: editing.delete_item(
            get_session(), item, expected_version=form.expected_version, actor=current_actor(), now=get_clock().now()
        ),
        form,
        render,
    )
    if result is not None:
        return result
    flash("Verwijderd / deleted.")
    return redirect(url_for("regulations.detail", key=reg.key) + f"#{kind}")
