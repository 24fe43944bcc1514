"""Editing in the browser: stage moves, regulations, and their deadlines, designations and evaluations.

Each route parses its form into a command and runs it (tracker.unit_of_work.run_and_commit): the service checks
the permission for the record, the fields and the version the form was opened with, and the whole change commits
with its audit rows or nothing does. A refusal comes back on the field it names (tracker.refusals.on_form).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms 3.2

from tracker.auth.current import current_actor
from tracker.auth.models import Role, Team
from tracker.auth.permissions import can_create, can_edit_team
from tracker.clock import get_clock
from tracker.content import short_name
from tracker.date_words import current_language
from tracker.db import get_session
from tracker.errors import Refused, StaleVersion
from tracker.refusals import on_form
from tracker.regulations.commands import (
    ITEM_KINDS,
    CreateItem,
    CreateRegulation,
    DeleteItem,
    MoveStage,
    UpdateItem,
    UpdateRegulation,
)
from tracker.regulations.forms import (
    ITEM_FORMS,
    DeleteForm,
    MoveStageForm,
    NewRegulationForm,
    RegulationForm,
    form_values,
)
from tracker.regulations.models import Authority, Regulation
from tracker.regulations.queries import regulation_by_key
from tracker.regulations.services import MODELS
from tracker.unit_of_work import run_and_commit

bp = Blueprint("edit", __name__)
Rendered = str | Response | tuple[str, int]


def _regulation(key: str) -> Regulation:
    reg = regulation_by_key(get_session(), key)
    if reg is None:
        abort(404, description=_("Er is geen regeling met de korte naam %(key)s.", key=repr(key[:40])))
    return reg


def _editable(key: str) -> Regulation:
    """Refuse early, before a form is shown; the service checks again for the write itself."""
    reg = _regulation(key)
    if not can_edit_team(current_user, reg.team_id):
        abort(403, description=_("U mag %(key)s niet wijzigen: de regeling hoort bij een ander team, of u bent lezer.",
                                 key=reg.key))
    return reg


def _team_choices() -> list[SelectChoice]:
    teams = get_session().scalars(select(Team).order_by(Team.key)).all()
    if current_user.role is not Role.ADMIN:
        teams = [t for t in teams if t.id in current_user.team_ids]
    return [SelectChoice(t.id, f"{t.key} - {t.name}") for t in teams]


def _run(
    command: object, form: Any, render: Callable[[int], Rendered], current: Callable[[], Any] | None = None
) -> tuple[Any, Rendered | None]:
    """Run the command; on a refusal put its errors on the form and render it with the refusal's status. When
    someone else saved first (a stale version), `current` reads what they saved: the page shows it next to the
    input, and the form now carries their version, so saving again keeps the input over theirs."""
    try:
        return run_and_commit(get_session(), command, current_actor(), get_clock()), None
    except Refused as exc:
        status = on_form(form, exc)
        if isinstance(exc, StaleVersion) and current is not None:
            get_session().expire_all()
            theirs = current()
            if theirs is not None:
                form.conflict = conflict_rows(form, theirs)
                form.version.data = str(theirs.version)
        return None, render(status)


def conflict_rows(form: Any, theirs: Any) -> list[tuple[str, str, str]]:
    """(label, what you typed, what they saved) for each field where the two differ."""
    saved = type(form)(formdata=None, obj=theirs)
    if hasattr(saved, "team_id") and hasattr(form, "team_id"):
        saved.team_id.choices = form.team_id.choices
    if hasattr(saved, "authority") and hasattr(form, "authority"):
        saved.authority.choices = form.authority.choices
        saved.authority.data = theirs.authority.key
    rows = []
    for name, field in form._fields.items():
        if name in ("csrf_token", "version") or name not in saved._fields:
            continue
        mine, other = _shown(field, field._value() if hasattr(field, "_value") else field.data), _shown(
            saved[name], saved[name].data if saved[name].type == "SelectField" else saved[name]._value())
        if mine != other:
            rows.append((str(field.label.text), mine, other))
    return rows


def _shown(field: Any, value: Any) -> str:
    if field.type == "SelectField":
        for choice in field.choices or ():
            key, words = (choice.value, choice.label) if isinstance(choice, SelectChoice) else choice[:2]
            if str(key) == str(value):
                return str(words)
    if field.type == "BooleanField":
        return _("ja") if value else _("nee")
    return "" if value is None else str(value)


# -- stage moves ---------------------------------------------------------------------------------
@bp.post("/regulations/<key>/stage")
def move(key: str) -> Rendered:
    reg = _editable(key)
    form = MoveStageForm()

    def render(status: int) -> tuple[str, int]:
        from tracker.regulations.views import render_detail

        return render_detail(reg.key, move_form=form), status

    if not form.validate_on_submit():
        return render(400)
    command = MoveStage(
        key=reg.key,
        to_stage=form.to_stage.data,
        effective=form.effective.data,
        reason=form.reason.data,
        note=form.note.data,
        reference=form.reference.data,
        expected_version=form.expected_version,
        instrument_id=form.instrument.data,
    )
    _result, refused = _run(command, form, render)
    if refused is not None:
        return refused
    flash(_("%(key)s: fase gewijzigd.", key=short_name(reg, current_language())))
    return redirect(url_for("regulations.detail", key=reg.key) + "#history")


# -- regulations ---------------------------------------------------------------------------------
@bp.route("/regulations/new", methods=["GET", "POST"])
def new_regulation() -> Rendered:
    if not can_create(current_user):
        abort(403, description=_("Alleen bewerkers en beheerders maken regelingen aan."))
    form = NewRegulationForm()
    form.team_id.choices = _team_choices()

    def render(status: int) -> tuple[str, int]:
        return render_template("regulations/edit.html", form=form, reg=None), status

    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    key = cast(str, form.key.data).strip()
    _result, refused = _run(CreateRegulation(key=key, values=form_values(form)), form, render)
    if refused is not None:
        return refused
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
    command = UpdateRegulation(key=reg.key, values=form_values(form), expected_version=form.expected_version)
    _result, refused = _run(command, form, render, lambda: get_session().get(Regulation, reg.id))
    if refused is not None:
        return refused
    flash(_("%(key)s: opgeslagen.", key=short_name(reg, current_language())))
    return redirect(url_for("regulations.detail", key=reg.key))


# -- deadlines, designations, evaluations -------------------------------------------------------------
def _item_form(kind: str, obj: Any = None) -> Any:
    if kind not in ITEM_FORMS:
        abort(404, description=_("Deze soort gegevens bestaat niet (%(known)s).", known=", ".join(ITEM_KINDS)))
    form = ITEM_FORMS[kind](obj=obj)
    if kind == "designations":
        authorities = get_session().scalars(select(Authority).order_by(Authority.key)).all()
        form.authority.choices = [SelectChoice(a.key, f"{a.key} - {a.name}") for a in authorities]
        if obj is not None:
            form.authority.data = obj.authority.key
    return form


def _item(reg: Regulation, kind: str, item_id: int) -> Any:
    item = get_session().get(MODELS[kind], item_id)
    if item is None or item.regulation_id != reg.id:
        abort(404, description=_("Dit gegeven bestaat niet (meer) bij %(key)s.",
                                 key=short_name(reg, current_language())))
    if kind == "designations":
        get_session().refresh(item, ["authority"])  # forms and pages show it by name; it never loads by itself
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
    command: object = (
        CreateItem(key=reg.key, kind=kind, values=values)
        if item is None
        else UpdateItem(key=reg.key, kind=kind, item_id=item.id, values=values, expected_version=form.expected_version)
    )
    current = (lambda: get_session().get(MODELS[kind], item.id)) if item is not None else None
    _result, refused = _run(command, form, render, current)
    if refused is not None:
        return refused
    flash(_("Opgeslagen."))
    return redirect(url_for("regulations.detail", key=reg.key) + f"#{kind}")


@bp.route("/regulations/<key>/<kind>/<int:item_id>/delete", methods=["GET", "POST"])
def delete_item(key: str, kind: str, item_id: int) -> Rendered:
    """GET asks for confirmation on a page of its own (it works without JavaScript); POST deletes."""
    reg = _editable(key)
    if kind not in MODELS:
        abort(404, description=_("Deze soort gegevens bestaat niet (%(known)s).", known=", ".join(ITEM_KINDS)))
    item = _item(reg, kind, item_id)
    form = DeleteForm()
    if request.method == "GET":
        form.version.data = str(item.version)

    def render(status: int) -> tuple[str, int]:
        return render_template("regulations/delete.html", form=form, reg=reg, kind=kind, item=item), status

    if request.method == "GET":
        return render(200)
    if not form.validate_on_submit():
        form.form_errors.append(_("Het verzoek was onvolledig of verlopen; probeer het opnieuw."))
        return render(400)
    command = DeleteItem(key=reg.key, kind=kind, item_id=item.id, expected_version=form.expected_version)
    try:
        run_and_commit(get_session(), command, current_actor(), get_clock())
    except StaleVersion:
        # Someone changed it since the confirmation page was shown: show what it is now and ask again.
        get_session().expire_all()
        item = _item(reg, kind, item_id)
        form.version.data = str(item.version)
        form.form_errors.append(_("Iemand anders heeft dit gegeven intussen gewijzigd; hieronder staat het zoals "
                                  "het nu is. Wilt u het nog steeds verwijderen?"))
        return render(409)
    except Refused as exc:
        return render(on_form(form, exc))
    flash(_("Verwijderd."))
    return redirect(url_for("regulations.detail", key=reg.key) + f"#{kind}")
