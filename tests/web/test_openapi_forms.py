"""The OpenAPI document describes what each process's requests carry: the data a case starts with and each
task's form, as deployed, so a client or a fuzzer reaches the fields (not a generic object)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMS, WORKFLOWS = ROOT / "forms", ROOT / "workflows"


def resolved(document: dict, ref: str) -> dict:
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_opening_a_case_names_each_process_and_its_start_fields(client, deployed):
    document = client.get("/api/v1/openapi.json").get_json()
    branches = document["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "oneOf"
    ]
    by_process = {
        branch["properties"]["process"]["const"]: branch["properties"]["data"] for branch in branches
    }
    assert "credit_application" in by_process
    start = resolved(document, by_process["credit_application"]["$ref"])
    intake = json.loads((FORMS / "application_intake.json").read_text(encoding="utf-8"))
    assert start["additionalProperties"] is False
    assert start["properties"]["requested_amount"] == intake["properties"]["requested_amount"]
    assert set(start["properties"]) == {
        name for name, prop in intake["properties"].items() if not prop.get("readOnly")
    }


def test_completing_a_task_names_every_deployed_form_with_its_fields(client, deployed):
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/tasks/{id}/complete"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    forms = [resolved(document, ref["$ref"]) for ref in body["properties"]["data"]["anyOf"]]
    signoff = json.loads((FORMS / "approval_signoff.json").read_text(encoding="utf-8"))
    assert any(form.get("properties") == signoff["properties"] for form in forms)
    assert all(form["type"] == "object" and form["properties"] and "$id" not in form for form in forms)
    diagrams = "".join(path.read_text(encoding="utf-8") for path in WORKFLOWS.glob("*.bpmn"))
    used = {path.stem for path in FORMS.glob("*.json") if path.name in diagrams}
    described = {
        ref["$ref"].rsplit("/", 1)[1].removeprefix("Form.") for ref in body["properties"]["data"]["anyOf"]
    }
    assert used and used <= described


def test_without_a_deployed_process_the_bodies_stay_generic(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "required"
    ] == ["process"]
