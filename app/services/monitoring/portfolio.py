"""The portfolio check (组合预警扫描): every customer with a live facility, evaluated at once against
``rules/warning_rules.dmn`` (vectorized, exactly the engine's answer per row). Each warning not already
open for that customer, nor raised before from the very figures it rests on (the statement year for a
rule on statements, else the observation date), becomes an ``EarlyWarning`` with the figures its rule
tests and the date of the observation that triggered it; the database refuses a second open one (two
checks at once). The new warnings of one customer start one ``workflows/warning_escalation.bpmn``
together, or join the one of that customer still at its investigation (``escalations``).

The rules' inputs, one row per watched customer, are gathered by ``portfolio_inputs``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError

from app.engine.dmn import load_dmn, rule_descriptions
from app.engine.dmn.vectorized import compile_decision
from app.errors import DomainError, Unavailable
from app.extensions import db
from app.models import EarlyWarning, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.monitoring import escalations
from app.services.monitoring.portfolio_inputs import EVIDENCE, INPUTS, STATEMENT_INPUTS, portfolio_frame
from app.services.shared import one_by_one

RULES_FILE = "warning_rules.dmn"
DECISION = "warning_rules"
SCOPED = 1000  # up to this many customers, the warnings read are theirs only (else the whole table, once)


@dataclass
class ScanResult:
    customers: int
    signals: int  # warnings the rules raised, open ones included
    raised: list[int]  # the new EarlyWarning ids
    rules_hash: str
    started: list[int] = field(default_factory=list)  # the escalations started (instance ids)
    joined: list[int] = field(
        default_factory=list
    )  # the escalations at their investigation new warnings joined


# Told after each customer with new warnings is done: (the result so far, customers done, customers in all).
Progress = Callable[[ScanResult, int, int], None]


def rules_source() -> tuple[str, str]:
    """The warning rules in force and their SHA-256 (kept with every warning raised)."""
    text = (Path(current_app.config["RULES_DIR"]) / RULES_FILE).read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode()).hexdigest()


def scan(
    actor: User | None = None, progress: Progress | None = None, customer_ids: Collection[int] | None = None
) -> ScanResult:
    """Evaluate every watched customer (or those of ``customer_ids`` with a live facility: one whose file has
    just changed) and raise the warnings not already open: the new ones of each customer in one transaction
    with the escalation they start, or the one at its investigation they join. The same rules and the same
    deduplication either way, so the next whole check finds nothing a scoped one raised."""
    text, digest = rules_source()
    decision = compile_decision(load_dmn(text, RULES_FILE), DECISION)
    frame = portfolio_frame(customer_ids)
    result = ScanResult(len(frame), 0, [], digest)
    signals = _new_warnings(decision, frame) if not frame.empty else {}
    result.signals = sum(found for found, _hits in signals.values())
    groups = {customer_id: hits for customer_id, (_found, hits) in signals.items() if hits}
    texts = rule_descriptions(text, RULES_FILE)
    if progress is not None:
        progress(result, 0, len(groups))
    for done, (customer_id, hits) in enumerate(groups.items(), 1):
        customer = frame.loc[customer_id]
        try:
            # One check at a time places a customer's warnings (a real-time one and the daily one, two workers):
            # the escalation they join is read under the lock, so two checks never start two for one customer.
            escalations.hold(customer_id)
            # Read again under the lock: another check may have raised some of them since this one read.
            hits = _still_new(customer_id, hits)
            if hits:
                _place(customer, customer_id, hits, texts, digest, actor, result)
            else:
                db.session.rollback()  # nothing left to place: the lock let go
        except Unavailable:  # the database is away or the audit log held: the next run starts it again
            db.session.rollback()
            raise
        except (DomainError, IntegrityError):
            # Rolled back with its warnings (another check raised them first, its process failed, or the
            # escalation they would join moved meanwhile); the next check raises them. The others go on.
            db.session.rollback()
        except Exception as exc:  # noqa: BLE001 - this customer's failure, recorded; the others go on
            audit.record(
                "engine.error",
                actor,
                customer_id=int(customer_id),
                process_id=escalations.PROCESS,
                element=None,
                reason=one_by_one.failed("portfolio check of customer", customer_id, exc),
            )
            db.session.commit()
        if progress is not None:
            progress(result, done, len(groups))
    scope: dict[str, Any] = {} if customer_ids is None else {"customer_ids": sorted(map(int, customer_ids))}
    audit.record(
        "monitoring.portfolio_checked" if customer_ids is None else "monitoring.customers_checked",
        actor,
        customers=result.customers,
        signals=result.signals,
        raised=len(result.raised),
        started=len(result.started),
        joined=len(result.joined),
        rules_hash=digest,
        **scope,
    )
    db.session.commit()
    return result


@dataclass(frozen=True)
class Hit:
    """A new warning of one customer: the row of the evaluation, the inputs its rule tests (with their
    labels), and what it rests on (its basis, and the date of the observation that triggered it)."""

    row: Any
    tested: list[tuple[str, str]]
    basis: str
    observed_on: Any


def _new_warnings(decision, frame: pd.DataFrame) -> dict[int, tuple[int, list[Hit]]]:
    """Per customer: how many warnings the rules give, and those not open already nor raised before from
    the very figures they rest on, in the table's order."""
    found = decision.evaluate(frame[list(INPUTS)])
    ids = frame.index.tolist()
    scoped = EarlyWarning.customer_id.in_(ids) if len(ids) <= SCOPED else true()
    open_now = set(
        db.session.execute(
            select(EarlyWarning.customer_id, EarlyWarning.code).where(EarlyWarning.status == "open", scoped)
        ).all()
    )
    handled = set(
        db.session.execute(
            select(EarlyWarning.customer_id, EarlyWarning.code, EarlyWarning.basis).where(scoped)
        )
    )
    tested = _tested_inputs(decision.decision)
    groups: dict[int, tuple[int, list[Hit]]] = {}
    seen = set()
    for hit in found.itertuples(index=False):
        key = (int(hit.row), hit.warning_code)
        count, hits = groups.get(key[0], (0, []))
        basis, observed_on = _trigger(frame.loc[hit.row], tested[hit.rule_id])
        if key not in open_now and key not in seen and (*key, basis) not in handled:
            seen.add(key)  # else open already, or raised before from the very figures it rests on
            hits.append(Hit(hit, tested[hit.rule_id], basis, observed_on))
        groups[key[0]] = (count + 1, hits)
    return groups


