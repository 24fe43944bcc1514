"""The OpenAPI document is generated from the route table and the models; these tests hold it to OpenAPI 3.1 and
JSON Schema 2020-12, to the field descriptions it is built from, and to what the API answers."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
import schemathesis

from tests.conftest import NOW
from tracker.api.common import create_token
from tracker.api.openapi import spec
from tracker.audit.record import Actor
from tracker.auth import service
from tracker.regulations.fields import (
    DeadlineFields,
    DesignationFields,
    EvaluationFields,
    MoveStageFields,
    RegulationFields,
    names,
)

DOC = spec("http://tracker.test")
SCHEMAS = DOC["components"]["schemas"]
ITEMS = {"Deadline": DeadlineFields, "Designation": DesignationFields, "Evaluation": EvaluationFields}
# The API's answers as v1 has them: adding or dropping a key is a change for every client, so it shows here.
ANSWER_KEYS = {
    "Summary": "key title kind pillar team stage stage_since next_deadline version url plan",
    "Detail": "key title kind pillar team stage stage_since next_deadline version url plan short_name short_name_en "
    "title_en summary_en eu_number celex "
    "lead_ministry national_instrument bill_number summary links eu_published eu_in_force source_ref source_quote "
    "certainty field_sources deadlines designations evaluations eu_adopted eli com_number procedure_ref bnc_fiche "
    "co_ministries national_measures national_measures_note national_measures_note_en notification notified "
    "notification_ref",
    "Deadline": "id kind title title_en due legal_basis note note_en met_on version sequence source_ref source_quote "
    "certainty",
    "Designation": "id authority authority_name role role_en scope scope_en status legal_basis version source_ref "
    "source_quote certainty",
    "Evaluation": "id subject subject_en level status due due_note due_note_en performer pillar version sequence "
    "source_ref source_quote certainty",
    "StageChange": "id from_stage to_stage move effective recorded_at actor reason note reference source_ref certainty "
    "note_en reason_en",
    "Date": "value precision first_day display last_day label",
    "CertaintyShown": "level note note_en alternative alternative_en conflicts",
    "FieldSource": "ref quote certainty",
    "Conflict": "ref quote note note_en",
    "NextDeadline": "id title due",
}


def walk(node: Any) -> Any:
    """Every dict in a JSON document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_the_document_is_valid_openapi_3_1():
    assert DOC["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(DOC).validate()  # the OpenAPI 3.1 meta-schema; raises on any fault


def test_every_schema_in_it_is_valid_json_schema_and_every_ref_resolves():
    for name, schema in SCHEMAS.items():
        assert jsonschema_rs.meta.is_valid(schema), name
    for path, ops in DOC["paths"].items():
        for op in ops.values():
            for param in op.get("parameters", []):
                assert jsonschema_rs.meta.is_valid(param["schema"]), (path, param["name"])
    refs = {node["$ref"] for node in walk(DOC) if isinstance(node.get("$ref"), str)}
    for ref in refs:
        _, _, section, name = ref.split("/")
        assert name in DOC["components"][section], ref
    used = {ref.rsplit("/", 1)[-1] for ref in refs if ref.startswith("#/components/schemas/")}
    assert used == set(SCHEMAS), "no component that nothing uses"


def test_the_served_document_is_the_generated_one(app):
    served = app.test_client().get("/api/v1/openapi.json").get_json()
    assert served["paths"] == DOC["paths"] and served["components"] == DOC["components"]
    assert spec("https://a.example")["servers"] == [{"url": "https://a.example"}]
    assert DOC["servers"] == [{"url": "http://tracker.test"}], "the cached document is not shared between calls"


def test_bodies_are_the_field_descriptions():
    pairs = [("MoveStage", MoveStageFields), *((f"{n}In", m) for n, m in ITEMS.items())]
    for name, model in pairs:
        body = SCHEMAS[name]
        extra = {"version"} if name == "MoveStage" else set()
        address = {"instrument_id"} if name == "MoveStage" else set()  # which history: optional, like the key
        assert set(body["properties"]) == set(names(model)) | extra | address, name
        required = {n for n, f in model.model_fields.items() if f.is_required()} | extra
        assert set(body["required"]) == required and body["additionalProperties"] is False, name
    for name, model in ITEMS.items():
        patch, create = SCHEMAS[f"{name}Patch"], SCHEMAS[f"{name}In"]
        assert set(patch["properties"]) == set(names(model)) | {"version"} and patch["required"] == ["version"]
        for field in names(model):  # each field as on create, only no longer required
            assert {k: v for k, v in patch["properties"][field].items() if k != "default"} == {
                k: v for k, v in create["properties"][field].items() if k != "default"
            }, (name, field)


def test_answers_carry_every_field_and_the_keys_v1_has():
    for name, keys in ANSWER_KEYS.items():
        props = SCHEMAS[name]["properties"]
        assert set(props) == set(keys.split()), name
        assert set(SCHEMAS[name]["required"]) == set(props), f"{name}: every key is always present"
    for name, model in ITEMS.items():
        assert set(names(model)) <= set(SCHEMAS[name]["properties"])
    assert set(names(RegulationFields)) - {"team_id"} <= set(SCHEMAS["Detail"]["properties"])
    assert set(names(MoveStageFields)) <= set(SCHEMAS["StageChange"]["properties"])
    # Constraints of a field hold for what is shown, too; a date is shown as a Date object.
    assert SCHEMAS["Deadline"]["properties"]["title"]["maxLength"] == 300
    assert SCHEMAS["Deadline"]["properties"]["due"] == {"$ref": "#/components/schemas/Date"}


@pytest.fixture
def client(app, users, db):
    with db.transaction() as s:
        _, token = create_token(s, service.find_user(s, "viewer@example.nl"), "t", actor=Actor("test"), now=NOW)
    client = app.test_client()
    return lambda url: client.get(url, headers={"Authorization": f"Bearer {token}"})


def validator(component: str) -> Any:
    return jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{component}", "components": DOC["components"]})


def test_every_seeded_regulation_is_answered_as_documented(client):
    listed = client("/api/v1/regulations?per_page=200").get_json()
    validator("RegulationList").validate(listed)
    detail, history = validator("Detail"), validator("History")
    for item in listed["items"]:
        detail.validate(client(f"/api/v1/regulations/{item['key']}").get_json())
        history.validate(client(f"/api/v1/regulations/{item['key']}/history").get_json())
    validator("Board").validate(client("/api/v1/board?as_of=2023-09-30").get_json())
    validator("Problem").validate(client("/api/v1/regulations/NOPE").get_json())
