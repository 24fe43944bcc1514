"""The national instruments in the API: their answer and body models, and their routes on the API blueprint
(registered by tracker.api.views; the OpenAPI document lists them from ROUTES in openapi.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from pydantic import Field
from sqlalchemy import select

from tracker.api.common import Problem, body_object, json_response
from tracker.api.schemas import Out, SourceRef, StageChange, Versioned, patch_of
from tracker.db import get_session
from tracker.regulations.fields import Date
from tracker.regulations.instruments.commands import CreateInstrument, UpdateInstrument
from tracker.regulations.instruments.fields import InstrumentFields, LinkFields
from tracker.regulations.instruments.lookup import instruments_of
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.models import Regulation
from tracker.regulations.models import StageChange as StageChangeRow
from tracker.regulations.stages import Stage


class InstrumentIn(InstrumentFields, LinkFields):
    """A new national instrument of the act: its kind decides its procedure."""


InstrumentPatch = patch_of(InstrumentFields, "InstrumentPatch")


class ImplementedAct(Out):
    key: str = Field(description="the act's short name")
    required: bool = Field(description="the act is not implemented without this instrument")
    covers: str | None
    covers_en: str | None = None


class InstrumentOut(InstrumentFields, Versioned, SourceRef):
    """A national instrument with its stage on the procedure of its kind."""

    current_stage: Stage | None
    stage_since: Date | None
    acts: list[ImplementedAct]


class InstrumentDetail(InstrumentOut):
    """A national instrument with its stage history."""

    history: list[StageChange]


class InstrumentList(Out):
    key: str
    instruments: list[InstrumentOut]


def _acts(session: Any, instrument_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Regulation.key, Implements).join(Implements, Implements.regulation_id == Regulation.id)
        .where(Implements.instrument_id == instrument_id).order_by(Regulation.key)
    )
    return [{"key": key, "required": link.required, "covers": link.covers, "covers_en": link.covers_en}
            for key, link in rows]


def instrument_model(row: Instrument, model: type[InstrumentOut] = InstrumentOut, **given: Any) -> InstrumentOut:
    from tracker.api.serialize import certainty_of

    session = get_session()
    since = Date.of(row.stage_since) if row.stage_since.known else None
    values = {name: getattr(row, name) for name in InstrumentFields.model_fields}
    built = model.model_validate({
        **values, "id": row.id, "version": row.version, "source_ref": row.source_ref,
        "certainty": certainty_of(row), "current_stage": row.current_stage, "stage_since": since,
        "acts": _acts(session, row.id), **given,
    })
    return built


def instrument_json(row: Instrument, model: type[InstrumentOut] = InstrumentOut, **given: Any) -> dict[str, Any]:
    return instrument_model(row, model, **given).model_dump(mode="json")


def register(bp: Blueprint, write: Any, version: Any, check_params: Any) -> None:
    """The instrument routes on the API blueprint; `write` runs a command as the token's user."""

    @bp.get("/regulations/<key>/instruments")
    def list_instruments(key: str) -> Response:
        check_params(set())
        session = get_session()
        reg = session.scalars(select(Regulation).where(Regulation.key == key)).first()
        if reg is None:
            raise Problem(404, "Not Found", f"No regulation with short name {key!r}.")
        rows = [instrument_model(i) for i, _link in instruments_of(session, reg.id)]
        return json_response(InstrumentList(key=key, instruments=rows).model_dump(mode="json"))

    @bp.post("/regulations/<key>/instruments")
    def create_instrument(key: str) -> Response:
        return json_response(instrument_json(write(CreateInstrument(key, body_object()))), 201)

    @bp.get("/instruments/<int:instrument_id>")
    def get_instrument(instrument_id: int) -> Response:
        check_params(set())
        from tracker.api.serialize import build

        session = get_session()
        row = session.get(Instrument, instrument_id)
        if row is None:
            raise Problem(404, "Not Found", f"No instrument {instrument_id}.")
        changes = session.scalars(
            select(StageChangeRow).where(StageChangeRow.instrument_id == row.id)
            .order_by(StageChangeRow.effective_on, StageChangeRow.id)
        )
        return json_response(instrument_json(row, InstrumentDetail, history=[build(StageChange, c) for c in changes]))

    @bp.patch("/instruments/<int:instrument_id>")
    def update_instrument(instrument_id: int) -> Response:
        body = body_object()
        expected = version(body.pop("version", None))
        row = write(UpdateInstrument(instrument_id, body, expected_version=expected))
        return json_response(instrument_json(row))


