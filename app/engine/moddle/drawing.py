"""What the modelers draw, and what they cannot.

bpmn-js (its ``BpmnTreeWalker`` and ``BpmnImporter``) draws an element only from its diagram interchange
(DI): a ``bpmndi:BPMNShape`` with ``dc:Bounds`` for a flow node, a lane, a pool, a data reference or an
annotation, a ``bpmndi:BPMNEdge`` for a sequence flow, a message flow or an association. An element without
one is silently left out (and a flow that connects it fails: "not yet drawn"); two for one element, a DI of
the wrong kind, a flow without its ends or a boundary event attached to nothing fail the element's import.
dmn-js draws a requirement between the decisions, inputs and knowledge its ``href`` names.
"""

from __future__ import annotations

import math

from lxml import etree

from app.engine.moddle.reader import Issue, Reading, owner_id
from app.engine.moddle.registry import Registry, UnknownType

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"

SHAPES = (
    "bpmn:FlowNode",
    "bpmn:DataObjectReference",
    "bpmn:DataStoreReference",
    "bpmn:Lane",
    "bpmn:Participant",
    "bpmn:TextAnnotation",
    "bpmn:Group",
)
EDGES = ("bpmn:SequenceFlow", "bpmn:MessageFlow", "bpmn:Association")
ROOTS = ("bpmn:Process", "bpmn:SubProcess", "bpmn:Collaboration")
OPTIONAL = ("bpmn:DataAssociation", "bpmn:DataInput", "bpmn:DataOutput")  # drawn when the file gives a DI
ENDS = {
    "bpmn:SequenceFlow": ("sourceRef", "targetRef"),
    "bpmn:MessageFlow": ("sourceRef", "targetRef"),
    "bpmn:Association": ("sourceRef", "targetRef"),
    "bpmn:BoundaryEvent": ("attachedToRef",),
}
# what a DMN requirement's href may name
REQUIRED = {
    "requiredDecision": "dmn:Decision",
    "requiredInput": "dmn:InputData",
    "requiredKnowledge": "dmn:Invocable",
    "requiredAuthority": "dmn:KnowledgeSource",
}


def _is(registry: Registry, type_name: str, kinds: tuple[str, ...]) -> bool:
    try:
        return any(registry.has_type(type_name, kind) for kind in kinds)
    except UnknownType:
        return False


def _issue(element: etree._Element, message: str, element_id: str | None = None) -> Issue:
    return Issue(element_id or owner_id(element), element.sourceline, message)


def _bounded(shape: etree._Element) -> bool:
    bounds = shape.find(f"{{{DC}}}Bounds")
    if bounds is None:
        return False
    try:
        values = [float(bounds.get(a, "")) for a in ("x", "y", "width", "height")]
    except ValueError:
        return False
    return all(math.isfinite(v) for v in values)


