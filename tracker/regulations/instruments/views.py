"""An instrument's page (its path, history and the acts it implements), and adding or editing one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.auth.permissions import can_edit_team
from tracker.db import get_session
from tracker.regulations.edit_views import _editable, _run
from tracker.regulations.forms import form_values
from tracker.regulations.instruments.commands import CreateInstrument, UpdateInstrument
from tracker.regulations.instruments.forms import InstrumentForm
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.instruments.procedures import procedure
from tracker.regulations.models import Regulation, StageChange

bp = Blueprint("instruments", __name__)
Rendered = str | Response | tuple[str, int]


def _instrument(instrument_id: int) -> tuple[Instrument, Regulation]:
    session = get_session()
    row = session.get(Instrument, instrument_id)
    if row is None:
        abort(404, description=_("Er is geen instrument %(id)s.", id=instrument_id))
    return row, session.get_one(Regulation, row.regulation_id)


def _values(form: InstrumentForm) -> dict[str, Any]:
    values = form_values(form)
    if values.get("planned_in_force") is None:
        values.pop("planned_in_force", None)
    return values


@bp.get("/instruments/<int:instrument_id>")
def detail(instrument_id: int) -> str:
    row, home = _instrument(instrument_id)
    session = get_session()
    acts = session.execute(
        select(Regulation, Implements).join(Implements, Implements.regulation_id == Regulation.id)
        .where(Implements.instrument_id == row.id).order_by(Regulation.key)
    ).all()
    changes = session.scalars(
        select(StageChange).where(StageChange.instrument_id == row.id)
        .order_by(StageChange.effective_on, StageChange.id)
    ).all()
    return render_template(
        "instruments/detail.html", instrument=row, home=home, acts=acts, history=changes,
        path=procedure(row.kind), editable=can_edit_team(current_user, home.team_id),
    )


@bp.route("/regulations/<key>/instruments/new", methods=["GET", "POST"])
def new(key: str) -> Rendered:
    reg = _editable(key)
    form = InstrumentForm()
    if not form.is_submitted():
        form.version.data = "0"

    def render(status: int) -> tuple[str, int]:
        return render_template("instruments/edit.html", form=form, reg=reg, instrument=None), status

    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    made, refused = _run(CreateInstrument(reg.key, _values(form)), form, render)
    if refused is not None:
        return refused
    flash(_("Instrument toegevoegd."))
    return redirect(url_for("instruments.detail", instrument_id=made.id))


@bp.route("/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
def edit(instrument_id: int) -> Rendered:
    row, home = _instrument(instrument_id)
    _editable(home.key)
    link = get_session().scalars(
        select(Implements).where(Implements.instrument_id == row.id, Implements.regulation_id == home.id)
    ).one()
    form = InstrumentForm(obj=row)
    if not form.is_submitted():
        form.version.data = str(row.version)
        form.required.data, form.covers.data, form.covers_en.data = link.required, link.covers, link.covers_en

    def render(status: int) -> tuple[str, int]:
        return render_template("instruments/edit.html", form=form, reg=home, instrument=row), status

    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    command = UpdateInstrument(row.id, _values(form), expected_version=form.expected_version)
    _done, refused = _run(command, form, render, lambda: get_session().get(Instrument, row.id))
    if refused is not None:
        return refused
    flash(_("Instrument opgeslagen."))
    return redirect(url_for("instruments.detail", instrument_id=row.id))
