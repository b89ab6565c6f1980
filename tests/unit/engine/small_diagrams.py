"""A small BPMN process and a small DMN decision that pass the modeler checks, with :func:`broken` to change one in
a single place and :func:`line_number` to find a line: for the modeler checks and the tests of a diagram's meaning."""

from __future__ import annotations

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


def broken(old: str, new: str, source: str = PROCESS) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


def line_number(xml: str, text: str) -> int:
    return next(n for n, line in enumerate(xml.splitlines(), start=1) if text in line)
