"""What the stress test page shows of a run, as figures (``analytics.figures``): EL and NPL ratio before and after
by industry, the grade and class migration matrices, the warning rules newly breached, and the customers behind
any of them (the drill-down).

A reader over the whole bank reads the summary the run kept; a branch's approver reads the same figures computed
by the same function (``stress_compute.summary``) over their branch's outcome rows, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select

from app.engine.dmn import load_dmn
from app.errors import InvalidInput
from app.extensions import db
from app.language import in_language
from app.localtime import local_time
from app.models import Customer, StressOutcome, StressRun, User
from app.services.analytics import rights
from app.services.analytics.figures import Chart, Column, Figure
from app.services.analytics.stress import stress_runs, stress_scenarios
from app.services.analytics.stress.stress_compute import CLASSES, GRADES, UNCLASSIFIED, UNRATED, summary
from app.services.customers.relationship.book_filter import INDUSTRIES

DRILL = "stress.customers"
LISTED = 500  # customers listed on the drill-down page (the export holds them all)
DRILL_ARGS = ("industry", "grade", "loan_class", "warning")


CLASS_PREFIX = "class_"  # the vocabulary's five-category words (class_normal...)


def _class(code: str | None) -> str:
    return _(CLASS_PREFIX + (code or UNCLASSIFIED))


def _grade(code: str | None) -> str:
    return code if code and code != UNRATED else _("Not rated")


def _order(matrix: Mapping[str, Mapping[str, int]], known: tuple[str, ...], missing: str) -> tuple[str, ...]:
    """The matrix's rows and columns: the known values, and the missing one when a customer has it."""
    present = missing in matrix or any(missing in row for row in matrix.values())
    return (*known, missing) if present else known


def _money(value: Any) -> Decimal:
    return Decimal(str(round(float(value or 0), 2)))


def _pct(value: Any) -> Decimal:
    return Decimal(str(round(float(value or 0), 2)))


def outcome_frame(run: StressRun, reach: rights.Reach, *where: ColumnElement[bool]) -> pd.DataFrame:
    """The run's outcome rows in ``reach`` (and matching ``where``), indexed by customer id, with the customer's
    name: one query of plain columns (a branch's or a figure's part of a large book)."""
    table = StressOutcome.__table__
    columns = [c.key for c in table.columns]
    query = (
        select(*table.columns, Customer.name.label("customer_name"))
        .join(Customer, Customer.id == table.c.customer_id)
        .where(table.c.run_id == run.id, reach.customers(), *where)
        .order_by(table.c.customer_id)
    )
    frame = pd.DataFrame(db.session.execute(query).all(), columns=[*columns, "customer_name"])
    frame = frame.set_index("customer_id")
    frame["new_warnings"] = frame.new_warnings.fillna("")
    return frame


def figures_of(run: StressRun, reach: rights.Reach) -> dict[str, Any]:
    """The run's summary for ``reach`` (its ``industries`` included)."""
    if reach.branch is None and run.summary is not None:
        return {**run.summary, "industries": run.industries or []}
    frame = outcome_frame(run, reach)
    return summary(frame) if not frame.empty else {"customers": 0, "industries": []}


def warning_names() -> dict[str, str]:
    """Each warning rule's code and its name (the table's "English / 中文"), in the reader's language."""
    path = Path(current_app.config["RULES_DIR"]) / "warning_rules.dmn"
    decision = load_dmn(path.read_text(encoding="utf-8"), path.name).decisions["warning_rules"]
    names = [o.name for o in decision.outputs]
    found = {}
    for rule in decision.rules:
        out = dict(zip(names, (e.text.strip().strip('"') for e in rule.output_entries), strict=True))
        found[out["warning_code"]] = in_language(out["warning_name"], get_locale())
    return found


def _industry_rows(found: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "industry": _(row["industry"]) if row["industry"] else "—",
            "customers": row["customers"],
            "ead": _money(row["ead"]),
            "el_before": _money(row["el_before"]),
            "el_after": _money(row["el_after"]),
            "npl_before": _pct(row["npl_before"]),
            "npl_after": _pct(row["npl_after"]),
            "downgraded": row["downgraded"],
            "breaching": row["breaching"],
            "drill": {"industry": row["industry"]} if row["industry"] else None,
        }
        for row in found.get("industries", [])
    ]


