"""Validation refuses what bpmn-js and dmn-js cannot import, would drop or cannot draw: each refusal with a
small broken diagram, named by file, element and line; and every shipped diagram passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import engine
from app.engine import moddle
from app.engine.moddle import registry
from app.engine.xml import parse_xml

ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "app" / "static" / "node_modules"

# A message start event, a user task with a multi-instance over a data object, a boundary timer, an end.
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://x">
  <bpmn:message id="Message_due" name="due" />
  <bpmn:process id="small" isExecutable="true">
    <bpmn:dataObject id="members" name="members" />
    <bpmn:startEvent id="start">
      <bpmn:outgoing>flow_1</bpmn:outgoing>
      <bpmn:messageEventDefinition id="start_message" messageRef="Message_due" />
    </bpmn:startEvent>
    <bpmn:userTask id="vote" name="Vote">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="vote.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_1</bpmn:incoming>
      <bpmn:outgoing>flow_2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopDataInputRef>members</bpmn:loopDataInputRef>
        <bpmn:inputDataItem id="member" name="member" />
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="vote">
      <bpmn:timerEventDefinition id="late_timer"><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="end">
      <bpmn:incoming>flow_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="vote" />
    <bpmn:sequenceFlow id="flow_2" sourceRef="vote" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="small">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="vote_di" bpmnElement="vote"><dc:Bounds x="200" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="late_di" bpmnElement="late"><dc:Bounds x="270" y="142" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_1_di" bpmnElement="flow_1"><di:waypoint x="136" y="118" /><di:waypoint x="200" y="118" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="flow_2_di" bpmnElement="flow_2"><di:waypoint x="300" y="118" /><di:waypoint x="360" y="118" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def _broken(old: str, new: str, source: str = PROCESS) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


def _problems(xml: str, name: str = "small.bpmn") -> list[engine.Problem]:
    return engine.validate_bundle(name, xml, {}, {"vote.json": {"type": "object", "properties": {}}})


def _line(xml: str, text: str) -> int:
    return next(n for n, line in enumerate(xml.splitlines(), start=1) if text in line)


def test_the_small_diagram_passes():
    assert _problems(PROCESS) == []


def test_an_id_shared_by_a_message_and_the_start_event_is_refused_naming_both_and_their_lines():
    xml = _broken('<bpmn:message id="Message_due"', '<bpmn:message id="start"')
    xml = _broken('messageRef="Message_due"', 'messageRef="start"', xml)
    [problem] = _problems(xml)
    assert (problem.filename, problem.element_id, problem.line) == ("small.bpmn", "start", _line(xml, "<bpmn:startEvent"))
    assert "'start' is used twice" in problem.message
    assert f"<bpmn:message> (line {_line(xml, '<bpmn:message ')})" in problem.message
    assert f"<bpmn:startEvent> (line {_line(xml, '<bpmn:startEvent')})" in problem.message


@pytest.mark.parametrize(("old", "new", "element", "line_of", "reason"), [
    # references that name nothing: the modeler drops them, and its next save loses them
    ("<bpmn:loopDataInputRef>members<", "<bpmn:loopDataInputRef>committee_members<", "vote", "loopDataInputRef",
     "loopDataInputRef names 'committee_members', which is no element"),
    ('targetRef="end"', 'targetRef="finish"', "flow_2", 'id="flow_2"', "targetRef names 'finish'"),
    ('messageRef="Message_due"', 'messageRef="due"', "start_message", "messageRef", "messageRef names 'due'"),
    ('attachedToRef="vote"', 'attachedToRef="voting"', "late", "attachedToRef", "attachedToRef names 'voting'"),
    ('bpmnElement="end"', 'bpmnElement="the_end"', "end_di", 'id="end_di"', "bpmnElement names 'the_end'"),
    ("<bpmn:incoming>flow_1<", "<bpmn:incoming>flow_0<", "vote", "flow_0", "incoming names 'flow_0'"),
    ('<bpmn:userTask id="vote" name="Vote">', '<bpmn:userTask id="vote" name="Vote" default="flow_9">', "vote",
     'id="vote"', "default names 'flow_9'"),
    # references to an element of another kind
    ('messageRef="Message_due"', 'messageRef="vote"', "start_message", "messageRef",
     "names 'vote', a <bpmn:userTask>"),
    ('sourceRef="start"', 'sourceRef="Message_due"', "flow_1", 'id="flow_1"', "expects a bpmn:FlowNode"),
    ("<bpmn:loopDataInputRef>members<", "<bpmn:loopDataInputRef>end<", "vote", "loopDataInputRef",
     "expects a bpmn:ItemAwareElement"),
    # elements the modeler does not know, or that cannot stand where they are
    ('<bpmn:endEvent id="end">\n      <bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvent>',
     '<bpmn:endEvnt id="end">\n      <bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvnt>', "end", "endEvnt",
     "is not an element of BPMN"),
    ("<bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvent>",
     "<bpmn:incoming>flow_2</bpmn:incoming>\n      <bpmn:process id='inner' />\n    </bpmn:endEvent>", "inner",
     "<bpmn:process id='inner'", "cannot stand inside <bpmn:EndEvent>"),
    ("<bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvent>",
     "<bpmn:incoming>flow_2</bpmn:incoming>\n      <camunda:x xmlns:camunda='http://camunda.org/schema/1.0/bpmn' />"
     "\n    </bpmn:endEvent>", "end", "<camunda:x", "only extension elements hold other namespaces"),
    ('xsi:type="bpmn:tFormalExpression"', 'xsi:type="bpmn:tFormula"', "flow_2", "conditionExpression",
     "has the unknown type 'bpmn:tFormula'"),
    ('<bpmn:endEvent id="end">', '<bpmn:endEvent id="end">the end', "end", '<bpmn:endEvent id="end">',
     "holds text the modeler drops"),
    ('<bpmn:userTask id="vote" name="Vote">', '<bpmn:userTask id="vote" name="Vote" bpmn:owner="me">', "vote",
     'id="vote"', "attribute bpmn:owner"),
    ('<bpmn:endEvent id="end">', '<bpmn:endEvent id="1st end">', "1st end", "<bpmn:endEvent",
     "is not a valid XML id"),
    ('<bpmn:endEvent id="end">', '<bpmn:endEvent id="结束">', "结束", "<bpmn:endEvent", "is not a valid XML id"),
    # what the modeler cannot draw
    ('<bpmndi:BPMNShape id="vote_di" bpmnElement="vote"><dc:Bounds x="200" y="80" width="100" height="80" />'
     '</bpmndi:BPMNShape>', "", "vote", 'id="vote"', "has no shape in the diagram"),
    ('<bpmndi:BPMNEdge id="flow_1_di" bpmnElement="flow_1"><di:waypoint x="136" y="118" /><di:waypoint x="200" '
     'y="118" /></bpmndi:BPMNEdge>', "", "flow_1", 'id="flow_1"', "has no edge in the diagram"),
    ('<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36" />',
     '<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36" />'
     '</bpmndi:BPMNShape><bpmndi:BPMNShape id="end_di2" bpmnElement="end"><dc:Bounds x="1" y="1" width="1" '
     'height="1" />', "end", 'id="end"', "is drawn 2 times"),
    ('<dc:Bounds x="360" y="100" width="36" height="36" />', "", "end", 'id="end_di"', "has no dc:Bounds"),
    ('<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36" />'
     '</bpmndi:BPMNShape>', '<bpmndi:BPMNEdge id="end_di" bpmnElement="end" />', "end", 'id="end_di"',
     "where the modeler needs a bpmndi:BPMNShape"),
    ('<bpmndi:BPMNShape id="end_di"', '<bpmndi:BPMNShape id="message_di" bpmnElement="Message_due"><dc:Bounds x="1" '
     'y="1" width="1" height="1" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="end_di"', "message_di", 'id="message_di"',
     "which the modeler cannot draw"),
    ('<bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="vote" />',
     '<bpmn:sequenceFlow id="flow_1" sourceRef="start" />', "flow_1", 'id="flow_1"', "has no targetRef"),
    ('<bpmndi:BPMNShape id="start_di" bpmnElement="start">', '<bpmndi:BPMNShape id="start_di">', "start_di",
     'id="start_di"', "names no element (bpmnElement)"),
])
def test_what_the_modeler_cannot_read_or_draw_is_refused_naming_the_element_and_line(old, new, element, line_of,
                                                                                      reason):
    xml = _broken(old, new)
    problems = _problems(xml)
    assert any(p.filename == "small.bpmn" and p.element_id == element and reason in p.message
               and p.line == _line(xml, line_of) for p in problems), problems


def test_a_file_without_a_diagram_is_refused():
    xml = PROCESS[:PROCESS.index("  <bpmndi:BPMNDiagram")] + "</bpmn:definitions>\n"
    [problem] = _problems(xml)
    assert problem.filename == "small.bpmn" and "has no diagram" in problem.message


DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/"
    xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="defs" name="Small" namespace="http://x">
  <decision id="grade" name="Grade">
    <informationRequirement id="needs_score"><requiredDecision href="#score" /></informationRequirement>
    <decisionTable id="grade_table" hitPolicy="FIRST">
      <input id="in_score" label="Score"><inputExpression id="in_score_expr" typeRef="number"><text>score</text></inputExpression></input>
      <output id="out_grade" name="grade" typeRef="string" />
      <rule id="rule_1"><inputEntry id="rule_1_in"><text>&gt;= 600</text></inputEntry><outputEntry id="rule_1_out"><text>"A"</text></outputEntry></rule>
      <rule id="rule_2"><inputEntry id="rule_2_in"><text>-</text></inputEntry><outputEntry id="rule_2_out"><text>"B"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="score" name="Score">
    <decisionTable id="score_table">
      <input id="in_points" label="Points"><inputExpression id="in_points_expr" typeRef="number"><text>points</text></inputExpression></input>
      <output id="out_score" name="score" typeRef="number" />
      <rule id="rule_3"><inputEntry id="rule_3_in"><text>-</text></inputEntry><outputEntry id="rule_3_out"><text>points</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="diagram">
      <dmndi:DMNShape id="grade_di" dmnElementRef="grade"><dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


def test_the_small_decision_passes():
    assert engine.dmn_problems(DECISION, "small.dmn") == []


@pytest.mark.parametrize(("old", "new", "element", "line_of", "reason"), [
    ('<rule id="rule_2">', '<rule id="rule_1">', "rule_1", '<rule id="rule_1"><inputEntry id="rule_2_in">',
     "'rule_1' is used twice"),
    ('dmnElementRef="grade"', 'dmnElementRef="grading"', "grade_di", "dmnElementRef", "dmnElementRef names 'grading'"),
    ('href="#score"', 'href="#scoring"', "needs_score", "requiredDecision", "names no element of this file"),
    ('href="#score"', 'href="#rule_1"', "needs_score", "requiredDecision", "where it needs a dmn:Decision"),
    ('<output id="out_score"', '<outputs id="out_score"', "out_score", '<outputs id="out_score"',
     "is not an element of DMN"),
])
def test_what_dmn_js_cannot_read_or_draw_is_refused_naming_the_element_and_line(old, new, element, line_of, reason):
    xml = _broken(old, new, DECISION)
    problems = engine.dmn_problems(xml, "small.dmn")
    assert any(p.filename == "small.dmn" and p.element_id == element and reason in p.message
               and p.line == _line(xml, line_of) for p in problems), problems


@pytest.mark.parametrize("path", sorted((ROOT / "workflows").glob("*.bpmn")) + sorted((ROOT / "rules").glob("*.dmn")),
                         ids=lambda p: p.name)
def test_every_shipped_diagram_opens_in_the_modeler_as_it_is(path):
    root = parse_xml(path.read_text(encoding="utf-8"), path.name)
    issues = moddle.bpmn_issues(root) if path.suffix == ".bpmn" else moddle.dmn_issues(root)
    assert issues == []


@pytest.mark.parametrize(("package", "files"), [
    ("bpmn-moddle/resources/bpmn/json", ("bpmn/bpmn.json", "bpmn/bpmndi.json", "bpmn/dc.json", "bpmn/di.json")),
    ("dmn-moddle/resources/dmn/json", ("dmn/dmn13.json", "dmn/dmndi13.json", "dmn/dc.json", "dmn/di.json")),
])
def test_the_schemas_are_those_of_the_installed_modelers(package, files):
    """The checks read with the schemas bpmn-js and dmn-js use: after an upgrade of either, copy the new
    files from node_modules into app/engine/moddle/schema/."""
    for name in files:
        installed = NODE_MODULES / package / Path(name).name
        assert installed.is_file(), f"{installed} is missing: run `make assets`"
        assert json.loads(installed.read_text(encoding="utf-8")) == \
            json.loads((registry.SCHEMA / name).read_text(encoding="utf-8")), f"{name} differs from {installed}"
