"""Compliance sampling reviews (合规抽样审查): draw decided credit cases of a period by
``rules/audit_sampling.dmn`` (each case's share by its risk: every adjusted grade and large credit,
half the weak grades, a tenth of the rest), with a seeded draw anyone can repeat, and start
``workflows/audit_sampling.bpmn``: compliance reviews each drawn case, the responsible officer remedies
each finding, compliance closes the review."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.engine.dmn import load_dmn
from app.errors import InvalidInput
from app.extensions import db
from app.inputs import numbers
from app.inputs.dates import EARLIEST, LATEST, iso_date
from app.localtime import to_utc
from app.models import ProcessInstance, User
from app.services.audit import audit
from app.services.audit.audit_search import check_auditor
from app.services.cases import cases

PROCESS, MESSAGE = "audit_sampling", "sampling_requested"
RULES_FILE, DECISION = "audit_sampling.dmn", "audit_sampling"
MAX_SAMPLE = 500


@dataclass(frozen=True)
class Draw:
    population: int
    sample: list[dict[str, Any]]
    seed: int


def draw(period_from: date, period_to: date, seed: int) -> Draw:
    """The cases decided in the period and the ones the table and the seed draw from them."""
    text = (Path(current_app.config["RULES_DIR"]) / RULES_FILE).read_text(encoding="utf-8")
    decision = load_dmn(text, RULES_FILE).decisions[DECISION]
    decided = list(
        db.session.scalars(
            select(ProcessInstance)
            .where(
                ProcessInstance.process_id == "credit_application",
                ProcessInstance.status == "completed",
                ProcessInstance.completed_at >= to_utc(datetime.combine(period_from, time.min)),
                ProcessInstance.completed_at
                < to_utc(datetime.combine(period_to + timedelta(days=1), time.min)),
            )
            .order_by(ProcessInstance.id)
        )
    )
    rng, sample = random.Random(seed), []
    for case in decided:
        s = case.summary or {}
        result = decision.evaluate(
            {
                "rating_adjusted": bool(s.get("rating_override")),
                "proposed_limit": s.get("proposed_limit"),
                "grade": s.get("grade"),
                "outcome": case.outcome,
            }
        ).single_output
        if rng.random() < float(result["sample_share"]):
            sample.append(
                {
                    "case_id": case.id,
                    "reference": case.reference,
                    "customer_id": case.customer_id,
                    "customer_name": s.get("customer_name"),
                    "sample_reason": result["sample_reason"],
                    "officer": case.started_by.username if case.started_by else None,
                }
            )
    return Draw(len(decided), sample[:MAX_SAMPLE], seed)


def start(user: User, period_from: str, period_to: str, seed: str | None = None) -> ProcessInstance:
    """Draw the sample of a period and start its review (compliance staff)."""
    check_auditor(user)
    errors: dict[str, str] = {}
    dates = {}
    for name, raw in (("period_from", period_from), ("period_to", period_to)):
        day = iso_date(raw or "")
        if day is None:
            errors[name] = _(
                "a date such as 2026-11-30, from %(first)s to %(last)s",
                first=EARLIEST.isoformat(),
                last=LATEST.isoformat(),
            )
        else:
            dates[name] = day
    if not errors and dates["period_from"] > dates["period_to"]:
        errors["period_to"] = _("not before the start date")
    chosen_seed = None
    try:
        chosen_seed = numbers.whole_number({"seed": seed or ""}, "seed", largest=numbers.LARGEST)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(_("The sampling review was not started."), errors)
    result = draw(
        dates["period_from"],
        dates["period_to"],
        chosen_seed if chosen_seed is not None else secrets.randbelow(10**9),
    )
    if not result.sample:
        raise InvalidInput(
            _("The sampling review was not started."),
            {
                "period_from": _(
                    "no decided case of the period was drawn (%(n)s decided)", n=result.population
                )
            },
        )
    audit.record(
        "sampling.drawn",
        user,
        period_from=period_from,
        period_to=period_to,
        seed=result.seed,
        population=result.population,
        drawn=[s["reference"] for s in result.sample],
    )
    return cases.start_by_message(
        PROCESS,
        MESSAGE,
        {"sample": result.sample, "period_from": period_from, "period_to": period_to, "seed": result.seed},
        user,
        started_by=user,
    )


def reviews(user: User) -> list[ProcessInstance]:
    check_auditor(user)
    return list(
        db.session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.process_id == PROCESS)
            .order_by(ProcessInstance.id.desc())
            .limit(50)
        )
    )
