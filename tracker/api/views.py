"""JSON API v1: read the portfolio, move stages, and change deadlines, designations and evaluations.

Writes go through the same operations as the browser: the same stage machine, permissions, version check and
audit trail. Errors are RFC 9457 problem details naming the field at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from tracker.api import serialize
from tracker.api.common import Problem, api_actor, authenticate, body_object, json_response
from tracker.api.openapi import spec
from tracker.auth.models import Team
from tracker.auth.permissions import can_edit_team
from tracker.clock import get_clock
from tracker.dates import DateError, parse_day
from tracker.db import get_session
from tracker.regulations import editing
from tracker.regulations.filters import FilterError, parse_filters
from tracker.regulations.forms import ITEM_FORMS, MoveStageForm, form_values, move_from_form
from tracker.regulations.models import Authority, Deadline, Designation, Evaluation, Regulation
from tracker.regulations.queries import board, next_deadlines, regulation_by_key, regulation_page, stages_as_of
from tracker.regulations.stages import StageError

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
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Problem(
            400,
            "Bad Request",
            f"{name} must be a whole number from {low} to {high}",
            [{"field": name, "message": f"a whole number from {low} to {high}"}],
        )
    return int(raw)


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
    items = [serialize.summary(r, *_stage(changes.get(r.id)), nexts.get(r.id), _base()) for r in regs]
    return json_response(
        {
            "as_of": as_of.isoformat(),
            "items": items,
            "page": page,
            "per_page": per_page,
            "total": total,
            "next_page": page + 1 if page * per_page < total else None,
        }
    )


@bp.get("/board")
def get_board() -> Response:
    _check_params({"as_of", "pillar", "team", "authority", "kind", "mine"})
    as_of, filters = _as_of(), _filters()
    result = board(get_session(), as_of, filters, today=get_clock().today(), limit=None)
    columns = [
        {
            "stage": stage.value if stage else None,
            "regulations": [serialize.summary(c.regulation, c.stage, c.since, c.next_deadline, _base()) for c in cards],
        }
        for stage, cards in result.columns.items()
    ]
    return json_response({"as_of": as_of.isoformat(), "columns": columns})


@bp.get("/regulations/<key>")
def get_regulation(key: str) -> Response:
    _check_params(set())
    page = regulation_page(get_session(), key)
    if page is None:
        raise Problem(404, "Not Found", f"No regulation with short name {key!r}.")
    nxt = next_deadlines(get_session(), get_clock().today(), [page.regulation.id]).get(page.regulation.id)
    return json_response(
        serialize.detail(
            page.regulation, page.current, nxt, page.deadlines, page.designations, page.evaluations, _base()
        )
    )


@bp.get("/regulations/<key>/history")
def get_history(key: str) -> Response:
    _check_params(set())
    page = regulation_page(get_session(), key)
    if page is None:
        raise Problem(404, "Not Found", f"No regulation with short name {key!r}.")
    return json_response({"key": key, "history": [serialize.stage_change(c) for c in page.history]})


# -- write ---------------------------------------------------------------------------------------
def _editable(key: str) -> Regulation:
    reg = _regulation(key)
    if not can_edit_team(g.api_user, reg.team_id):
        raise Problem(
            403, "Forbidden", f"You may not change {reg.key}: it belongs to another team, or you are a viewer."
        )
    return reg


def _form(form_cls: type, data: dict[str, Any], allowed: set[str]) -> Any:
    """Validate a JSON object with the browser's form (CSRF off); 422 with every field's error."""
    unknown = sorted(set(data) - allowed)
    errors = [{"field": name, "message": "unknown field"} for name in unknown]
    flat: dict[str, str] = {}
    for name, value in data.items():
        if name in unknown:
            continue
        if isinstance(value, dict | list):
            errors.append({"field": name, "message": "must be a string, number or null"})
        elif value is not None:
            flat[name] = str(value).lower() if isinstance(value, bool) else str(value)
    if form_cls is ITEM_FORMS["designations"]:
        errors += _authority_to_id(flat)
    form = form_cls(formdata=MultiDict(flat), meta={"csrf": False})
    if form_cls is ITEM_FORMS["designations"]:
        form.authority_id.choices = [SelectChoice(a, str(a)) for a in _authority_ids().values()]
    if not form.validate():
        errors += [
            {"field": "authority" if name == "authority_id" else name, "message": "; ".join(map(str, msgs))}
            for name, msgs in form.errors.items()
        ]
    if errors:
        raise Problem(422, "Unprocessable Content", "Some fields are not valid.", errors)
    return form


def _authority_ids() -> dict[str, int]:
    return dict(get_session().execute(select(Authority.key, Authority.id)).all())


def _authority_to_id(flat: dict[str, str]) -> list[dict[str, str]]:
    """The API names authorities by key (ACM); the form wants their id."""
    key = flat.pop("authority", None)
    known = _authority_ids()
    if key is None:
        return []
    if key not in known:
        return [{"field": "authority", "message": f"{key!r} is not an authority; known: {', '.join(sorted(known))}"}]
    flat["authority_id"] = str(known[key])
    return []


def _commit(work: Any) -> Any:
    db = get_session()
    try:
        result = work()
        db.commit()
        return result
    except (editing.ConflictError, StaleDataError):
        db.rollback()
        raise Problem(
            409,
            "Conflict",
            str(editing.ConflictError("record")).split(";")[0] + "; fetch it again and reapply your change.",
        ) from None
    except StageError as exc:
        db.rollback()
        raise Problem(422, "Unprocessable Content", str(exc), [{"field": "to_stage", "message": str(exc)}]) from None
    except IntegrityError:
        db.rollback()
        raise Problem(409, "Conflict", "This conflicts with a record saved at the same moment.") from None


@bp.post("/regulations/<key>/stage")
def post_stage(key: str) -> Response:
    reg = _editable(key)
    form = _form(MoveStageForm, body_object(), {"to_stage", "effective", "note", "reference", "reason", "version"})
    change = _commit(
        lambda: move_from_form(
            get_session(), reg, form, actor=api_actor(), now=get_clock().now(), today=get_clock().today()
        )
    )
    return json_response(serialize.stage_change(change), 201)


FIELDS = {
    "deadlines": {"kind", "title", "due", "legal_basis", "note", "met_on"},
    "designations": {"authority", "role", "scope", "status", "legal_basis"},
    "evaluations": {"subject", "level", "status", "due", "due_note", "performer", "pillar"},
}
SERIALIZERS = {
    "deadlines": serialize.deadline,
    "designations": serialize.designation,
    "evaluations": serialize.evaluation,
}


def _item(reg: Regulation, kind: str, item_id: int) -> Any:
    item = get_session().get(ITEMS[kind], item_id)
    if item is None or item.regulation_id != reg.id:
        raise Problem(404, "Not Found", f"No {kind[:-1]} {item_id} on {reg.key}.")
    return item


def _current_values(kind: str, item: Any) -> dict[str, Any]:
    values = {name: getattr(item, name, None) for name in FIELDS[kind] if name != "authority"}
    if kind == "designations":
        values["authority"] = get_session().get(Authority, item.authority_id).key
    out = {}
    for name, value in values.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        out[name] = value
    return out


@bp.post("/regulations/<key>/<kind>")
def create_item(key: str, kind: str) -> Response:
    if kind not in ITEMS:
        raise Problem(404, "Not Found", f"{kind!r} is not deadlines, designations or evaluations.")
    reg = _editable(key)
    form = _form(ITEM_FORMS[kind], {**body_object(), "version": 0}, FIELDS[kind] | {"version"})
    item = _commit(
        lambda: editing.create_item(
            get_session(), ITEMS[kind], reg, form_values(form), actor=api_actor(), now=get_clock().now()
        )
    )
    return json_response(_serialize(kind, item), 201)


def _serialize(kind: str, item: Any) -> dict[str, Any]:
    if kind == "designations":
        get_session().refresh(item, ["authority"])
    return SERIALIZERS[kind](item)


@bp.patch("/regulations/<key>/<kind>/<int:item_id>")
def update_item(key: str, kind: str, item_id: int) -> Response:
    if kind not in ITEMS:
        raise Problem(404, "Not Found", f"{kind!r} is not deadlines, designations or evaluations.")
    reg = _editable(key)
    item = _item(reg, kind, item_id)
    body = body_object()
    if "version" not in body:
        raise Problem(
            422,
            "Unprocessable Content",
            "version is required (the version you read).",
            [{"field": "version", "message": "required"}],
        )
    form = _form(ITEM_FORMS[kind], {**_current_values(kind, item), **body}, FIELDS[kind] | {"version"})
    _commit(
        lambda: editing.update_item(
            get_session(),
            item,
            form_values(form),
            expected_version=form.expected_version,
            actor=api_actor(),
            now=get_clock().now(),
        )
    )
    return json_response(_serialize(kind, item))


@bp.delete("/regulations/<key>/<kind>/<int:item_id>")
def delete_item(key: str, kind: str, item_id: int) -> Response:
    if kind not in ITEMS:
        raise Problem(404, "Not Found", f"{kind!r} is not deadlines, designations or evaluations.")
    _check_params({"version"})
    reg = _editable(key)
    item = _item(reg, kind, item_id)
    raw = (request.args.get("version") or "").strip()
    if not raw.isdigit():
        raise Problem(
            422,
            "Unprocessable Content",
            "version is required as a query parameter.",
            [{"field": "version", "message": "a whole number: the version you read"}],
        )
    _commit(
        lambda: editing.delete_item(
            get_session(), item, expected_version=int(raw), actor=api_actor(), now=get_clock().now()
        )
    )
    return Response(status=204)


def register_api(app: Flask) -> None:
    app.register_blueprint(bp)
