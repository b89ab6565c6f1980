"""The system's own history as a table to train on (``flask models train --from-history``, the training page, the API).

One row per decided credit application that granted a facility: its features as they stood when it was rated
(``app.scoring.case_features``: the case's own data, and the customer's observations observed by that day and
recorded by then — the moment ``pd_model`` keeps, else the decision's) and its outcome — whether the customer
defaulted within the window after the decision.

What a default is, and the window, is ``rules/default_definition.dmn``: each event recorded after the decision
(a five-category class on the customer's rating history, a days-past-due figure observed) is put to the table,
and a default event within its window makes the case bad. Cases are left out, counted by reason:

- ``declined``: the application was declined, so nothing was lent and there is no outcome;
- ``no_analysis``: the case holds no analysis of statements to describe it;
- ``in_default``: the customer was already in default when rated (its class on file, or its latest days past
  due known then, is a default by the table);
- ``not_mature``: decided less than the window ago with no default yet, so its outcome is not known.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import select

from app.engine.dmn import Decision, decision_in_force
from app.extensions import db
from app.localtime import local_date, local_today
from app.models import Facility, Observation, ProcessInstance, RatingChange
from app.scoring import case_features, table
from app.scoring.problems import TableRefused
from app.services.customers.facilities.facility_terms import add_months

DEFINITION_FILE, DEFINITION = "default_definition.dmn", "default_definition"
TARGET = "default_definition"  # the target's name on a version trained from the history
DEFAULT_NAME = "history"  # a version trained from the history, unless named
EXCLUSION_REASONS = ("declined", "no_analysis", "in_default", "not_mature")


@dataclass
class History:
    """The table to train on and what the builder found: cases read, defaults, exclusions by reason."""

    table: table.TypedTable | None
    refused: TableRefused | None = None  # too few defaults or goods to learn from, when so
    features: pd.DataFrame | None = (
        None  # every case used, oldest decision first, before columns are left out
    )
    target: np.ndarray | None = None
    cases: int = 0
    defaults: int = 0
    excluded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXCLUSION_REASONS, 0))
    window_months: int = 12
    period: tuple[date | None, date | None] = (None, None)
    fingerprint: str = ""

    @property
    def used(self) -> int:
        return self.cases - sum(self.excluded.values())

    def report(self) -> dict[str, Any]:
        """The counts as the command line, the API and a version's parameters keep them."""
        return {
            "cases": self.cases,
            "used": self.used,
            "defaults": self.defaults,
            "excluded": dict(self.excluded),
            "window_months": self.window_months,
        }


class Definition:
    """``rules/default_definition.dmn`` in force, each distinct event put to it once."""

    def __init__(self) -> None:
        self.decision: Decision = decision_in_force(
            Path(current_app.config["RULES_DIR"]) / DEFINITION_FILE, DEFINITION
        )
        self._seen: dict[tuple[str | None, int | None], tuple[bool, int]] = {}
        self.window_months = self.judge(None, None)[1]

    def judge(self, loan_class: str | None, days_past_due: int | None) -> tuple[bool, int]:
        key = (loan_class, days_past_due)
        if key not in self._seen:
            out = self.decision.evaluate(
                {"loan_class": loan_class, "days_past_due": days_past_due}
            ).single_output
            self._seen[key] = (out.get("default") is True, int(out.get("window_months") or 0))
        return self._seen[key]


@dataclass(frozen=True)
class Outcome:
    """One decided case the history uses: its data, the observations known when it was rated, and its outcome."""

    facts: dict[str, Any]
    known: list[case_features.Seen]
    rated_at: datetime
    decided_on: date
    bad: bool


@dataclass
class Read:
    """What reading the decided cases found: how many, the ones used (oldest decision first), those left out."""

    cases: int = 0
    used: list[Outcome] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EXCLUSION_REASONS, 0))


def build(today: date | None = None) -> History:
    """The history as it stands ``today`` (Beijing's date by default): module docstring."""
    definition = Definition()
    read = outcomes(today or local_today(), definition)
    found = History(None, window_months=definition.window_months, cases=read.cases, excluded=read.excluded)
    rows = [case_features.case_row(o.facts, o.known, local_date(o.rated_at)) for o in read.used]
    found.features = features = case_features.frame(rows)
    found.target = target = np.array([int(o.bad) for o in read.used], dtype=np.int8)
    found.defaults = int(target.sum())
    decided = [o.decided_on for o in read.used]
    found.period = (min(decided), max(decided)) if decided else (None, None)
    found.fingerprint = hashlib.sha256(
        features.assign(_default=target).to_csv(index=False).encode("utf-8")
    ).hexdigest()
    try:
        found.table = table.typed_frame(features, case_features.CASE_FEATURES, target, TARGET)
    except TableRefused as refused:
        found.refused = refused
    return found