def _place(
    customer: Any, customer_id: int, hits: list[Hit], texts, digest: str, actor, result: ScanResult
) -> None:
    """The new warnings of one customer, in the escalation they join or one they start (committed)."""
    warnings = [_warning(customer, hit, texts, digest, actor) for hit in hits]
    facts = {
        "customer_id": customer_id,
        "customer_name": customer.customer_name,
        "uscc": customer.uscc,
        "officer": customer.officer,
        "days_past_due": _json(customer.days_past_due),
    }
    joinable = escalations.open_for([customer_id]).get(customer_id, ())
    instance, joined = escalations.place(facts, warnings, actor, joinable)
    (result.joined if joined else result.started).append(instance.id)
    result.raised += [w.id for w in warnings]


def _still_new(customer_id: int, hits: list[Hit]) -> list[Hit]:
    """``hits`` of one customer still neither open nor raised before from the figures they rest on, read under
    its lock (a check that read the warnings before another placed its own)."""
    rows = db.session.execute(
        select(EarlyWarning.code, EarlyWarning.basis, EarlyWarning.status).where(
            EarlyWarning.customer_id == customer_id
        )
    ).all()
    open_now = {code for code, _basis, status in rows if status == "open"}
    handled = {(code, basis) for code, basis, _status in rows}
    return [
        hit
        for hit in hits
        if hit.row.warning_code not in open_now and (hit.row.warning_code, hit.basis) not in handled
    ]


def _tested_inputs(decision) -> dict[str, list[tuple[str, str]]]:
    """For each rule, the inputs it tests (a cell other than "-") with their labels, in the table's order."""
    return {
        rule.id: [
            (column.key, column.label or column.key)
            for column, cell in zip(decision.inputs, rule.input_entries, strict=True)
            if cell.text.strip() != "-"
        ]
        for rule in decision.rules
    }


def _trigger(customer: pd.Series, tested: list[tuple[str, str]]) -> tuple[str, Any]:
    """What a warning rests on and the date of the observation that triggered it: the statement year for a
    rule on statement figures (no date), else the latest date on which one of the figures it tests was
    observed (a new observation of other figures is no news)."""
    observed = {key for key, _label in tested} - STATEMENT_INPUTS - {"industry"}
    if not observed:
        return f"statements:{customer.statement_year}", None
    dates = [customer.get(f"on_{name}") for name in observed]
    dates = [d for d in dates if d is not None and not pd.isna(d)]
    latest = max(dates) if dates else None
    return f"observation:{latest.isoformat() if latest else '-'}", latest


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return audit.to_json_safe(value)


def _warning(
    customer: pd.Series, hit: Hit, texts: dict[str, str], digest: str, actor: User | None
) -> EarlyWarning:
    """The new warning of one rule's hit (flushed, audited), with the figures its rule tests as observed."""
    evidence = {name: _json(customer[name]) for name in (*INPUTS, *EVIDENCE)}
    figures = [{"key": key, "label": label, "value": evidence.get(key)} for key, label in hit.tested]
    row = hit.row
    warning = EarlyWarning(
        customer_id=int(customer.name),
        code=row.warning_code,
        name=row.warning_name,
        severity=row.severity,
        evidence=evidence,
        rule_id=row.rule_id,
        rule_text=texts.get(row.rule_id, "")[:500] or None,
        figures=figures,
        rules_hash=digest,
        basis=hit.basis,
        observed_on=hit.observed_on,
        detected_at=utcnow(),
    )
    db.session.add(warning)
    db.session.flush()
    audit.record(
        "warning.raised",
        actor,
        customer_id=warning.customer_id,
        warning_id=warning.id,
        code=warning.code,
        severity=warning.severity,
        rule=row.rule_id,
        figures=figures,
        observed_on=hit.observed_on,
    )
    return warning
