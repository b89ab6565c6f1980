"""The portfolio check (组合预警扫描): every customer with a live facility, evaluated at once against
``rules/warning_rules.dmn`` (vectorized, exactly the engine's answer per row). Each warning not already
open for that customer, nor raised before from the same observation, becomes an ``EarlyWarning`` and a
message that starts ``workflows/warning_escalation.bpmn``.

The inputs of a customer: its industry; debt-to-asset, current ratio and the change of the quick ratio
from its two latest statements (``risk.ratios``, the one place the formulas live); its latest monitoring
observation, the change of enforcement records and of the external rating since the one before, and
collateral value over its live limits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from flask import current_app
from sqlalchemy import func, select

from app.engine.dmn import load_dmn
from app.engine.dmn.vectorized import compile_decision
from app.errors import ProcessFailed
from app.extensions import db
from app.models import Customer, EarlyWarning, Facility, FinancialStatement, Observation, User
from app.models.base import utcnow
from app.risk.errors import RiskInputError
from app.risk.ratios import compute_ratios
from app.risk.statements import parse_statement
from app.services import audit, cases
from app.services.observations import RATINGS

RULES_FILE = "warning_rules.dmn"
DECISION = "warning_rules"
PROCESS, MESSAGE = "warning_escalation", "early_warning"
LIVE = ("active", "frozen")  # facilities whose customer is watched
INPUTS = ("industry", "debt_to_asset", "current_ratio", "quick_ratio_change", "utilization_pct", "days_past_due",
          "overdue_interest", "new_enforcement_records", "tax_arrears", "utility_arrears", "negative_news",
          "collateral_coverage", "external_rating_drop")


@dataclass(frozen=True)
class ScanResult:
    customers: int
    signals: int  # warnings the rules raised, open ones included
    raised: list[int]  # the new EarlyWarning ids
    rules_hash: str


def rules_source() -> tuple[str, str]:
    """The warning rules in force and their SHA-256 (kept with every warning raised)."""
    text = (Path(current_app.config["RULES_DIR"]) / RULES_FILE).read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode()).hexdigest()


def _live_customers() -> pd.DataFrame:
    rows = db.session.execute(
        select(Customer.id, Customer.name, Customer.uscc, Customer.industry, User.username,
               func.sum(Facility.limit_amount))
        .join(Facility, Facility.customer_id == Customer.id).outerjoin(User, User.id == Customer.officer_id)
        .where(Facility.status.in_(LIVE)).group_by(Customer.id, Customer.name, Customer.uscc, Customer.industry,
                                                   User.username)).all()
    frame = pd.DataFrame(rows, columns=["customer_id", "customer_name", "uscc", "industry", "officer", "live_limit"])
    return frame.set_index("customer_id")


def _ratios(customer_ids: Iterable[int]) -> pd.DataFrame:
    """Debt-to-asset and current ratio of the latest statement, the quick ratio's relative change from
    the year before; a statement that cannot give a ratio gives none."""
    latest: dict[int, list[dict]] = {}
    for customer_id, year, items in db.session.execute(
            select(FinancialStatement.customer_id, FinancialStatement.fiscal_year, FinancialStatement.items)
            .where(FinancialStatement.customer_id.in_(list(customer_ids)))
            .order_by(FinancialStatement.customer_id, FinancialStatement.fiscal_year.desc())):
        kept = latest.setdefault(customer_id, [])
        if len(kept) < 2:
            kept.append(_ratios_of({**items, "fiscal_year": year}))
    rows = {}
    for customer_id, (newest, *older) in latest.items():
        quick_now, quick_before = newest.get("quick_ratio"), older[0].get("quick_ratio") if older else None
        change = (quick_now - quick_before) / quick_before if quick_now is not None and quick_before else None
        rows[customer_id] = {"debt_to_asset": newest.get("debt_to_asset"),
                             "current_ratio": newest.get("current_ratio"), "quick_ratio_change": change}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["debt_to_asset", "current_ratio",
                                                                 "quick_ratio_change"])


def _ratios_of(items: dict[str, Any]) -> dict[str, float | None]:
    try:
        return compute_ratios(parse_statement(items))
    except (RiskInputError, ValueError, TypeError):
        return {}


def _observations(customer_ids: Iterable[int]) -> pd.DataFrame:
    """The latest observation of each customer, with what changed since the one before."""
    columns = [Observation.customer_id, Observation.observed_on, Observation.utilization_pct,
               Observation.days_past_due, Observation.overdue_interest, Observation.enforcement_records,
               Observation.tax_arrears, Observation.utility_arrears, Observation.negative_news,
               Observation.collateral_value, Observation.external_rating]
    ranked = select(*columns, func.row_number().over(partition_by=Observation.customer_id,
                                                     order_by=Observation.observed_on.desc()).label("n")) \
        .where(Observation.customer_id.in_(list(customer_ids))).subquery()
    rows = db.session.execute(select(ranked).where(ranked.c.n <= 2).order_by(ranked.c.customer_id, ranked.c.n)).all()
    names = [c.key for c in columns] + ["n"]
    frame = pd.DataFrame(rows, columns=names)
    if frame.empty:
        return pd.DataFrame(columns=["observed_on", "utilization_pct", "days_past_due", "overdue_interest",
                                     "new_enforcement_records", "tax_arrears", "utility_arrears", "negative_news",
                                     "collateral_value", "external_rating_drop"])
    latest = frame[frame.n == 1].set_index("customer_id")
    before = frame[frame.n == 2].set_index("customer_id")
    enforcement_before = before.enforcement_records.reindex(latest.index)
    latest = latest.assign(
        new_enforcement_records=[None if now is None or pd.isna(now) else
                                 int(now) - (0 if was is None or pd.isna(was) else int(was))
                                 for now, was in zip(latest.enforcement_records, enforcement_before, strict=True)],
        external_rating_drop=[_notches(was, now) for now, was in
                              zip(latest.external_rating, before.external_rating.reindex(latest.index), strict=True)])
    return latest.drop(columns=["n", "enforcement_records", "external_rating"])


def _notches(before: Any, now: Any) -> int | None:
    if not isinstance(before, str) or not isinstance(now, str) or before not in RATINGS or now not in RATINGS:
        return None
    return RATINGS.index(now) - RATINGS.index(before)


def portfolio_frame() -> pd.DataFrame:
    """One row per watched customer: the warning rules' inputs, and who and what it is."""
    customers = _live_customers()
    if customers.empty:
        return customers.reindex(columns=[*customers.columns, *INPUTS, "observed_on", "collateral_value"])
    frame = customers.join(_ratios(customers.index)).join(_observations(customers.index))
    coverage = [float(value) / float(limit) if value is not None and not pd.isna(value) and limit else None
                for value, limit in zip(frame.collateral_value, frame.live_limit, strict=True)]
    frame = frame.assign(collateral_coverage=coverage)
    for column in INPUTS:
        if column not in frame:
            frame[column] = None
    return frame.astype(object).where(frame.notna(), None)


