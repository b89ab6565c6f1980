"""The keyed audit chain and its anchor: a forgery re-chained with the unkeyed digest, a deleted tail, a
re-chained log and an altered anchor are each named by ``flask audit verify``; a chain from before the key
is re-keyed once; production refuses a missing or weak audit key."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import audit, audit_anchor, audit_checks
from config import DEVELOPMENT_AUDIT_KEY, ConfigError, check_audit_key
from tests.factories import case_at

HASHED = ("occurred_at", "event_type", "actor_id", "actor_name", "instance_id", "customer_id", "payload")


@pytest.fixture
def chain(app, deployed, people, tmp_path, monkeypatch):
    """A case's few dozen audit rows, an anchor file of its own; yields the anchor's path."""
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR", str(tmp_path / "audit-anchor"))
    case_at("approval", people.officer)
    return tmp_path / "audit-anchor"


def ids() -> list[int]:
    return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def rechain_from(position: int, key: bytes | None) -> None:
    """What someone who can write the table does: rebuild every hash from ``position`` on with ``key``."""
    rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    prev = rows[position - 1].hash if position else audit.GENESIS
    for row in rows[position:]:
        values = {name: getattr(row, name) for name in HASHED} | {"prev_hash": prev}
        db.session.execute(
            text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": (prev := audit._digest_of(values, key=key)), "id": row.id},
        )
    db.session.commit()
    db.session.expire_all()


def test_a_forgery_re_chained_with_the_unkeyed_digest_is_named(chain):
    target = ids()[5]
    db.session.execute(text("UPDATE audit_event SET actor_name = 'mallory' WHERE id = :id"), {"id": target})
    rechain_from(5, key=None)  # the formula is public; the key is not
    report = audit_anchor.verify()
    assert (report.ok, report.broken_at) == (False, target)
    assert "forged without the audit key" in report.reason


def test_a_deleted_tail_is_named_against_the_anchor(chain):
    assert audit_anchor.verify().ok
    anchored = json.loads(chain.read_text())
    assert anchored["id"] == ids()[-1] and anchored["count"] == len(ids())
    db.session.execute(text("DELETE FROM audit_event WHERE id > :id"), {"id": ids()[-6]})
    db.session.commit()
    assert audit.verify_chain().ok  # what is left is still a valid chain ...
    report = audit_anchor.verify()  # ... but not the one that was anchored
    assert not report.ok and report.reason.startswith("truncated") and report.broken_at == anchored["id"]
    assert json.loads(chain.read_text()) == anchored  # a broken check never moves the anchor


def test_a_re_chained_log_is_named_even_with_the_key(chain):
    """Whoever holds the key and the table (not the anchor's disk) rebuilt the log from row 3."""
    assert audit_anchor.verify().ok
    db.session.execute(text("UPDATE audit_event SET actor_name = 'mallory' WHERE id = :id"), {"id": ids()[3]})
    rechain_from(3, key=audit.chain_key())
    report = audit_anchor.verify()
    assert not report.ok and report.reason.startswith("re-chained")


def test_an_altered_anchor_is_named_and_the_daily_check_alerts(chain, people):
    assert audit_checks.verify_and_alert().ok
    stored = json.loads(chain.read_text())
    chain.write_text(json.dumps({**stored, "id": stored["id"] - 3}))
    report = audit_checks.verify_and_alert()
    assert not report.ok and "altered" in report.reason
    last = audit_checks.last_check()
    assert last.payload["ok"] is False and "altered" in last.payload["reason"]


def test_a_chain_from_before_the_key_is_re_keyed_once(chain):
    rechain_from(0, key=None)  # as every chain was written before the audit key
    assert not audit.verify_chain().ok
    total = len(ids())
    assert audit_anchor.rekey(None) == total
    assert audit_anchor.verify().ok and json.loads(chain.read_text())["count"] == total
    assert audit_anchor.rekey(None) == 0  # already keyed: nothing to do


def test_a_key_is_rotated_and_a_broken_chain_is_never_re_keyed(chain, app, monkeypatch):
    old = audit.chain_key()
    monkeypatch.setitem(app.config, "AUDIT_KEY", "a second key, rotated in: " + "k" * 20)
    assert audit_anchor.rekey(old) == len(ids()) and audit.verify_chain().ok
    db.session.execute(text("UPDATE audit_event SET actor_name = 'mallory' WHERE id = :id"), {"id": ids()[2]})
    db.session.commit()
    before = list(db.session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id)))
    monkeypatch.setitem(app.config, "AUDIT_KEY", "a third key " + "z" * 30)
    with pytest.raises(audit.ChainUnreadable, match=f"audit event {ids()[2]} "):
        audit_anchor.rekey(b"a second key, rotated in: " + b"k" * 20)
    db.session.expire_all()
    assert list(db.session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id))) == before


def test_the_cli_names_a_cut_log(chain, app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids()[-1]})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "truncated" in result.output


@pytest.mark.parametrize("key", [None, "", "changeme", DEVELOPMENT_AUDIT_KEY, "a" * 64, "0123456789abcdef"])
def test_production_refuses_a_missing_or_weak_audit_key(key):
    with pytest.raises(ConfigError, match="CREDIT_AUDIT_KEY"):
        check_audit_key(key, "another secret")


def test_production_takes_a_strong_audit_key_apart_from_the_secret_key():
    strong = "9f1c2e7a4b8d3f6e0a5c1b9d7e2f4a6c8b0d3e5f7a9c1e2b"
    check_audit_key(strong, "another secret")
    with pytest.raises(ConfigError, match="differ"):
        check_audit_key(strong, strong)
