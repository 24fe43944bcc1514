"""Load a validated portfolio into the database, idempotently.

Each row loaded from the seed remembers its entry's id (`seed_key`) and a digest of the entry (`seed_hash`).
A run updates a row only when its seed entry changed, so loading twice changes nothing, an edited entry updates
its row in place, and edits made in the tracker to rows whose seed entry did not change are kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.record import Actor, record
from tracker.auth.models import Team
from tracker.regulations import history
from tracker.regulations.instruments.lookup import add_instrument, instruments_of
from tracker.regulations.instruments.models import Implements, Instrument
from tracker.regulations.models import (
    Authority,
    Certainty,
    Deadline,
    Designation,
    Evaluation,
    Regulation,
    StageChange,
)
from tracker.regulations.services import SEQUENCED
from tracker.regulations.stages import StageError
from tracker.seeding.planning import load_planning, read_planning
from tracker.seeding.schema import REPORT_DATE, Portfolio, RegulationSpec, SeedError, Spec, read_seed

SEED_ACTOR = "seed"


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        parts = [
            f"{k}: {self.created[k]} created, {self.updated[k]} updated, {self.unchanged[k]} unchanged" for k in kinds
        ]
        return "\n".join(parts)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))


def load_seed(session: Session, folder: Path, *, now: dt.datetime) -> LoadReport:
    """Validate everything, then load it; on any problem raise SeedError and flush nothing."""
    portfolio = read_seed(folder, today=now.date())
    planning = read_planning(folder / "planning", portfolio)  # checked before anything is written
    report = _Loader(session, now).load(portfolio)
    load_planning(session, planning, now)  # kept out of the report's counts, which list the portfolio's records
    return report


class _Loader:
    def __init__(self, session: Session, now: dt.datetime) -> None:
        self.session, self.now, self.report = session, now, LoadReport()

    def load(self, p: Portfolio) -> LoadReport:
        teams = {t.key: t for t in self.session.scalars(select(Team))}
        for spec in p.teams:
            teams[spec.id] = self._upsert_keyed(Team, teams.get(spec.id), spec, "teams")
        authorities = {a.key: a for a in self.session.scalars(select(Authority))}
        for spec in p.authorities:
            authorities[spec.id] = self._upsert_keyed(Authority, authorities.get(spec.id), spec, "authorities")
        self.session.flush()

        regulations = {r.key: r for r in self.session.scalars(select(Regulation))}
        sourced: tuple[type[Any], ...] = (StageChange, Deadline, Designation, Evaluation, Instrument)  # seed_key
        by_seed: dict[type, dict[str, Any]] = {
            model: {row.seed_key: row for row in self.session.scalars(select(model).where(model.seed_key.is_not(None)))}
            for model in sourced
        }
        for spec in p.regulations:
            values = {k: v for k, v in spec.values.items() if k != "team"}
            values["team_id"] = teams[spec.values["team"]].id
            reg = self._upsert(Regulation, regulations.get(spec.id), spec, values, "regulations", key=spec.id)
            regulations[spec.id] = reg
            self.session.flush()
            self._load_instruments(reg, spec, by_seed)
            for d in spec.deadlines:
                self._upsert(
                    Deadline, by_seed[Deadline].get(d.id), d, dict(d.values, regulation_id=reg.id), "deadlines"
                )
            for d in spec.designations:
                values = {k: v for k, v in d.values.items() if k != "authority"}
                values.update(regulation_id=reg.id, authority_id=authorities[d.values["authority"]].id)
                self._upsert(Designation, by_seed[Designation].get(d.id), d, values, "designations")
        for e in p.evaluations:
            values = {k: v for k, v in e.values.items() if k not in ("regulation", "team")}
            reg = regulations.get(e.values["regulation"] or "")
            team = teams.get(e.values["team"] or "")
            values.update(regulation_id=reg.id if reg else None, team_id=team.id if team else None)
            self._upsert(Evaluation, by_seed[Evaluation].get(e.id), e, values, "evaluations")
        self.session.flush()
        if self.report.changed:
            # One entry per load that changed anything (regulation-less, so digests do not list it as news).
            changes = {
                k: [None, {"created": self.report.created[k], "updated": self.report.updated[k]}]
                for k in sorted(set(self.report.created) | set(self.report.updated))
            }
            record(self.session, Actor(SEED_ACTOR), self.now, "seed.load", label="seed", changes=changes)
            self.session.flush()
        return self.report

    # -- rows -----------------------------------------------------------------------------------
    def _upsert_keyed(self, model: type, row: Any, spec: Spec, kind: str) -> Any:
        values = dict(spec.values)
        if row is None:
            row = model(key=spec.id)
            self.session.add(row)
            self.report.created[kind] += 1
        elif all(getattr(row, k) == v for k, v in values.items()) and self._same_source(row, spec):
            self.report.unchanged[kind] += 1
            return row
        else:
            self.report.updated[kind] += 1
        for k, v in values.items():
            setattr(row, k, v)
        self._set_source(row, spec)
        return row

    def _upsert(
        self, model: type, row: Any, spec: Spec, values: dict[str, Any], kind: str, key: str | None = None
    ) -> Any:
        if row is not None and (row.seed_hash == spec.digest or row.seed_hash in spec.former_digests):
            self.report.unchanged[kind] += 1
            return row
        if row is None:
            row = model(created_at=self.now, **({"key": key} if key else {}))
            self.session.add(row)
            self.report.created[kind] += 1
        else:
            self.report.updated[kind] += 1
            if hasattr(row, "sequence") and any(getattr(row, k) != values[k] for k in SEQUENCED if k in values):
                row.sequence += 1  # the calendar event moved or was renamed
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = self.now
        self._set_source(row, spec)
        return row

    @staticmethod
    def _same_source(row: Any, spec: Spec) -> bool:
        return all(getattr(row, k) == v for k, v in _source_columns(row, spec).items())

    @staticmethod
    def _set_source(row: Any, spec: Spec) -> None:
        for name, value in _source_columns(row, spec).items():
            setattr(row, name, value)
        if hasattr(row, "seed_hash"):
            row.seed_key, row.seed_hash = spec.id, spec.digest

    # -- instruments and their histories ----------------------------------------------------------------
    def _load_instruments(self, reg: Regulation, spec: RegulationSpec, by_seed: dict[type, dict[str, Any]]) -> None:
        """The act's instruments as the seed lists them; without a list, one instrument of a kind not known yet
        (the one an act got when instruments came in, or a new one) carries the act's `stages`."""
        present = instruments_of(self.session, reg.id)
        if not spec.instruments:
            first = present[0][0] if present else None
            if first is None and not spec.stages and not spec.values.get("national_instrument"):
                return
            if first is None:
                first = add_instrument(self.session, reg, self.now, title=reg.national_instrument,
                                       dossier=reg.bill_number)
                self.report.created["instruments"] += 1
            else:
                self.report.unchanged["instruments"] += 1
            self._load_history(first, spec.stages, by_seed[StageChange])
            return
        linked = {instrument.id: link for instrument, link in present}
        for position, ispec in enumerate(spec.instruments):
            row = by_seed[Instrument].get(ispec.id)
            if row is None and position == 0:  # the act's own path from before instruments were listed
                row = next((i for i, _link in present if i.seed_key is None), None)
            values = {k: v for k, v in ispec.values.items() if k not in ("required", "covers", "covers_en")}
            row = self._upsert(Instrument, row, ispec, dict(values, regulation_id=reg.id), "instruments")
            self.session.flush()
            link = linked.get(row.id)
            if link is None:
                link = Implements(instrument_id=row.id, regulation_id=reg.id)
                self.session.add(link)
            link.required, link.position = ispec.values["required"], position
            link.covers, link.covers_en = ispec.values["covers"], ispec.values["covers_en"]
            self.session.flush()
            self._load_history(row, ispec.stages, by_seed[StageChange])

    def _load_history(self, instrument: Instrument, stages: list[Spec], existing: dict[str, StageChange]) -> None:
        """Add or correct the seeded stage changes, then re-check the whole history against the machine."""
        touched = False
        for s in stages:
            row = existing.get(s.id)
            if row is not None and row.seed_hash == s.digest:
                self.report.unchanged["stage_changes"] += 1
                continue
            (self.report.created if row is None else self.report.updated)["stage_changes"] += 1
            v = s.values
            provenance = {**_source_columns(StageChange, s), "seed_key": s.id, "seed_hash": s.digest,
                          "note_en": v["note_en"], "reason_en": v["reason_en"]}
            entry = history.Entry(v["stage"], v["date"], v["reason"], v["note"], v["reference"])
            # from_stage and move are set by _rechain once the whole history is in place.
            history.put_recorded(
                self.session, instrument, row, entry, now=self.now, actor=SEED_ACTOR, provenance=provenance
            )
            touched = True
        if touched:
            self.session.flush()
            self._rechain(instrument)

    def _rechain(self, instrument: Instrument) -> None:
        """Recompute the chain through the one writer of stage state; refuse a history the machine refuses.

        Seeded changes are judged against the report's date (they record what it states); changes made in the
        tracker against the day they were recorded.
        """
        def today_of(change: StageChange) -> dt.date:
            return REPORT_DATE if change.actor == SEED_ACTOR else change.recorded_at.date()

        try:
            history.rechain(self.session, instrument, today_of, self.now)
        except StageError as exc:
            raise SeedError([f"instrument {instrument.id} ({instrument.title}): stage change: {exc}"]) from None


def _source_columns(row: Any, spec: Spec) -> dict[str, Any]:
    """The source columns of `row` (an instance or a model) as `spec` gives them; certainty where the row has it."""
    src = spec.source
    columns: dict[str, Any] = {
        "source_ref": src.ref if src else None,
        "source_quote": src.quote if src else None,
    }
    if hasattr(row, "certainty"):
        columns.update(
            certainty=Certainty(src.certainty) if src else None,
            certainty_note=src.note if src else None,
            certainty_note_en=src.note_en if src else None,
            alternative=src.alternative if src else None,
            alternative_en=src.alternative_en if src else None,
            conflicts=(src.conflicts or None) if src else None,
        )
    return columns
