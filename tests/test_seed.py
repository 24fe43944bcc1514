import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from tests.conftest import NOW, SEED
from tracker.auth.models import Team
from tracker.regulations.instruments.models import Instrument
from tracker.regulations.models import (
    Authority,
    Deadline,
    Designation,
    Evaluation,
    Regulation,
    StageChange,
)
from tracker.seeding.loader import load_seed
from tracker.seeding.schema import SeedError

MODELS = (Team, Authority, Regulation, Instrument, StageChange, Deadline, Designation, Evaluation)


def snapshot(session) -> dict[str, list[tuple]]:
    """Every row of every seeded table, to compare whole databases."""
    result = {}
    for model in MODELS:
        table = model.__table__
        rows = session.execute(select(table).order_by(table.c.id)).all()
        result[table.name] = [tuple(r) for r in rows]
    return result


def counts(session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in MODELS}


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def edit(folder: Path, file: str, change) -> None:
    path = folder / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def regulation(data, key):
    return next(r for r in data["regulations"] if r["id"] == key)


# Counted from the YAML files in seed/ (one row per entry).
SEEDED = {
    "teams": 10,
    "authorities": 6,
    "regulations": 25,
    "stage_changes": 21,
    "deadlines": 38,  # with the transposition deadlines of NIS2 and CER (EUR-Lex: certainty external)
    "instruments": 22,
    "designations": 8,
    "evaluations": 23,  # 22 rows of Bijlage 2, the DSA row holding two dates
}
# Each act's stage after loading (the last entry of its seeded history; None: the report gives no stage).
STAGES = {
    "AIA": "eu_negotiation", "CRA": "eu_negotiation", "CSA": "eu_negotiation", "DA": "eu_negotiation",
    "DGA": "parliament", "DIGITAL_EUROPE": "in_force", "DMA": "council_of_state", "DSA": "consultation",
    "EECC": None, "EIDAS2": None, "EPRIVACY": None, "GIA": "eu_negotiation", "NIS2": "internal_prep",
    "P2B": "parliament", "RED": None, "WBDWB": "parliament", "WIBON": "in_force", "WOZT": "in_force",
    # Named in the report, added by issue 17:
    "BARC": "in_force", "CER": None, "NFP_35GHZ": "in_force", "NLF": None, "OIR": "in_force", "ONLINE_OPZEGGEN": None,
    "VEILING_35GHZ": "consultation",
}


def test_the_seed_loads_the_whole_portfolio_with_sources(db, session):
    with db.transaction() as s:
        report = load_seed(s, SEED, now=NOW)
    assert report.changed
    assert dict(report.created) == SEEDED
    assert sum(report.updated.values()) == 0 and sum(report.unchanged.values()) == 0
    assert counts(session) == SEEDED
    current = dict(session.execute(select(Regulation.key, Regulation.current_stage)).all())
    assert {k: (v.value if v else None) for k, v in current.items()} == STAGES
    teams = dict(session.execute(select(Regulation.key, Team.key).join(Team, Team.id == Regulation.team_id)).all())
    assert teams == {key: ("JENV" if key in ("NIS2", "CER") else "EZK") for key in STAGES}
    for model in (Regulation, StageChange, Deadline, Designation, Evaluation, Authority):
        missing = session.scalars(select(model.seed_key).where(model.source_ref.is_(None))).all()
        assert missing == [], f"{model.__tablename__} without source: {missing}"
    acm = session.scalars(select(Authority).where(Authority.key == "ACM")).one()
    assert acm.name == "Autoriteit Consument en Markt"
    assert set(session.scalars(select(Authority.key))) == {"ACM", "AP", "RDI", "NCSC", "BTI", "DTC"}
    dsa = session.scalars(select(Regulation).where(Regulation.key == "DSA")).one()
    assert (dsa.short_name, dsa.title, dsa.title_en) == ("DSA", "Digitaledienstenverordening", "Digital Services Act")
    met = session.scalars(select(Deadline.seed_key).where(Deadline.met_on.is_not(None)).order_by(Deadline.seed_key))
    assert met.all() == ["DA-political-agreement", "DGA-application", "DMA-application", "DSA-application-vlop",
                         "DSA-vlop-designation-commission"]


def test_dates_keep_the_precision_of_the_report(seeded, session):
    def due(seed_key):
        return session.scalars(select(Evaluation).where(Evaluation.seed_key == seed_key)).one().due

    assert due("eval-da").display() == "2028"
    assert due("eval-dma-art53").display() == "3 mei 2026"
    assert due("eval-aia").display() == "nog niet bepaald"
    dsa = session.scalars(select(StageChange).where(StageChange.seed_key == "DSA-consultation")).one()
    assert dsa.effective.isoformat() == "2023-Q2"
    vlop = session.scalars(select(Deadline).where(Deadline.seed_key == "DSA-application-vlop")).one()
    assert str(vlop.met_on) == "2023-08-25"  # the report states it happened


def test_loading_twice_changes_nothing(seeded, session):
    before = snapshot(session)
    with seeded.transaction() as s:
        report = load_seed(s, SEED, now=NOW.replace(year=2027))
    assert not report.changed
    assert dict(report.unchanged) == SEEDED
    assert sum(report.created.values()) == 0 and sum(report.updated.values()) == 0
    session.expire_all()
    assert snapshot(session) == before