def _matrix(matrix: Mapping[str, Mapping[str, int]], order: tuple[str, ...], word, key: str) -> list[dict]:
    rows = []
    for was in order:
        if was in matrix:
            row: dict[str, Any] = {"before": word(was), "drill": {key: was}}
            row.update({now: matrix[was].get(now, 0) for now in order})
            rows.append(row)
    return rows


def page_figures(run: StressRun, reach: rights.Reach) -> tuple[dict[str, Any], list[Figure]]:
    """The summary and the figures of the page for one run."""
    found = figures_of(run, reach)
    note = _(
        "As of %(time)s; %(n)s customers.", time=local_time(run.finished_at), n=found.get("customers", 0)
    )
    industries = _industry_rows(found)
    total = {
        "industry": _("Whole book") if reach.branch is None else _("Branch %(b)s", b=reach.branch),
        "customers": found.get("customers", 0),
        "ead": _money(found.get("ead")),
        "el_before": _money(found.get("el_before")),
        "el_after": _money(found.get("el_after")),
        "npl_before": _pct(found.get("npl_before")),
        "npl_after": _pct(found.get("npl_after")),
        "downgraded": found.get("downgraded", 0),
        "breaching": found.get("breaching", 0),
    }
    industry = Column("industry", _("Industry"))
    el = Figure(
        "expected_loss",
        _("Expected loss by industry, before and after"),
        (
            industry,
            Column("customers", _("Number of customers"), "count"),
            Column("ead", _("Exposure (EAD)"), "money"),
            Column("el_before", _("EL before"), "money"),
            Column("el_after", _("EL after"), "money"),
            Column("downgraded", _("Downgraded"), "count"),
            Column("breaching", _("Newly breaching a warning rule"), "count"),
        ),
        industries,
        Chart("bar", "industry", ("el_before", "el_after")),
        drill=DRILL,
        note=note,
        total=total,
    )
    npl = Figure(
        "npl_ratio",
        _("NPL ratio by industry, before and after"),
        (
            industry,
            Column("npl_before", _("NPL ratio before"), "pct"),
            Column("npl_after", _("NPL ratio after"), "pct"),
        ),
        industries,
        Chart("bar", "industry", ("npl_before", "npl_after")),
        drill=DRILL,
        note=_("Share of the exposure classed substandard, doubtful or loss."),
        total=total,
    )
    grade_order = _order(found.get("grades", {}), GRADES, UNRATED)
    grades = Figure(
        "grade_migration",
        _("Grade migration (rows: before; columns: after)"),
        (Column("before", _("Grade before")), *(Column(g, _grade(g), "count") for g in grade_order)),
        _matrix(found.get("grades", {}), grade_order, _grade, "grade"),
        Chart("stacked", "before", grade_order),
        drill=DRILL,
    )
    class_order = _order(found.get("classes", {}), CLASSES, UNCLASSIFIED)
    classes = Figure(
        "class_migration",
        _("Five-category migration (rows: before; columns: after)"),
        (Column("before", _("Class before")), *(Column(c, _class(c), "count") for c in class_order)),
        _matrix(found.get("classes", {}), class_order, _class, "loan_class"),
        Chart("stacked", "before", class_order),
        drill=DRILL,
    )
    names = warning_names()
    breaches = Figure(
        "warnings",
        _("Warning rules newly breached"),
        (Column("rule", _("Warning rule")), Column("customers", _("Number of customers"), "count")),
        [
            {"rule": names.get(code, code), "customers": n, "drill": {"warning": code}}
            for code, n in found.get("warnings", {}).items()
        ],
        Chart("bar", "rule", ("customers",)),
        drill=DRILL,
    )
    return found, [el, npl, grades, classes, breaches]