def outcomes(
    today: date,
    definition: Definition,
    since: datetime | None = None,
    before: datetime | None = None,
    known_by: datetime | None = None,
) -> Read:
    """Every credit application decided (within ``since`` .. ``before``, when given) with its outcome as known
    ``today``, or the reason it is left out (module docstring); with ``known_by``, only what was recorded by then
    counts (a past month's check reads the history as it then stood)."""
    query = (
        select(Facility.customer_id, Facility.status, Facility.decided_at, ProcessInstance.summary)
        .join(ProcessInstance, ProcessInstance.id == Facility.instance_id)
        .where(ProcessInstance.process_id == "credit_application")
        .order_by(Facility.decided_at, Facility.id)
    )
    if since is not None:
        query = query.where(Facility.decided_at >= since)
    if before is not None:
        query = query.where(Facility.decided_at < before)
    cases = db.session.execute(query).all()
    found = Read(len(cases))
    customers = {row.customer_id for row in cases}
    seen, events = observations_of(customers), _rating_events(customers)
    for customer_id, status, decided_at, summary in cases:
        facts = summary if isinstance(summary, dict) else {}
        on = local_date(decided_at)
        rated_at = rated_moment(
            facts, decided_at
        )  # what the rating saw, not what was recorded by the sign-off
        known = [s for s, recorded in seen[customer_id] if recorded <= rated_at]
        reason = left_out(status, facts, known, definition)
        if reason is None:
            bad = _defaulted(decided_at, seen[customer_id], events[customer_id], definition, known_by)
            if not bad and today < add_months(on, definition.window_months):
                reason = "not_mature"
        if reason is not None:
            found.excluded[reason] += 1
            continue
        found.used.append(Outcome(facts, known, rated_at, on, bad))
    return found


def rated_moment(facts: dict[str, Any], decided_at: datetime) -> datetime:
    """When the case was rated (``pd_model.rated_at``, kept since the scoring models rate), else when decided."""
    rated = rated_at_of(facts)
    return min(rated, decided_at) if rated is not None else decided_at


def rated_at_of(facts: dict[str, Any]) -> datetime | None:
    """The moment a case's ``pd_model`` says it was rated (naive UTC), if it says one."""
    found = facts.get("pd_model")
    text = found.get("rated_at") if isinstance(found, dict) else None
    try:
        moment = datetime.fromisoformat(text.removesuffix("Z")) if isinstance(text, str) else None
        if moment is not None and moment.tzinfo is not None:  # written by a diagram with its offset
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # not a moment, or one past the calendar once moved to UTC
        return None
    return moment


def left_out(status: str, facts: dict[str, Any], known: list, definition: Definition) -> str | None:
    """Why a case is left out, if it is: declined, no analysis, or in default when rated — by the class on file,
    or by the latest days past due known then (a customer 120 days past due is in default, whatever its class)."""
    if status == "rejected":
        return "declined"
    if not isinstance(facts.get("analysis"), dict):
        return "no_analysis"
    loan_class = facts.get("loan_class")
    if isinstance(loan_class, str) and definition.judge(loan_class, None)[0]:
        return "in_default"
    past_due = [s.days_past_due for s in known if s.days_past_due is not None]
    if past_due and definition.judge(None, past_due[-1])[0]:
        return "in_default"
    return None


def _defaulted(
    decided_at: datetime,
    seen: list,
    events: list[tuple[datetime, str]],
    definition: Definition,
    known_by: datetime | None = None,
) -> bool:
    """A default within the window after the decision: an observation dated after its day, or a class recorded
    after its moment (the same afternoon counts); with ``known_by``, only one recorded by then."""
    on = local_date(decided_at)
    for observation, recorded in seen:
        if known_by is not None and recorded > known_by:
            continue
        if observation.observed_on > on and observation.days_past_due is not None:
            default, months = definition.judge(None, observation.days_past_due)
            if default and observation.observed_on <= add_months(on, months):
                return True
    for at, loan_class in events:
        if at > decided_at and (known_by is None or at <= known_by):
            default, months = definition.judge(loan_class, None)
            if default and local_date(at) <= add_months(on, months):
                return True
    return False


def observations_of(customers: set[int]) -> defaultdict[int, list]:
    """Each customer's observations with when each was recorded, oldest first."""
    found: defaultdict[int, list] = defaultdict(list)
    for ids in _chunks(customers):
        for row in db.session.execute(
            select(
                Observation.customer_id,
                Observation.observed_on,
                Observation.recorded_at,
                Observation.days_past_due,
                Observation.enforcement_records,
                Observation.tax_arrears,
                Observation.negative_news,
            )
            .where(Observation.customer_id.in_(ids))
            .order_by(
                Observation.customer_id, Observation.observed_on, Observation.id
            )  # a day's last stored last
        ):
            seen = case_features.Seen(
                row.observed_on,
                row.days_past_due,
                row.enforcement_records,
                float(row.tax_arrears) if row.tax_arrears is not None else None,
                row.negative_news,
            )
            found[row.customer_id].append((seen, row.recorded_at))
    return found


def _rating_events(customers: set[int]) -> defaultdict[int, list[tuple[datetime, str]]]:
    """Each customer's recorded five-category classes, with when each was recorded."""
    found: defaultdict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for ids in _chunks(customers):
        for customer_id, changed_at, class_after in db.session.execute(
            select(RatingChange.customer_id, RatingChange.changed_at, RatingChange.class_after).where(
                RatingChange.customer_id.in_(ids), RatingChange.class_after.is_not(None)
            )
        ):
            found[customer_id].append((changed_at, str(class_after)))
    return found


def _chunks(ids: set[int], size: int = 1000) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]