def bpmn_issues(root: etree._Element, reading: Reading, registry: Registry) -> list[Issue]:
    """Every element bpmn-js would not draw, each named with its line."""
    if root.find(f"{{{BPMNDI}}}BPMNDiagram") is None:
        return [
            Issue(
                None,
                root.sourceline,
                "the file has no diagram (bpmndi:BPMNDiagram): the modeler has nothing to draw",
            )
        ]
    issues: list[Issue] = []
    drawn: dict[str, list[etree._Element]] = {}
    for di in root.iter(f"{{{BPMNDI}}}BPMNPlane", f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        target = di.get("bpmnElement")
        if target:
            drawn.setdefault(target, []).append(di)
        else:
            issues.append(
                _issue(
                    di,
                    f"<bpmndi:{etree.QName(di).localname}> names no element (bpmnElement): "
                    "the modeler cannot draw it",
                    di.get("id"),
                )
            )
    for target, dis in drawn.items():
        node = reading.nodes.get(target)
        if node is None or target in reading.duplicated:
            continue  # an unresolved bpmnElement is the reference check's, a duplicated id the id check's
        planes = [di for di in dis if etree.QName(di).localname == "BPMNPlane"]
        if planes and not _is(registry, node.type, ROOTS):
            issues.append(
                _issue(
                    planes[0],
                    f"the diagram's plane shows {target!r}, a <{node.tag}>: it must show "
                    "a process, a sub-process or a collaboration",
                    planes[0].get("id"),
                )
            )
        if not _is(registry, node.type, SHAPES + EDGES + ROOTS + OPTIONAL):
            issues.append(
                _issue(
                    dis[0],
                    f"the diagram draws {target!r}, a <{node.tag}>, which the modeler cannot draw",
                    dis[0].get("id"),
                )
            )
    for element, type_name in reading.types.items():
        shape, edge = _is(registry, type_name, SHAPES), _is(registry, type_name, EDGES)
        if shape or edge:
            issues += _drawing(element, type_name, shape, drawn.get(element.get("id") or "", []))
        elif _is(registry, type_name, ("bpmn:DataAssociation",)) and element.get("id") in drawn:
            issues += _association_ends(element, drawn, reading)
    return issues


def _drawing(element: etree._Element, type_name: str, shape: bool, dis: list[etree._Element]) -> list[Issue]:
    tag = f"{element.prefix + ':' if element.prefix else ''}{etree.QName(element).localname}"
    element_id = element.get("id")
    if not element_id:
        return [_issue(element, f"<{tag}> has no id: the modeler cannot draw it")]
    issues = [
        _issue(element, f"<{tag}> has no {attribute}: the modeler cannot draw it")
        for attribute in ENDS.get(type_name, ())
        if not element.get(attribute)
    ]
    wanted = "BPMNShape" if shape else "BPMNEdge"
    marks = [di for di in dis if etree.QName(di).localname != "BPMNPlane"]
    if not marks:
        return issues + [
            _issue(
                element,
                f"<{tag}> has no {'shape' if shape else 'edge'} in the diagram "
                f"(bpmndi:{wanted}): the modeler leaves it out, so it can be neither "
                "seen nor edited there",
            )
        ]
    if len(marks) > 1:
        lines = ", ".join(str(di.sourceline) for di in marks)
        issues.append(
            _issue(
                element,
                f"<{tag}> is drawn {len(marks)} times in the diagram (lines {lines}): the "
                "modeler draws it once and reports the others",
            )
        )
    di = marks[0]
    if etree.QName(di).localname != wanted:
        issues.append(
            _issue(
                di,
                f"<{tag}> is drawn with a bpmndi:{etree.QName(di).localname}, where the "
                f"modeler needs a bpmndi:{wanted}",
                element_id,
            )
        )
    elif shape and not _bounded(di):
        issues.append(
            _issue(
                di,
                f"the shape of <{tag}> has no dc:Bounds (x, y, width, height): the modeler cannot draw it",
                element_id,
            )
        )
    return issues


def _association_ends(element: etree._Element, drawn: dict, reading: Reading) -> list[Issue]:
    """A drawn data association connects drawn elements (a data object is drawn by its references)."""
    issues = []
    for side in ("sourceRef", "targetRef"):
        for ref in element.findall(f"{{{BPMN}}}{side}"):
            target = (ref.text or "").strip()
            if target in reading.nodes and target not in drawn:
                issues.append(
                    _issue(
                        ref,
                        f"the data association {element.get('id')!r} connects {target!r}, which "
                        "the diagram does not draw: the modeler cannot draw the association",
                    )
                )
    return issues


def dmn_issues(root: etree._Element, reading: Reading, registry: Registry) -> list[Issue]:
    """Every requirement whose ``href`` names no decision, input or knowledge of the file (dmn-js cannot
    draw it)."""
    issues = []
    for local, wanted in REQUIRED.items():
        for ref in root.iter(f"{{{DMN}}}{local}"):
            href = ref.get("href") or ""
            target = reading.nodes.get(href.removeprefix("#")) if href.startswith("#") else None
            if target is None:
                issues.append(
                    _issue(
                        ref,
                        f"<{local}> href={href!r} names no element of this file (write "
                        "#the-id): the modeler cannot draw the requirement",
                    )
                )
            elif not _is(registry, target.type, (wanted,)):
                issues.append(
                    _issue(ref, f"<{local}> href={href!r} names a <{target.tag}>, where it needs a {wanted}")
                )
    return issues
