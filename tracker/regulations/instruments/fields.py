# mypy: disable-error-code=valid-type
# (OptionalText(...) is a pydantic type built by a call, which mypy cannot read: tracker/regulations/fields.py)
"""The fields of a national instrument and of its link to an act: one description for forms, API, CLI and seed."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tracker.dates import PrecisionDate
from tracker.regulations.fields import AnyDate, Fields, OptionalText
from tracker.regulations.instruments.procedures import InstrumentKind

URL = r"^https?://\S+$"


class InstrumentFields(Fields):
    kind: InstrumentKind = InstrumentKind.UNKNOWN
    title: OptionalText(300)
    title_en: OptionalText(300)
    ministry: OptionalText(40)
    consultation_url: Annotated[OptionalText(500), Field(json_schema_extra={"pattern": URL})]
    council_case: OptionalText(60)
    dossier: OptionalText(60)
    publication: OptionalText(120)
    bwb_id: OptionalText(30)
    planned_in_force: AnyDate = PrecisionDate.unknown()


class LinkFields(Fields):
    required: bool = True
    covers: OptionalText(4000, multiline=True)
    covers_en: OptionalText(4000, multiline=True)
