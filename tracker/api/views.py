"""JSON API v1: read the portfolio, move stages, and change deadlines, designations and evaluations.

Writes go through the same operations as the browser: the same stage machine, permissions, version check and
audit trail. Errors are RFC 9457 problem details naming the field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.api import instruments, planning, schemas, serialize
from tracker.api.common import Problem, api_actor, authenticate, body_object, json_response
from tracker.api.openapi import spec
from tracker.auth.models import Team
from tracker.clock import get_clock
from tracker.dates import DateError, parse_day
from tracker.db import get_session
from tracker.parsing import whole_number
from tracker.planning.queries import load_plans
from tracker.regulations.commands import ITEM_KINDS, CreateItem, DeleteItem, MoveStage, UpdateItem
from tracker.regulations.filters import FilterError, parse_filters
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation
from tracker.regulations.queries import board, next_deadlines, regulation_by_key, regulation_page, stages_as_of
from tracker.unit_of_work import run_and_commit

bp = Blueprint("api", __name__, url_prefix="/api/v1")
ITEMS: dict[str, type] = {"deadlines": Deadline, "designations": Designation, "evaluations": Evaluation}
PUBLIC = {"api.openapi"}


@bp.before_request
def _authenticate() -> None:
    if request.endpoint not in PUBLIC:
        authenticate(get_session())


def _base() -> str:
    return current_app.config["TRACKER"].base_url


def _as_of() -> dt.date:
    raw = (request.args.get("as_of") or "").strip()
    try:
        return parse_day(raw) if raw else get_clock().today()
    except DateError as exc:
        raise Problem(400, "Bad Request", str(exc), [{"field": "as_of", "message": str(exc)}]) from None


def _check_params(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise Problem(
            400,
            "Bad Request",
            f"unknown parameter(s): {', '.join(unknown)}",
            [{"field": name, "message": "unknown parameter"} for name in unknown],
        )


def _filters() -> Any:
    db = get_session()
    teams = list(db.scalars(select(Team).order_by(Team.key)))
    authorities = list(db.scalars(select(Authority).order_by(Authority.key)))
    try:
        return parse_filters(request.args, teams, authorities, g.api_user.team_ids)
    except FilterError as exc:
        raise Problem(400, "Bad Request", str(exc), [{"field": exc.param, "message": str(exc)}]) from None


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return whole_number(raw, low, high)
    except ValueError as exc:
        raise Problem(400, "Bad Request", f"{name} must be {exc}", [{"field": name, "message": str(exc)}]) from None


def _regulation(key: str) -> Regulation:
    reg = regulation_by_key(get_session(), key)
    if reg is None:
        raise Problem(404, "Not Found", f"No regulation with short name {key!r}.")
    return reg


def _stage(change: Any) -> tuple[Any, Any]:
    return (change.to_stage, change.effective) if change else (None, None)


# -- read ----------------------------------------------------------------------------------------
@bp.get("/openapi.json")
def openapi() -> Response:
    return json_response(spec(_base()))


@bp.get("/regulations")
def list_regulations() -> Response:
    _check_params({"as_of", "pillar", "team", "authority", "kind", "mine", "page", "per_page"})
    as_of, filters = _as_of(), _filters()
    page, per_page = _int_param("page", 1, 1, 100000), _int_param("per_page", 50, 1, 200)
    db = get_session()
    query = filters.apply(select(Regulation).options(joinedload(Regulation.team)).order_by(Regulation.key))
    total = db.scalar(filters.apply(select(func.count()).select_from(Regulation)))
    regs = db.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
    ids = [r.id for r in regs]
    changes, nexts = stages_as_of(db, as_of, ids), next_deadlines(db, as_of, ids)
    plans = planning.statuses(db, as_of, list(regs), {r.id: _stage(changes.get(r.id)) for r in regs})
    items = [
        serialize.summary_of(r, *_stage(changes.get(r.id)), nexts.get(r.id), _base(), plans.get(r.id)) for r in regs
    ]
    return json_response(serialize.regulation_list(as_of, items, page, per_page, total))


@bp.get("/board")
def get_board() -> Response:
    _check_params({"as_of", "pillar", "team", "authority", "kind", "mine", "page", "per_page"})
    as_of, filters = _as_of(), _filters()
    page, per_page = _int_param("page", 1, 1, 100000), _int_param("per_page", 50, 1, 200)
    result = board(
        get_session(), as_of, filters, today=get_clock().today(), limit=per_page, offset=(page - 1) * per_page
    )
    shown = result.cards
    plans = planning.statuses(
        get_session(), as_of, [c.regulation for c in shown], {c.regulation.id: (c.stage, c.since) for c in shown}
    )
    columns = [
        (
            stage,
            [
                serialize.summary_of(
                    c.regulation, c.stage, c.since, c.next_deadline, _base(), plans.get(c.regulation.id)
                )
                for c in cards
            ],
            result.counts.get(stage, 0),
        )
        for stage, cards in result.columns.items()
    ]
    return json_response(serialize.board(as_of, columns, page, per_page))


@bp.get("/regulations/<key>")
def get_regulation(key: str) -> Response:
    _check_params(set())
    page = regulation_page(get_session(), key)
    if page is None:
        raise Problem(404, "Not Found", f"No regulation with short name {key!r}.")
    nxt = next_deadlines(get_session(), get_clock().today(), [page.regulation.id]).get(page.regulation.id)
    reg = page.regulation
    plan = planning.statuses(get_session(), get_clock().today(), [reg], {reg.id: _stage(page.current)}).get(reg.id)
    return json_response(
        serialize.detail(reg, page.current, nxt, page.deadlines, page.designations, page.evaluations, _base(), plan)
    )


@bp.get("/regulations/<key>/plan")
def get_plan(key: str) -> Response:
    _check_params({"as_of"})
    as_of, reg = _as_of(), _regulation(key)
    view = load_plans(get_session(), as_of, [reg])[reg.id]
    return json_response(planning.plan_document(view, as_of))


@bp.get("/regulations/<key>/history")
def get_history(key: str) -> Response:
    _check_params(set())
    page = regulation_page(get_session(), key)
    if page is None:
        raise Problem(404, "Not Found", f"No regulation with short name {key!r}.")
    return json_response(serialize.history(key, page.history))


# -- write ---------------------------------------------------------------------------------------
def _write(command: object) -> Any:
    """Run a command as the token's user; a refusal is answered as problem details naming its fields
    (tracker.refusals)."""
    return run_and_commit(get_session(), command, api_actor(), get_clock())


def _version(raw: Any, *, required: bool = True) -> int | None:
    if raw is None and not required:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 2**31 - 1:
        raise Problem(
            422,
            "Unprocessable Content",
            "version is required: the version you read, a whole number.",
            [{"field": "version", "message": "required: the version you read, a whole number"}],
        )
    return raw


def _kind(kind: str) -> str:
    if kind not in ITEM_KINDS:
        raise Problem(404, "Not Found", f"{kind!r} is not deadlines, designations or evaluations.")
    return kind


def _instrument_id(raw: Any) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 2**31 - 1:
        raise Problem(422, "Unprocessable Content", "instrument_id: the number of one of the act's instruments.",
                      [{"field": "instrument_id", "message": "a whole number: one of the act's instruments"}])
    return raw


@bp.post("/regulations/<key>/stage")
def post_stage(key: str) -> Response:
    body = body_object()
    allowed = set(schemas.MoveStage.model_fields)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise Problem(
            422,
            "Unprocessable Content",
            "Some fields are not valid.",
            [{"field": name, "message": "unknown field"} for name in unknown],
        )
    command = MoveStage(
        key=key,
        to_stage=body.get("to_stage"),  # type: ignore[arg-type]  # any JSON: the service validates it
        effective=body.get("effective"),
        reason=body.get("reason"),
        note=body.get("note"),
        reference=body.get("reference"),
        expected_version=_version(body.get("version")),
        instrument_id=_instrument_id(body.get("instrument_id")),
    )
    return json_response(serialize.stage_change(_write(command)), 201)


SERIALIZERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "deadlines": serialize.deadline,
    "designations": serialize.designation,
    "evaluations": serialize.evaluation,
}


def _serialize(kind: str, item: Any) -> dict[str, Any]:
    if kind == "designations":
        get_session().refresh(item, ["authority"])
    return SERIALIZERS[kind](item)


@bp.post("/regulations/<key>/<kind>")
def create_item(key: str, kind: str) -> Response:
    kind = _kind(kind)
    item = _write(CreateItem(key=key, kind=kind, values=body_object()))
    return json_response(_serialize(kind, item), 201)


@bp.patch("/regulations/<key>/<kind>/<int:item_id>")
def update_item(key: str, kind: str, item_id: int) -> Response:
    kind = _kind(kind)
    body = body_object()
    version = _version(body.pop("version", None))
    item = _write(UpdateItem(key=key, kind=kind, item_id=item_id, values=body, expected_version=version))
    return json_response(_serialize(kind, item))


@bp.delete("/regulations/<key>/<kind>/<int:item_id>")
def delete_item(key: str, kind: str, item_id: int) -> Response:
    kind = _kind(kind)
    _check_params({"version"})
    raw = (request.args.get("version") or "").strip()
    try:
        version: int | None = whole_number(raw, 0, 2**31 - 1)
    except ValueError:
        version = _version(None)  # refuses with the message every write gives for a missing version
    _write(DeleteItem(key=key, kind=kind, item_id=item_id, expected_version=version))
    return Response(status=204)


instruments.register(bp, _write, _version, _check_params)


def register_api(app: Flask) -> None:
    app.register_blueprint(bp)
