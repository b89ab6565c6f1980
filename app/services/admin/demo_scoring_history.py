"""Demo history to train a scoring model on (评分模型训练样本): four years of credit applications by former customers,
decided and followed for a year, with a known relationship between what was seen at the decision and default.

Each past customer applied once, was rated on two years of statements (``demo.statement``: one hidden health
moves every ratio), and was approved or, when weak, declined. About half were known to the bank before: their
observations in the year before the decision show days past due, enforcement records, tax arrears or negative
news. Whether the customer defaulted within a year follows from the hidden health, the industry, the credit
record and that conduct (``_default_odds``) — so a model trained on the history can find it, and its AUC on the
held-out part says how well. A default is written as the system records one: a 90+ days-past-due observation and
the class 次级 on the rating history, which ``rules/default_definition.dmn`` reads. Applications decided in the
last year are there too (the builder leaves them out until their year is over), as are the declined ones.

The customers have left (their facilities matured and exited; no officer holds them), so the live book and the
officers' figures are as the rest of the demo makes them. Written straight to the tables, dated in the past, as
the other histories are; deterministic (one seeded generator).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.engine.dmn import decision_in_force
from app.extensions import db
from app.localtime import local_date, to_utc
from app.models import (
    Customer,
    Facility,
    FinancialStatement,
    Observation,
    ProcessDefinition,
    ProcessInstance,
    RatingChange,
)
from app.models.base import utcnow
from app.risk.analysis import analyse_financials
from app.services.admin import demo, demo_history
from app.services.customers.facilities.facility_terms import add_months
from app.services.scoring import drift
from app.services.shared.rows import insert_returning_id, insert_rows
from app.services.shared.unit_of_work import unit_of_work

SEED = 20261207
APPLICATIONS = 4000
MONTHS = 48  # decided over the last four years
REFERENCE_BASE = 700_000  # past applications' references: CA-<year>-7xxxxx, clear of the demo's own
INDUSTRY_ODDS = {"real_estate": 0.8, "construction": 0.5, "wholesale_retail": 0.2, "technology": -0.3}
RECORD_ODDS = {"serious_delinquency": 1.6, "minor_delinquency": 0.9, "no_history": 0.4}
SIZES = ("large", "medium", "small", "micro")
SIZE_WEIGHTS = (1, 3, 5, 3)


def _default_odds(health: float, facts: dict[str, Any], conduct: dict[str, Any]) -> float:
    """The log-odds of default within a year: the relationship a model is to find."""
    logit = -4.0 + 3.8 * (0.8 - health)
    logit += INDUSTRY_ODDS.get(facts["industry"], 0.0) + RECORD_ODDS.get(facts["credit_record"], 0.0)
    logit += 1.0 if conduct.get("max_days_past_due", 0) > 30 else 0.0
    logit += 0.5 if conduct.get("negative_news") else 0.0
    logit += 0.4 if conduct.get("enforcement_records") else 0.0
    return logit


def load() -> Iterator[str]:
    """Write the past applications unless they are there; yields a line to print."""
    if db.session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.reference.like("CA-%-7%")).limit(1)
    ):
        return
    definition = db.session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == "credit_application")
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )
    if definition is None:
        yield "scoring history: no credit application process deployed"
        return
    rng = random.Random(SEED)
    rating = decision_in_force(Path(current_app.config["RULES_DIR"]) / "credit_rating.dmn", "credit_rating")
    now = utcnow()
    counts = {"approved": 0, "declined": 0, "defaults": 0}
    with unit_of_work():
        for index in range(APPLICATIONS):
            _application(index, rng, definition.id, rating, now, counts)
    yield (
        f"scoring history: {APPLICATIONS} past credit applications ({counts['approved']} approved, "
        f"{counts['declined']} declined, {counts['defaults']} defaults within a year) to train a model on"
    )


def checks(months: int = 6) -> Iterator[str]:
    """The monthly checks of the models in use (模型监测) of the last ``months`` months, as beat would have made them
    (none is approved yet: the grades the hand-set scorecard gave, back-tested); only the latest tells model risk."""
    latest = drift.due_month()
    made = [drift.check(add_months(latest, -back), notify=back == 0) for back in range(months - 1, -1, -1)]
    if any(made):
        yield f"scoring model checks: {sum(1 for m in made if m)} month(s) checked (模型监测)"


def _application(
    index: int, rng: random.Random, definition_id: int, rating, now: datetime, counts: dict
) -> None:
    decided_at = now - timedelta(days=rng.uniform(20, MONTHS * 30.4), hours=rng.uniform(0, 8))
    on = local_date(decided_at)
    health = rng.uniform(0.15, 1.35)
    size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
    facts: dict[str, Any] = {
        "industry": rng.choice(demo.INDUSTRIES),
        "size": size,
        "credit_record": rng.choices(
            ("clean", "minor_delinquency", "serious_delinquency", "no_history"), (70, 15, 5, 10)
        )[0],
        "listed": False,
        "requested_term_months": 12,
    }
    assets = demo.SIZES[size] * rng.uniform(0.6, 1.4)
    statements = [
        demo.statement(on.year - 2, assets * 0.93, health * 0.95, rng),
        demo.statement(on.year - 1, assets, health, rng),
    ]
    analysis = analyse_financials(statements, "z_prime")
    conduct = _conduct(rng, health) if rng.random() < 0.5 else {}
    declined = health < 0.35 and rng.random() < 0.6
    defaulted = not declined and rng.random() < 1 / (1 + math.exp(-_default_odds(health, facts, conduct)))
    default_on = on + timedelta(days=rng.randint(70, 330))
    shown_default = defaulted and to_utc(datetime.combine(default_on, time(10))) < now  # recorded by today
    grade = rating.evaluate({"pd": analysis["pd"], "z_zone": analysis["z_zone"]}).single_output["grade"]
    name = f"{demo.COMPANIES[index % len(demo.COMPANIES)]}{index + 1:04d}号有限公司"
    uscc = demo.demo_uscc(10_000 + index)
    customer_id = insert_returning_id(
        Customer,
        {
            "name": name,
            "uscc": uscc,
            **{key: facts[key] for key in ("industry", "size", "credit_record", "listed")},
            "grade": None if declined else ("CCC" if shown_default else grade),
            "loan_class": None if declined else ("substandard" if shown_default else "normal"),
            "created_at": decided_at - timedelta(days=10),
            "updated_at": decided_at,
        },
    )
    facts.update(
        customer_name=name,
        uscc=uscc,
        requested_amount=round(assets * rng.uniform(0.03, 0.08), -4),
        loan_class="normal" if conduct else None,
        z_model="z_prime",
        analysis=analysis,
        pd=analysis["pd"],
        score_points=analysis["points"],
        z_score=analysis["z_score"],
        z_zone=analysis["z_zone"],
        grade=grade,
        decision="reject" if declined else "approve",
        outcome="rejected" if declined else "approved",
    )
    instance_id = insert_returning_id(
        ProcessInstance,
        {
            "reference": f"CA-{on.year}-{REFERENCE_BASE + index:06d}",
            "definition_id": definition_id,
            "process_id": "credit_application",
            "customer_id": customer_id,
            "status": "completed",
            "outcome": facts["outcome"],
            "summary": facts,
            "open_tasks": [],
            "state": "{}",
            "serializer_version": "demo-history",
            "started_at": decided_at - timedelta(days=12),
            "updated_at": decided_at,
            "completed_at": decided_at,
        },
    )
    insert_rows(
        FinancialStatement,
        [
            {
                "customer_id": customer_id,
                "fiscal_year": s["fiscal_year"],
                "items": s,
                "instance_id": instance_id,
                "created_at": decided_at - timedelta(days=11),
            }
            for s in statements
        ],
    )
    insert_rows(Facility, [_facility(customer_id, instance_id, facts, decided_at, declined)])
    counts["declined" if declined else "approved"] += 1
    if declined:
        return
    insert_rows(
        Observation, _observations(customer_id, on, conduct, default_on if defaulted else None, rng, now)
    )
    changes = [
        demo_history.rating_change(
            customer_id, "application", (None, None), (grade, "normal"), decided_at, instance_id
        )
    ]
    counts["defaults"] += int(defaulted)
    if shown_default:
        at = to_utc(datetime.combine(default_on, time(10)))
        changes.append(
            demo_history.rating_change(
                customer_id, "escalation", (grade, "normal"), ("CCC", "substandard"), at
            )
        )
    insert_rows(RatingChange, changes)


def _conduct(rng: random.Random, health: float) -> dict[str, Any]:
    """What the bank saw of a customer it knew, in the year before the decision."""
    weak = 1.3 - health
    return {
        "max_days_past_due": rng.choice((5, 15, 35, 60)) if rng.random() < 0.05 + 0.25 * weak else 0,
        "enforcement_records": rng.randint(1, 3) if rng.random() < 0.04 + 0.08 * weak else 0,
        "tax_arrears": round(rng.uniform(2e4, 5e5), -2) if rng.random() < 0.08 else 0,  # observed: none owed
        "negative_news": rng.random() < 0.04 + 0.1 * weak,
    }


def _observations(
    customer_id: int,
    on: date,
    conduct: dict[str, Any],
    default_on: date | None,
    rng: random.Random,
    now: datetime,
) -> list[dict]:
    """The observations before the decision (a customer the bank knew), and one after it: 90+ days past due on
    the day of a default, a payment on time or a few days late otherwise; none dated after today."""
    rows = []
    if conduct:
        for months_before, worst in ((rng.randint(6, 11), False), (rng.randint(1, 5), True)):
            rows.append(
                _observation(
                    customer_id,
                    add_months(on, -months_before),
                    days_past_due=conduct["max_days_past_due"] if worst else 0,
                    enforcement_records=conduct["enforcement_records"],
                    tax_arrears=conduct["tax_arrears"] if worst else 0,
                    negative_news=conduct["negative_news"] if worst else False,
                )
            )
    after = default_on or on + timedelta(days=rng.randint(60, 330))
    if to_utc(datetime.combine(after, time(10))) < now:
        past_due = rng.randint(90, 180) if default_on else rng.choice((0, 0, 0, 5, 12))
        rows.append(_observation(customer_id, after, days_past_due=past_due, negative_news=False))
    return rows


def _observation(customer_id: int, day, **figures: Any) -> dict:
    return {
        "customer_id": customer_id,
        "observed_on": day,
        "utilization_pct": None,
        "overdue_interest": None,
        "enforcement_records": None,
        "tax_arrears": None,
        "utility_arrears": None,
        "news_note": None,
        "collateral_value": None,
        "external_rating": None,
        **figures,
        "source": "import",
        "import_id": None,
        "recorded_by_id": None,
        "recorded_at": to_utc(datetime.combine(day, time(18))),
    }


def _facility(customer_id: int, instance_id: int, facts: dict, decided_at: datetime, declined: bool) -> dict:
    start = local_date(decided_at)
    return {
        "customer_id": customer_id,
        "instance_id": instance_id,
        "status": "rejected" if declined else "exited",
        "limit_amount": 0 if declined else facts["requested_amount"],
        "margin_pct": None if declined else 1.5,
        "term_months": None if declined else 12,
        "grade": facts["grade"],
        "decided_at": decided_at,
        "start_on": None if declined else start,
        "matures_on": None if declined else add_months(start, 12),
    }
