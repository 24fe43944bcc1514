"""What the API reads and returns, as pydantic models built on the field descriptions in tracker.regulations.fields.

A body is a record's fields (plus, for a change, the version it is based on); an answer is the same fields plus
what the row adds (id, version, source). No field described in fields.py is listed again here: models extend the
field models, or take some of their fields with `only`. openapi.py turns these models' JSON Schema into the
document's components, serialize.py dumps rows through them.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, create_model

from tracker.regulations.fields import (
    DeadlineFields,
    DesignationFields,
    EvaluationFields,
    Fields,
    MoveStageFields,
    OptionalDate,
    RegulationFields,
    Version,
)
from tracker.regulations.models import Certainty
from tracker.regulations.stages import MoveKind, Stage

PlanStatusKind = Literal["on_track", "at_risk", "late", "stalled", "done", "unplanned"]


class Out(Fields):
    """An answer: every field is always present (null when empty), and none other."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True, str_strip_whitespace=False)


def only(model: type[Fields], *names: str, exclude: tuple[str, ...] = (), name: str | None = None) -> type[Out]:
    """An answer model with some of `model`'s fields (all but `exclude` when no names are given), as described."""
    picked: dict[str, Any] = {  # field definitions: (annotation, FieldInfo)
        n: (info.annotation, copy.copy(info))
        for n, info in model.model_fields.items()
        if (n in names or not names) and n not in exclude
    }
    return create_model(name or f"{model.__name__}Part", __base__=Out, **picked)


def _no_default(original: Any) -> Any:
    """The field's own schema additions (its text pattern), without the default a PATCH field must not show."""

    def extra(schema: dict[str, Any]) -> None:
        if isinstance(original, dict):
            schema.update(original)
        elif callable(original):
            original(schema)
        schema.pop("default", None)

    return extra


def patch_of(model: type[Fields], name: str) -> type[Fields]:
    """A PATCH body: the version read, and any of `model`'s fields, each as described (null only where allowed)."""
    fields: dict[str, Any] = {"version": (Version, ...)}
    for n, info in model.model_fields.items():
        optional = copy.copy(info)
        optional.default, optional.default_factory = None, None
        optional.json_schema_extra = _no_default(info.json_schema_extra)
        fields[n] = (info.annotation, optional)
    doc = "Change the fields given, each as on create; `version` is the version you read."
    return create_model(name, __base__=Fields, __doc__=doc, **fields)


# -- bodies ------------------------------------------------------------------------------------------
class MoveStage(MoveStageFields):
    """Move a national instrument of a regulation to a stage of its procedure; skipping a stage or moving back needs
    a reason."""

    version: Version
    instrument_id: Annotated[int | None, Field(default=None, ge=1, le=2**31 - 1,
                                               description="which instrument; not needed for an act with one")]


class DeadlineIn(DeadlineFields):
    """A new deadline."""


class DesignationIn(DesignationFields):
    """A new designation of an authority."""


class EvaluationIn(EvaluationFields):
    """A new evaluation."""


DeadlinePatch = patch_of(DeadlineFields, "DeadlinePatch")
DesignationPatch = patch_of(DesignationFields, "DesignationPatch")
EvaluationPatch = patch_of(EvaluationFields, "EvaluationPatch")
ITEM_IN: dict[str, type[Fields]] = {"deadlines": DeadlineIn, "designations": DesignationIn, "evaluations": EvaluationIn}
ITEM_PATCH = {"deadlines": DeadlinePatch, "designations": DesignationPatch, "evaluations": EvaluationPatch}


# -- what rows add -----------------------------------------------------------------------------------
class Identified(Out):
    id: int


class Versioned(Identified):
    version: int = Field(description="send it back with a change: a stale version is refused (409)")


class Conflict(Out):
    """Where the report says otherwise elsewhere."""

    ref: str
    quote: str
    note: str | None
    note_en: str | None = Field(default=None, description="the note in English")


class CertaintyShown(Out):
    """How the fact stands to the report: `report` (its words), `reading` (a reading of them) or `inference`."""

    level: Certainty
    note: str | None = Field(description="why a reading or an inference, in a line")
    note_en: str | None = Field(default=None, description="the note in English")
    alternative: str | None = Field(description="another reading of the same words, where one was recorded")
    alternative_en: str | None = Field(default=None, description="the alternative reading in English")
    conflicts: list[Conflict]


class FieldSource(Out):
    """The source of one regulation-level fact (lead ministry, national instrument, ...)."""

    ref: str
    quote: str | None
    certainty: CertaintyShown


class SourceRef(Out):
    source_ref: str | None = Field(description="where in the report (or elsewhere) this comes from")
    certainty: CertaintyShown | None = Field(description="null: entered in the tracker, not taken from the report")


class Sourced(SourceRef):
    source_quote: str | None


class Sequenced(Out):
    sequence: int = Field(description="iCalendar SEQUENCE: grows when the date or the title changes")


