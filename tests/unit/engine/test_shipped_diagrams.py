"""Every shipped diagram (workflows/, rules/) passes the modeler checks as it is, and the checks read with the
schemas of the installed bpmn-js and dmn-js."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.engine import moddle
from app.engine.moddle import registry
from app.engine.xml import parse_xml

ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "app" / "static" / "node_modules"


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "workflows").glob("*.bpmn")) + sorted((ROOT / "rules").glob("*.dmn")),
    ids=lambda p: p.name,
)
def test_every_shipped_diagram_opens_in_the_modeler_as_it_is(path):
    root = parse_xml(path.read_text(encoding="utf-8"), path.name)
    issues = moddle.bpmn_issues(root) if path.suffix == ".bpmn" else moddle.dmn_issues(root)
    assert issues == []


@pytest.mark.parametrize(
    ("package", "files"),
    [
        (
            "bpmn-moddle/resources/bpmn/json",
            ("bpmn/bpmn.json", "bpmn/bpmndi.json", "bpmn/dc.json", "bpmn/di.json"),
        ),
        (
            "dmn-moddle/resources/dmn/json",
            ("dmn/dmn13.json", "dmn/dmndi13.json", "dmn/dc.json", "dmn/di.json"),
        ),
    ],
)
def test_the_schemas_are_those_of_the_installed_modelers(package, files):
    """The checks read with the schemas bpmn-js and dmn-js use: after an upgrade of either, copy the new
    files from node_modules into app/engine/moddle/schema/."""
    for name in files:
        installed = NODE_MODULES / package / Path(name).name
        assert installed.is_file(), f"{installed} is missing: run `make assets`"
        assert json.loads(installed.read_text(encoding="utf-8")) == json.loads(
            (registry.SCHEMA / name).read_text(encoding="utf-8")
        ), f"{name} differs from {installed}"
