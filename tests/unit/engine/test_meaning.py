"""The meaning of a diagram, layout aside: what a modeler's save may change (layout, formatting, prefixes,
attribute order, defaults written or not) and what it may not (anything the engine reads)."""

from __future__ import annotations

from app.engine.meaning import differences
from tests.unit.engine.small_diagrams import DECISION, PROCESS, broken


def test_layout_formatting_prefixes_and_defaults_mean_nothing():
    moved = broken('<dc:Bounds x="200" y="80"', '<dc:Bounds x="420" y="300"')
    assert differences(PROCESS, moved) == []
    reformatted = PROCESS.replace("\n      <bpmn:", "<bpmn:").replace(
        'id="flow_1" sourceRef="start"', 'sourceRef="start" id="flow_1"'
    )
    assert differences(PROCESS, reformatted) == []
    prefixed = PROCESS.replace("bpmn:", "b:").replace("xmlns:bpmn=", "xmlns:b=")  # xsi:type="b:tFormal…" too
    assert differences(PROCESS, prefixed) == []
    interrupting = broken(
        '<bpmn:boundaryEvent id="late" attachedToRef="vote">',
        '<bpmn:boundaryEvent id="late" attachedToRef="vote" cancelActivity="true">',
    )
    assert differences(PROCESS, interrupting) == []
    assert differences(
        DECISION,
        broken('hitPolicy="FIRST"', "", DECISION).replace(
            '<decisionTable id="score_table">', '<decisionTable id="score_table" hitPolicy="UNIQUE">'
        ),
    ) == ["/definitions#defs/decision#grade/decisionTable#grade_table @hitPolicy: 'FIRST' → None"]


def test_what_the_engine_reads_is_meaning():
    lost = broken("<bpmn:loopDataInputRef>members</bpmn:loopDataInputRef>", "")
    assert differences(PROCESS, lost) == [
        "/definitions#defs/process#small/userTask#vote/multiInstanceLoopCharacteristics/loopDataInputRef: lost"
    ]
    condition = broken(">True</bpmn:conditionExpression>", ">False</bpmn:conditionExpression>")
    assert differences(PROCESS, condition) == [
        "/definitions#defs/process#small/sequenceFlow#flow_2/conditionExpression text: 'True' → 'False'"
    ]
    form = broken('value="vote.json"', 'value="ballot.json"')
    assert [d.split(" @")[1] for d in differences(PROCESS, form)] == ["value: 'vote.json' → 'ballot.json'"]
    cell = broken("<text>&gt;= 600</text>", "<text>&gt;= 650</text>", DECISION)
    assert differences(DECISION, cell) == [
        "/definitions#defs/decision#grade/decisionTable#grade_table/rule#rule_1/inputEntry#rule_1_in/text text: "
        "'>= 600' → '>= 650'"
    ]
    swapped = DECISION.replace('<rule id="rule_1">', '<rule id="rule_x">').replace(
        '<rule id="rule_2">', '<rule id="rule_1">'
    )
    assert len(differences(DECISION, swapped)) >= 2  # the order of rules is meaning (first hit)
