"""Validation refuses what bpmn-js cannot import, would drop or cannot draw: each refusal with a small broken
process, named by file, element and line."""

from __future__ import annotations

import pytest

from app import engine
from tests.unit.engine.small_diagrams import PROCESS, broken, line_number


def _problems(xml: str, name: str = "small.bpmn") -> list[engine.Problem]:
    return engine.validate_bundle(name, xml, {}, {"vote.json": {"type": "object", "properties": {}}})


def test_the_small_diagram_passes():
    assert _problems(PROCESS) == []


def test_an_id_shared_by_a_message_and_the_start_event_is_refused_naming_both_and_their_lines():
    xml = broken('<bpmn:message id="Message_due"', '<bpmn:message id="start"')
    xml = broken('messageRef="Message_due"', 'messageRef="start"', xml)
    [problem] = _problems(xml)
    assert (problem.filename, problem.element_id, problem.line) == (
        "small.bpmn",
        "start",
        line_number(xml, "<bpmn:startEvent"),
    )
    assert "'start' is used twice" in problem.message
    assert f"<bpmn:message> (line {line_number(xml, '<bpmn:message ')})" in problem.message
    assert f"<bpmn:startEvent> (line {line_number(xml, '<bpmn:startEvent')})" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "element", "line_of", "reason"),
    [
        # references that name nothing: the modeler drops them, and its next save loses them
        (
            "<bpmn:loopDataInputRef>members<",
            "<bpmn:loopDataInputRef>committee_members<",
            "vote",
            "loopDataInputRef",
            "loopDataInputRef names 'committee_members', which is no element",
        ),
        ('targetRef="end"', 'targetRef="finish"', "flow_2", 'id="flow_2"', "targetRef names 'finish'"),
        (
            'messageRef="Message_due"',
            'messageRef="due"',
            "start_message",
            "messageRef",
            "messageRef names 'due'",
        ),
        (
            'attachedToRef="vote"',
            'attachedToRef="voting"',
            "late",
            "attachedToRef",
            "attachedToRef names 'voting'",
        ),
        (
            'bpmnElement="end"',
            'bpmnElement="the_end"',
            "end_di",
            'id="end_di"',
            "bpmnElement names 'the_end'",
        ),
        ("<bpmn:incoming>flow_1<", "<bpmn:incoming>flow_0<", "vote", "flow_0", "incoming names 'flow_0'"),
        (
            '<bpmn:userTask id="vote" name="Vote">',
            '<bpmn:userTask id="vote" name="Vote" default="flow_9">',
            "vote",
            'id="vote"',
            "default names 'flow_9'",
        ),
        # references to an element of another kind
        (
            'messageRef="Message_due"',
            'messageRef="vote"',
            "start_message",
            "messageRef",
            "names 'vote', a <bpmn:userTask>",
        ),
        ('sourceRef="start"', 'sourceRef="Message_due"', "flow_1", 'id="flow_1"', "expects a bpmn:FlowNode"),
        (
            "<bpmn:loopDataInputRef>members<",
            "<bpmn:loopDataInputRef>end<",
            "vote",
            "loopDataInputRef",
            "expects a bpmn:ItemAwareElement",
        ),
        # elements the modeler does not know, or that cannot stand where they are
        (
            '<bpmn:endEvent id="end">\n      <bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvent>',
            '<bpmn:endEvnt id="end">\n      <bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvnt>',
            "end",
            "endEvnt",
            "is not an element of BPMN",
        ),
        (
            "<bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvent>",
            "<bpmn:incoming>flow_2</bpmn:incoming>\n      <bpmn:process id='inner' />\n    </bpmn:endEvent>",
            "inner",
            "<bpmn:process id='inner'",
            "cannot stand inside <bpmn:EndEvent>",
        ),
        (
            "<bpmn:incoming>flow_2</bpmn:incoming>\n    </bpmn:endEvent>",
            "<bpmn:incoming>flow_2</bpmn:incoming>\n      <camunda:x xmlns:camunda='http://camunda.org/schema/1.0/bpmn' />"
            "\n    </bpmn:endEvent>",
            "end",
            "<camunda:x",
            "only extension elements hold other namespaces",
        ),
        (
            'xsi:type="bpmn:tFormalExpression"',
            'xsi:type="bpmn:tFormula"',
            "flow_2",
            "conditionExpression",
            "has the unknown type 'bpmn:tFormula'",
        ),
        (
            '<bpmn:endEvent id="end">',
            '<bpmn:endEvent id="end">the end',
            "end",
            '<bpmn:endEvent id="end">',
            "holds text the modeler drops",
        ),
        (
            '<bpmn:userTask id="vote" name="Vote">',
            '<bpmn:userTask id="vote" name="Vote" bpmn:owner="me">',
            "vote",
            'id="vote"',
            "attribute bpmn:owner",
        ),
        (
            '<bpmn:endEvent id="end">',
            '<bpmn:endEvent id="1st end">',
            "1st end",
            "<bpmn:endEvent",
            "is not a valid XML id",
        ),
        (
            '<bpmn:endEvent id="end">',
            '<bpmn:endEvent id="结束">',
            "结束",
            "<bpmn:endEvent",
            "is not a valid XML id",
        ),
        # what the modeler cannot draw
        (
            '<bpmndi:BPMNShape id="vote_di" bpmnElement="vote"><dc:Bounds x="200" y="80" width="100" height="80" />'
            "</bpmndi:BPMNShape>",
            "",
            "vote",
            'id="vote"',
            "has no shape in the diagram",
        ),
        (
            '<bpmndi:BPMNEdge id="flow_1_di" bpmnElement="flow_1"><di:waypoint x="136" y="118" /><di:waypoint x="200" '
            'y="118" /></bpmndi:BPMNEdge>',
            "",
            "flow_1",
            'id="flow_1"',
            "has no edge in the diagram",
        ),
        (
            '<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36" />',
            '<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36" />'
            '</bpmndi:BPMNShape><bpmndi:BPMNShape id="end_di2" bpmnElement="end"><dc:Bounds x="1" y="1" width="1" '
            'height="1" />',
            "end",
            'id="end"',
            "is drawn 2 times",
        ),
        (
            '<dc:Bounds x="360" y="100" width="36" height="36" />',
            "",
            "end",
            'id="end_di"',
            "has no dc:Bounds",
        ),
        (
            '<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36" />'
            "</bpmndi:BPMNShape>",
            '<bpmndi:BPMNEdge id="end_di" bpmnElement="end" />',
            "end",
            'id="end_di"',
            "where the modeler needs a bpmndi:BPMNShape",
        ),
        (
            '<bpmndi:BPMNShape id="end_di"',
            '<bpmndi:BPMNShape id="message_di" bpmnElement="Message_due"><dc:Bounds x="1" '
            'y="1" width="1" height="1" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="end_di"',
            "message_di",
            'id="message_di"',
            "which the modeler cannot draw",
        ),
        (
            '<bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="vote" />',
            '<bpmn:sequenceFlow id="flow_1" sourceRef="start" />',
            "flow_1",
            'id="flow_1"',
            "has no targetRef",
        ),
        (
            '<bpmndi:BPMNShape id="start_di" bpmnElement="start">',
            '<bpmndi:BPMNShape id="start_di">',
            "start_di",
            'id="start_di"',
            "names no element (bpmnElement)",
        ),
    ],
)
def test_what_the_modeler_cannot_read_or_draw_is_refused_naming_the_element_and_line(
    old, new, element, line_of, reason
):
    xml = broken(old, new)
    problems = _problems(xml)
    assert any(
        p.filename == "small.bpmn"
        and p.element_id == element
        and reason in p.message
        and p.line == line_number(xml, line_of)
        for p in problems
    ), problems


def test_a_file_without_a_diagram_is_refused():
    xml = PROCESS[: PROCESS.index("  <bpmndi:BPMNDiagram")] + "</bpmn:definitions>\n"
    [problem] = _problems(xml)
    assert problem.filename == "small.bpmn" and "has no diagram" in problem.message