@dataclass(frozen=True)
class Drill:
    industry: str | None = None
    grade: str | None = None
    loan_class: str | None = None
    warning: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Drill:
        allowed = {
            "industry": INDUSTRIES,
            "grade": (*GRADES, UNRATED),
            "loan_class": (*CLASSES, UNCLASSIFIED),
            "warning": None,
        }
        errors, values = {}, {}
        for name, choices in allowed.items():
            value = (args.get(name) or "").strip() or None
            if value is not None and (len(value) > 64 or (choices is not None and value not in choices)):
                errors[name] = _("not one of the figures' values")
            values[name] = value
        if errors:
            raise InvalidInput(_("The figures cannot be computed for these filters."), errors)
        return cls(**values)

    def as_args(self) -> dict[str, str]:
        return {name: value for name in DRILL_ARGS if (value := getattr(self, name))}


def _is(column, value: str, missing: str) -> ColumnElement[bool]:
    return column.is_(None) if value == missing else column == value


def customers_figure(user: User, run_id: int, drill: Drill) -> tuple[StressRun, Figure]:
    """The customers behind a figure of the run (in the reader's reach): all of them in the figure, the page lists
    the first :data:`LISTED`."""
    reach = stress_scenarios.check_reader(user)
    run = stress_runs.get(user, run_id)
    table = StressOutcome.__table__.c
    where = [
        *([table.industry == drill.industry] if drill.industry else []),
        *([_is(table.grade_before, drill.grade, UNRATED)] if drill.grade else []),
        *([_is(table.class_before, drill.loan_class, UNCLASSIFIED)] if drill.loan_class else []),
        *(
            [("," + table.new_warnings + ",").contains(f",{drill.warning},", autoescape=True)]
            if drill.warning
            else []
        ),
    ]
    frame = outcome_frame(run, reach, *where)
    frame = frame.sort_values("el_after", ascending=False)
    names = warning_names()
    rows = [
        {
            "customer": row.customer_name,
            "industry": _(row.industry) if row.industry else "—",
            "grade_before": _grade(row.grade_before),
            "grade_after": _grade(row.grade_after),
            "class_before": _class(row.class_before),
            "class_after": _class(row.class_after),
            "ead": _money(row.ead),
            "pd_after": _pct(100 * row.pd_after),
            "el_before": _money(row.el_before),
            "el_after": _money(row.el_after),
            "new_warnings": "; ".join(names.get(c, c) for c in row.new_warnings.split(",") if c),
        }
        for row in frame.itertuples()
    ]
    figure = Figure(
        "customers",
        _("Customers behind the figure")
        + (f" · {names.get(drill.warning, drill.warning)}" if drill.warning else ""),
        (
            Column("customer", _("Customer")),
            Column("industry", _("Industry")),
            Column("grade_before", _("Grade before")),
            Column("grade_after", _("Grade after")),
            Column("class_before", _("Class before")),
            Column("class_after", _("Class after")),
            Column("ead", _("Exposure (EAD)"), "money"),
            Column("pd_after", _("PD after"), "pct"),
            Column("el_before", _("EL before"), "money"),
            Column("el_after", _("EL after"), "money"),
            Column("new_warnings", _("Warning rules newly breached")),
        ),
        rows,
        note=_("%(n)s customers, the largest expected loss after the shock first.", n=len(rows)),
    )
    return run, figure


def shown(figure: Figure) -> Figure:
    """The figure as the page lists it: its first :data:`LISTED` rows (the export holds them all)."""
    return replace(figure, rows=list(figure.rows)[:LISTED])


@dataclass(frozen=True)
class StressPage:
    scenarios: list
    last_runs: dict[int, StressRun]
    run: StressRun | None  # the run shown: the one asked for, else the last one done
    found: dict[str, Any]
    figures: list[Figure]
    may_keep: bool


def page(user: User, run_id: int | None) -> StressPage:
    """The stress test page: the scenarios with their last runs, and one run's figures in the reader's reach."""
    reach = stress_scenarios.check_reader(user)
    scenarios = stress_scenarios.listed(user)
    last = stress_runs.last_runs()
    if run_id is not None:
        run: StressRun | None = stress_runs.get(user, run_id)
    else:
        run = db.session.scalar(
            select(StressRun)
            .where(StressRun.status == "done")
            .order_by(StressRun.finished_at.desc())
            .limit(1)
        )
    found, figures = page_figures(run, reach) if run is not None and run.status == "done" else ({}, [])
    return StressPage(scenarios, last, run, found, figures, user.role in stress_scenarios.MAY_KEEP)