def test_an_edited_entry_updates_in_place_and_never_duplicates(db, session, seed_copy):
    with db.transaction() as s:
        load_seed(s, seed_copy, now=NOW)
    before = counts(session)

    def change(data):
        dsa = regulation(data, "DSA")
        dsa["deadlines"][0]["title"] = "Corrected title"
        dsa["stages"][0]["note"] = "Corrected note"
        dsa["title"] = "Digital Services Act (corrected)"

    edit(seed_copy, "regulations/pillar3.yaml", change)
    with db.transaction() as s:
        report = load_seed(s, seed_copy, now=NOW)
    assert dict(report.updated) == {"deadlines": 1, "stage_changes": 1, "regulations": 1}
    assert sum(report.created.values()) == 0
    assert report.unchanged["deadlines"] == SEEDED["deadlines"] - 1
    assert report.unchanged["stage_changes"] == SEEDED["stage_changes"] - 1
    assert report.unchanged["regulations"] == SEEDED["regulations"] - 1
    session.expire_all()
    assert counts(session) == before == SEEDED
    assert session.scalar(select(Regulation.title).where(Regulation.key == "DSA")) == "Digital Services Act (corrected)"
    assert session.scalar(select(func.count()).where(Deadline.title == "Corrected title")) == 1
    note = session.scalar(select(StageChange.note).where(StageChange.seed_key == "DSA-consultation"))
    assert note == "Corrected note"


BROKEN = [
    ("not yaml", "teams.yaml", None, ["teams.yaml", "not valid YAML"]),
    (
        "bad date",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "DSA")["deadlines"][0].__setitem__("due", "2024-13"),
        ["regulations/pillar3.yaml", "(DSA)", "deadlines[0]", "due", "'2024-13' is not a date"],
    ),
    (
        "unknown field",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "DMA").__setitem__("stagez", []),
        ["(DMA)", "stagez: unknown field"],
    ),
    (
        "unknown stage",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "DMA")["stages"][0].__setitem__("stage", "senate"),
        ["(DMA)", "stages[0]", "stage: 'senate' is not one of"],
    ),
    (
        "missing source",
        "evaluations.yaml",
        lambda d: d["evaluations"][3].pop("source"),
        ["evaluations.yaml: evaluations[3]", "source: is required"],
    ),
    (
        "unknown authority",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "DSA")["designations"][0].__setitem__("authority", "XYZ"),
        ["authority: 'XYZ' is not in authorities.yaml"],
    ),
    (
        "duplicate id",
        "evaluations.yaml",
        lambda d: d["evaluations"][1].__setitem__("id", d["evaluations"][0]["id"]),
        ["evaluations.yaml", "is used twice"],
    ),
    (
        "skip without reason",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "DSA")["stages"].append(
            {"id": "DSA-x", "stage": "parliament", "date": "2023-09-01", "source": {"ref": "x"}}
        ),
        ["regulation DSA", "stage DSA-x", "Een fase overslaan", "geschreven reden"],
    ),
    (
        "after the report",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "DSA")["stages"].append(
            {"id": "DSA-x", "stage": "council_of_state", "date": "2024-03", "source": {"ref": "x"}}
        ),
        ["stage DSA-x", "ligt in de toekomst"],
    ),
    (
        "pillar out of range",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "AIA").__setitem__("pillar", 9),
        ["(AIA)", "pillar: must be a whole number from 1 to 5"],
    ),
    (
        "met_on not a day",
        "regulations/pillar3.yaml",
        lambda d: regulation(d, "DSA")["deadlines"][0].__setitem__("met_on", "2023-09"),
        ["(DSA)", "deadlines[0]", "met_on: must be a day"],
    ),
    (
        "unknown team",
        "evaluations.yaml",
        lambda d: d["evaluations"][0].__setitem__("team", "NOPE"),
        ["team: 'NOPE' is not a team"],
    ),
]


@pytest.mark.parametrize(("name", "file", "change", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_file_names_file_entry_and_field_and_loads_nothing(
    db, session, seed_copy, name, file, change, expected
):
    if change is None:
        (seed_copy / file).write_text("teams: [unclosed\n", encoding="utf-8")
    else:
        edit(seed_copy, file, change)
    with pytest.raises(SeedError) as err, db.transaction() as s:
        load_seed(s, seed_copy, now=NOW)
    message = "\n".join(err.value.problems)
    for fragment in expected:
        assert fragment in message
    assert all(n == 0 for n in counts(session).values())


def test_a_broken_file_leaves_a_loaded_database_untouched(seeded, session, seed_copy):
    before = snapshot(session)
    edit(seed_copy, "regulations/pillar3.yaml", lambda d: regulation(d, "DSA").__setitem__("title", "Changed"))
    edit(seed_copy, "evaluations.yaml", lambda d: d["evaluations"][0].__setitem__("due", "someday"))
    with pytest.raises(SeedError), seeded.transaction() as s:
        load_seed(s, seed_copy, now=NOW)
    session.expire_all()
    assert snapshot(session) == before