def scan(actor: User | None = None) -> ScanResult:
    """Evaluate every watched customer and raise the warnings not already open (each in its own
    transaction with the escalation it starts)."""
    text, digest = rules_source()
    decision = compile_decision(load_dmn(text, RULES_FILE), DECISION)
    frame = portfolio_frame()
    if frame.empty:
        return ScanResult(0, 0, [], digest)
    found = decision.evaluate(frame[list(INPUTS)])
    open_now = set(db.session.execute(select(EarlyWarning.customer_id, EarlyWarning.code)
                                      .where(EarlyWarning.status == "open")).all())
    handled = set(db.session.execute(select(EarlyWarning.customer_id, EarlyWarning.code, EarlyWarning.observed_on)))
    raised, seen = [], set()
    for hit in found.itertuples(index=False):
        key = (int(hit.row), hit.warning_code)
        if key in open_now or key in seen or (*key, frame.at[hit.row, "observed_on"]) in handled:
            continue  # open already, or raised from this very observation before
        seen.add(key)
        try:
            raised.append(_raise(frame.loc[hit.row], hit, digest, actor))
        except ProcessFailed:  # recorded (engine.error) and rolled back with its warning; the others go on
            continue
    audit.record("monitoring.portfolio_checked", actor, customers=len(frame), signals=len(found),
                 raised=len(raised), rules_hash=digest)
    db.session.commit()
    return ScanResult(len(frame), len(found), raised, digest)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return audit.to_json_safe(value)


def _raise(customer: pd.Series, hit, digest: str, actor: User | None) -> int:
    evidence = {name: _json(customer[name]) for name in INPUTS}
    warning = EarlyWarning(customer_id=int(customer.name), code=hit.warning_code, name=hit.warning_name,
                           severity=hit.severity, evidence=evidence, rule_id=hit.rule_id, rules_hash=digest,
                           observed_on=customer.observed_on, detected_at=utcnow())
    db.session.add(warning)
    db.session.flush()
    audit.record("warning.raised", actor, customer_id=warning.customer_id, warning_id=warning.id,
                 code=warning.code, severity=warning.severity, rule=hit.rule_id, evidence=evidence)
    payload = {"warning_id": warning.id, "customer_id": warning.customer_id, "customer_name": customer.customer_name,
               "uscc": customer.uscc, "officer": customer.officer, "warning_code": warning.code,
               "warning_name": warning.name, "severity": warning.severity,
               "observed_on": customer.observed_on.isoformat() if customer.observed_on else None,
               "days_past_due": evidence.get("days_past_due"), "evidence": evidence}
    instance = cases.start_by_message(PROCESS, MESSAGE, payload, actor)  # commits the warning with it
    warning.instance_id = instance.id
    db.session.commit()
    return warning.id