Timestamp = Annotated[
    dt.datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


# -- answers: items ----------------------------------------------------------------------------------
# Field models come first among the bases: pydantic merges configs in base order, so Out's config wins.
class Deadline(DeadlineFields, Versioned, Sequenced, Sourced):
    """A deadline of a regulation."""


class Designation(DesignationFields, Versioned, Sourced):
    """An authority designated (or to be designated) for a regulation."""

    authority_name: str


class Evaluation(EvaluationFields, Versioned, Sequenced, Sourced):
    """An EU review clause or a national evaluation."""


class StageChange(MoveStageFields, Identified, SourceRef):
    """One move on the stage machine."""

    from_stage: Stage | None
    move: MoveKind
    recorded_at: Timestamp
    actor: str
    note_en: str | None = Field(default=None, description="the note in English, where one is kept")
    reason_en: str | None = Field(default=None, description="the reason in English, where one is kept")


ITEM_OUT: dict[str, type[Out]] = {"deadlines": Deadline, "designations": Designation, "evaluations": Evaluation}


# -- answers: planning (tracker/planning) -------------------------------------------------------------
class PlanStatus(Out):
    """Will the national act be in force by the EU date? The status with its reason in words."""

    status: PlanStatusKind = Field(description="on_track, at_risk, late, stalled, done or unplanned")
    reason: str
    target: dt.date | None = Field(description="the EU date to meet (the first day of the target deadline's period)")
    forecast_in_force: dt.date | None = Field(description="the latest day of the forecast entry into force")
    slack_days: int | None = Field(description="days from the forecast entry into force to the target; < 0: late")


class PlanStep(Out):
    step: str = Field(description="internal_prep, consultation, council_of_state, parliament or publication")
    kind: str = Field(description="current (under way), planned (a team's date) or forecast (from the durations)")
    start: str = Field(description="as written: a day, or a window 'first/last', or a planned period ('2024-Q1')")
    end: str
    latest_start: dt.date | None = Field(description="the last day it may start for the target to hold")


class PlanDuration(Out):
    days: int
    scope: str = Field(description="act, team, default, or fallback (no figure in the database)")


class Plan(PlanStatus):
    """An act's plan as of a date: backward (latest starts) and forward (forecasts), with what it rests on."""

    key: str
    as_of: dt.date
    stage: Stage | None
    target_title: str | None = Field(description="the target deadline's title (Dutch)")
    target_title_en: str | None = Field(default=None, description="its English, where one is kept")
    eu_exception: bool = Field(description="uses the exception of Aanwijzing 4.17 (fifth paragraph, d)")
    in_force: str | None = Field(description="the forecast or planned entry into force as written")
    in_force_kind: str = Field(description="forecast or planned")
    latest_in_force: dt.date | None
    last_activity: dt.date | None = Field(description="the latest stage move or review")
    steps: list[PlanStep]
    durations: dict[str, PlanDuration]
    planned: dict[str, str] = Field(description="planned starts a team entered, by step, as written")


# -- answers: regulations ----------------------------------------------------------------------------
class NextDeadline(only(DeadlineFields, "title", "due"), Identified):  # type: ignore[misc]  # only() builds this base at import
    """The next open deadline."""


class Summary(only(RegulationFields, "title", "kind", "pillar"), Out):  # type: ignore[misc]  # only() builds this base at import
    """A regulation in a list or on the board, with its stage as of the date asked."""

    key: str = Field(description="short name, e.g. DSA")
    team: str = Field(description="the team's short name")
    stage: Stage | None
    stage_since: OptionalDate
    next_deadline: NextDeadline | None
    version: int = Field(description="send it back with a stage move: a stale version is refused (409)")
    url: str
    plan: PlanStatus | None = Field(description="planning as of the date asked (null: not computed)")


class Link(Out):
    label: str
    url: str


class Detail(Summary, only(RegulationFields, exclude=("team_id",), name="RegulationShown"), Sourced):  # type: ignore[misc]  # only() builds this base at import
    """One regulation with its deadlines, designations and evaluations; its team shows by short name."""

    links: list[Link]
    field_sources: dict[str, FieldSource] = Field(description="the source of each regulation-level fact")
    deadlines: list[Deadline]
    designations: list[Designation]
    evaluations: list[Evaluation]


# -- envelopes ---------------------------------------------------------------------------------------
class RegulationList(Out):
    as_of: dt.date
    items: list[Summary]
    page: int
    per_page: int
    total: int
    next_page: int | None


class BoardColumn(Out):
    stage: Stage | None
    regulations: list[Summary]
    total: int  # regulations in the column, on every page


class Board(Out):
    as_of: dt.date
    columns: list[BoardColumn]
    page: int  # each column shows its regulations (page - 1) * per_page + 1 .. page * per_page, by key
    per_page: int
    next_page: int | None  # while any column has more


class History(Out):
    key: str
    history: list[StageChange]


class FieldError(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` names each field at fault."""

    model_config = ConfigDict(extra="forbid")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)
