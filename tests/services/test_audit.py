"""The audit log: what each step writes, and the hash chain that exposes tampering."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import audit
from app.services.cases import cases, tasks
from tests.factories import case_at, compliance_sign_off, intake, open_task


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def trail(instance_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
        )
    )


def ids() -> list[int]:
    return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


@pytest.fixture
def lifecycle(deployed, people):
    """A case approved by a second person: a real chain of a few dozen rows."""
    instance = case_at("approval", people.officer)
    level = instance.summary["approval_level"]
    approver = {1: people.approver1, 2: people.approver2, 3: people.approver3}[level]
    tasks.complete(
        approver, open_task(instance.id, "approval_signoff").id, {"decision": "approve", "comment": "同意"}
    )
    compliance_sign_off(instance, people.compliance)
    return instance, approver


def test_each_step_is_audited_with_its_actor(lifecycle, people):
    instance, approver = lifecycle
    events = trail(instance.id)
    assert events[0].event_type == "instance.started" and events[0].actor_name == "officer"
    assert events[0].payload["process_id"] == "credit_application" and events[0].payload["version"] == 1
    # (the completing task's own rows are written after the step's engine rows; see the report)
    [completed_event] = [e for e in events if e.event_type == "instance.completed"]
    assert completed_event.payload == {"outcome": "approved"} and completed_event.actor_name == "compliance"
    counts = Counter(e.event_type for e in events)
    assert counts["task.ready"] == counts["task.claimed"] == counts["task.completed"] == 5
    assert (
        counts["engine.decision_evaluated"] == 8
    )  # the grade capped by the class twice: rated, then adjusted
    completed = [(e.payload["task"], e.actor_name) for e in events if e.event_type == "task.completed"]
    assert completed == [
        ("application_intake", "officer"),
        ("financial_statements", "officer"),
        ("review_proposal", "officer"),
        ("approval_signoff", approver.username),
        ("compliance_checklist", "compliance"),
    ]
    claimed = [(e.payload["task"], e.actor_name) for e in events if e.event_type == "task.claimed"]
    assert claimed == [(task, actor) for task, actor in completed]
    ready = {e.payload["task"]: e.payload for e in events if e.event_type == "task.ready"}
    assert ready["approval_signoff"]["lane"] == "approver"
    assert ready["approval_signoff"]["required_level"] == instance.summary["approval_level"]
    decisions = [e for e in events if e.event_type == "engine.decision_evaluated"]
    assert [e.payload["decision"] for e in decisions] == [
        "customer_segment",
        "credit_rating",
        "classification_grade_cap",
        "limit_proposal",
        "large_exposure",
        "classification_grade_cap",
        "approval_sla",
        "approval_authority",
    ]
    assert [e.payload["element"] for e in decisions] == [
        "classify_customer",
        "rate_customer",
        "cap_grade",
        "propose_limit",
        "large_exposure_limits",
        "cap_adjusted_grade",
        "approval_sla",
        "approval_authority",
    ]
    assert decisions[0].payload["inputs"]["industry"] == "manufacturing"
    assert decisions[0].payload["matched_rules"] and decisions[0].payload["outputs"]["segment"]
    # the submission is in the trail as submitted
    intake_done = next(e for e in events if e.event_type == "task.completed")
    assert intake_done.payload["data"]["uscc"] == intake()["uscc"]
    gateway = [e.payload["element"] for e in events if e.event_type == "engine.gateway_taken"]
    assert gateway == [
        "approval_route",
        "signoff_decision",
        "compliance_decision_gateway",
        "compliance_outcome",
    ]


def test_the_chain_of_a_real_lifecycle_verifies(lifecycle):
    report = audit.verify_chain()
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert total > 30
    assert report.ok and (report.checked, report.broken_at, report.reason) == (total, None, None)
    assert audit.verify_chain(batch=7).checked == total  # batching does not change the answer


def test_each_row_chains_to_the_previous_one(lifecycle):
    rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert len({r.hash for r in rows}) == len(rows)


def test_an_edited_payload_is_named(lifecycle):
    target = next(e for e in trail(lifecycle[0].id) if e.event_type == "task.completed")
    db.session.execute(
        text("UPDATE audit_event SET payload = :p WHERE id = :id"),
        {"p": '{"task": "approval_signoff", "data": {"decision": "reject"}}', "id": target.id},
    )
    db.session.commit()
    db.session.expire_all()
    report = audit.verify_chain()
    assert (report.ok, report.broken_at) == (False, target.id)
    assert "altered" in report.reason and report.checked == ids().index(target.id)


@pytest.mark.parametrize("column", ["actor_name", "event_type"])
def test_an_edited_column_is_named(lifecycle, column):
    target = ids()[5]
    db.session.execute(text(f"UPDATE audit_event SET {column} = 'forged' WHERE id = :id"), {"id": target})
    db.session.commit()
    db.session.expire_all()
    assert audit.verify_chain().broken_at == target


def test_a_deleted_row_is_named_by_the_row_after_it(lifecycle):
    all_ids = ids()
    gone = all_ids[10]
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": gone})
    db.session.commit()
    db.session.expire_all()
    report = audit.verify_chain()
    assert (report.ok, report.broken_at) == (False, all_ids[11])
    assert "previous hash" in report.reason and report.checked == 10


def _open_gap_after(position: int) -> tuple[int, int]:
    """Move every row after ``position`` up by 1000 ids; return (id of the row before the gap, next row's id)."""
    all_ids = ids()
    before = all_ids[position]
    db.session.execute(text("UPDATE audit_event SET id = id + 1000 WHERE id > :id"), {"id": before})
    return before, all_ids[position + 1] + 1000


def test_a_row_inserted_in_the_middle_is_named(lifecycle):
    before, _ = _open_gap_after(10)
    db.session.execute(
        text(
            "INSERT INTO audit_event (id, occurred_at, event_type, actor_id, actor_name, payload, prev_hash, hash) "
            "VALUES (:id, :at, 'task.completed', NULL, 'mallory', '{}', :prev, :hash)"
        ),
        {"id": before + 1, "at": datetime(2025, 1, 1), "prev": "f" * 64, "hash": "e" * 64},
    )
    db.session.commit()
    db.session.expire_all()
    report = audit.verify_chain()
    assert (report.ok, report.broken_at) == (False, before + 1)


def test_a_well_forged_inserted_row_breaks_the_link_to_the_next_row(lifecycle):
    before, after = _open_gap_after(10)
    previous = db.session.get(AuditEvent, before)
    forged = AuditEvent(
        id=before + 1,
        occurred_at=datetime(2025, 1, 1),
        event_type="task.completed",
        actor_id=None,
        actor_name="mallory",
        payload={"task": "approval_signoff"},
        prev_hash=previous.hash,
    )
    forged.hash = audit._digest(forged, audit.chain_key())  # the forger knows the algorithm, even the key
    db.session.add(forged)
    db.session.commit()
    db.session.expire_all()
    report = audit.verify_chain()
    assert (report.ok, report.broken_at) == (False, after)


def test_record_appends_after_tampering_without_hiding_it(lifecycle, people):
    target = ids()[3]
    db.session.execute(text("UPDATE audit_event SET actor_name = 'x' WHERE id = :id"), {"id": target})
    db.session.commit()
    cases.start_case(people.officer, "credit_application")
    db.session.expire_all()
    assert audit.verify_chain().broken_at == target


def test_payloads_are_stored_as_json_types():
    value = {
        "when": datetime(2025, 3, 1, 8, 30),
        "day": date(2025, 3, 1),
        "amount": Decimal("1.10"),
        "tags": {"b", "a"},
        "nested": [Decimal("2")],
    }
    assert audit.to_json_safe(value) == {
        "when": "2025-03-01T08:30:00",
        "day": "2025-03-01",
        "amount": "1.10",
        "tags": ["a", "b"],
        "nested": ["2"],
    }
    with pytest.raises(TypeError):
        audit.to_json_safe({"x": object()})


def test_the_hash_formula_is_the_documented_one():
    """HMAC-SHA256, keyed with the audit key, of the canonical JSON list of the hashed columns (plain
    SHA-256 for a chain from before the key): rows already stored must keep verifying whatever shortcut the
    writer takes (here, the payload's JSON spliced in)."""
    import hashlib
    import hmac
    import json

    payload = {"b": [1, {"z": "中文", "a": Decimal("2.50")}], "a": None, 3: "mixed keys"}
    row = {
        "occurred_at": datetime(2026, 11, 30, 8, 0, 1, 5),
        "event_type": "task.completed",
        "actor_id": 7,
        "actor_name": "officer",
        "instance_id": 12,
        "customer_id": None,
        "payload": audit.to_json_safe(payload),
        "prev_hash": "ab" * 32,
    }
    body = json.dumps(
        ["2026-11-30T08:00:01.000005", "task.completed", 7, "officer", 12, None, row["payload"], "ab" * 32],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    key = b"a key kept outside the database"
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    assert audit._digest_of(row, key=key) == expected
    assert audit._digest_of(row, audit._encode_payload(payload), key=key) == expected
    assert audit._digest_of(row, key=None) == hashlib.sha256(body).hexdigest()


def test_the_trail_reads_in_the_order_things_happened(deployed, people):
    """The sign-off comes before what the engine did because of it (gateway, end, facility)."""
    case = case_at("approval", people.officer)
    tasks.complete(
        people.approver3,
        open_task(case.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    compliance_sign_off(case, people.compliance)
    trail = [
        (e.event_type, e.payload.get("task") or e.payload.get("element"))
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == case.id).order_by(AuditEvent.id)
        )
    ]
    signed = trail.index(("task.completed", "approval_signoff"))
    assert trail.index(("task.claimed", "approval_signoff")) == signed - 1
    assert signed < trail.index(("engine.gateway_taken", "signoff_decision"))
    signed_off = trail.index(("task.completed", "compliance_checklist"))
    assert signed < signed_off < trail.index(("instance.completed", None))
    assert audit.verify_chain().ok


def test_interleaved_transactions_never_fork_the_chain(tmp_path):
    """Rows are chained at commit under the chain lock: a transaction that recorded first but
    commits second chains to the other's row, not to the head it could have seen earlier."""
    from app import create_app
    from config import TestingConfig

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/chain.sqlite")
    with app.app_context():
        db.create_all()
        audit.record("seed")
        db.session.commit()
        with app.app_context():  # request A records ...
            audit.record("auth.login_failed", username="a")
            with app.app_context():  # ... request B records and commits meanwhile ...
                audit.record("auth.login_failed", username="b")
                db.session.commit()
            db.session.commit()  # ... then A commits
        report = audit.verify_chain()
        assert report.ok and report.checked == 3
        names = db.session.scalars(select(AuditEvent.payload).order_by(AuditEvent.id)).all()
        assert [p.get("username") for p in names] == [None, "b", "a"]
        db.session.remove()
        db.engine.dispose()
