"""What the instance migration tests share (with the race and the migration pages' tests): version 2 of the credit
application deployed from a changed copy of workflows/ (by default without the officer's review), and a case read
afresh from the database."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from app.extensions import db
from app.models import ProcessInstance
from app.services.design.deployment import deployment

ROOT = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
REMOVED = "review_proposal"


def without_review(xml: str) -> str:
    """The credit application with its review task taken out and the flows into it led past it."""
    root = etree.fromstring(xml.encode())
    process = root.find(f"{BPMN}process")
    leaving = process.find(f"{BPMN}sequenceFlow[@sourceRef='{REMOVED}']")
    gone = {REMOVED, leaving.get("id")}
    doomed = [process.find(f"{BPMN}userTask[@id='{REMOVED}']"), leaving]
    doomed += [e for e in root.iter(f"{DI}BPMNShape", f"{DI}BPMNEdge") if e.get("bpmnElement") in gone]
    doomed += [ref for ref in root.iter(f"{BPMN}flowNodeRef") if ref.text == REMOVED]
    after = process.find(f"{BPMN}scriptTask[@id='apply_rating_override']")
    doomed += after.findall(f"{BPMN}incoming")
    for element in doomed:
        element.getparent().remove(element)
    for position, flow in enumerate(process.findall(f"{BPMN}sequenceFlow[@targetRef='{REMOVED}']")):
        flow.set("targetRef", "apply_rating_override")
        incoming = etree.Element(f"{BPMN}incoming")
        incoming.text = flow.get("id")
        after.insert(position, incoming)
    return etree.tostring(root, encoding="unicode")


def deploy_without_review(app, tmp_path: Path, monkeypatch, designer, change=without_review) -> int:
    """Deploy version 2, the credit application as ``change`` makes it (its diagrams read from a copy of
    workflows/); returns its definition id."""
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    for path in (ROOT / "workflows").glob("*.bpmn"):  # the path tests of version 1 stay behind
        text = path.read_text(encoding="utf-8")
        (workflows / path.name).write_text(
            change(text) if path.name == "credit_application.bpmn" else text, encoding="utf-8"
        )
    monkeypatch.setitem(app.config, "WORKFLOWS_DIR", str(workflows))
    deployment.deploy_files(actor=designer, note="复核并入审批")
    latest = deployment.latest_definition("credit_application")
    assert latest.version == 2
    return latest.id


def fresh(instance_id: int) -> ProcessInstance:
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id)
