"""What a decision table reads of each customer with a live facility, as the workflows compute it today,
one frame over the whole portfolio (for ``policy_impact``).

Every variable a table may read is named once in :data:`VARIABLES`, with the source that computes it by
calling the function that computes it for a case — never a second copy of a formula:

* ``customers`` — the customer's master data as it stands (what ``credit_application`` records at approval
  and ``periodic_review`` reads back): industry, size, credit record, listed, the segment and grade in force,
  the five-category class; ``in_group`` (a connected group is named), and the live limits added up as
  ``limit_amount`` and ``proposed_limit`` (what a periodic review takes to its tables); and
  ``concentration_breach`` false for all: a review proposing the limit in force adds nothing to its industry's
  or region's share, and only an increase is weighed against ``rules/concentration_limits.dmn``.
* ``monitoring`` — the early-warning inputs, from ``portfolio_inputs.portfolio_frame`` (the portfolio check's).
* ``financials`` — probability of default, Z-score and its zone, scorecard points and debt ratio of the
  customer's latest statements, from ``risk.analysis.analyse_financials`` with the Z-score model that
  ``rules/customer_segment.dmn`` gives the customer now (as the two workflows' "Analyse financials" script).
  A customer it cannot analyse (no statement on file, no segment matched) is left out of a table that
  reads these, and counted with the reason.

A table that reads a name none of them gives (an application's requested amount, a warning's severity...)
cannot be evaluated over the portfolio: :class:`InputsUnavailable` names those inputs.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.engine.dmn import Decision, load_dmn
from app.engine.dmn.cells import PythonInputCell
from app.engine.dmn.vectorized import compile_decision
from app.engine.sandbox import SAFE_BUILTINS
from app.errors import DomainError
from app.extensions import db
from app.models import Customer, Facility, FinancialStatement
from app.risk.analysis import analyse_financials
from app.risk.errors import RiskInputError
from app.services.design.workspace import drafts
from app.services.monitoring import portfolio_inputs

SEGMENT_FILE, SEGMENT = "customer_segment.dmn", "customer_segment"
STATEMENTS_READ = 5  # the latest statements a periodic review takes (reviews._payload)
WHO = ("customer_name", "uscc")


class InputsUnavailable(DomainError):
    """The table reads names that no source computes per customer."""

    status = 422

    def __init__(self, decision_id: str, names: list[str]) -> None:
        super().__init__(
            _(
                "The table %(table)s cannot be evaluated over the portfolio: %(inputs)s are not "
                "known for each customer (only for a case, a warning or an action).",
                table=decision_id,
                inputs=", ".join(names),
            ),
            inputs=names,
        )
        self.names = names


@dataclass
class PortfolioFrame:
    """The inputs of one table for every customer it can be evaluated on, and who they are."""

    inputs: pd.DataFrame  # indexed by customer id; one column per name the table reads
    who: pd.DataFrame  # customer_name, uscc, same index
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> customers not evaluated


@dataclass(frozen=True)
class Source:
    columns: tuple[str, ...]
    build: Callable[[_Build], pd.DataFrame]  # indexed by customer id; "_reason": why a row cannot be used


class _Build:
    """The sources built so far for one frame (one query each, whatever the table reads)."""

    def __init__(self) -> None:
        self.done: dict[str, pd.DataFrame] = {}

    def source(self, name: str) -> pd.DataFrame:
        if name not in self.done:
            self.done[name] = SOURCES[name].build(self)
        return self.done[name]


def _customers(build: _Build) -> pd.DataFrame:
    live = (
        select(Facility.customer_id, func.sum(Facility.limit_amount).label("live_limit"))
        .where(Facility.status.in_(portfolio_inputs.LIVE))
        .group_by(Facility.customer_id)
        .subquery()
    )
    rows = [
        tuple(row)
        for row in db.session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.uscc,
                Customer.industry,
                Customer.size,
                Customer.credit_record,
                Customer.listed,
                Customer.segment,
                Customer.grade,
                Customer.loan_class,
                Customer.group_name,
                live.c.live_limit,
            )
            .join(live, live.c.customer_id == Customer.id)
            .order_by(Customer.id)
        )
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "customer_id",
            "customer_name",
            "uscc",
            "industry",
            "size",
            "credit_record",
            "listed",
            "segment",
            "grade",
            "loan_class",
            "group_name",
            "live_limit",
        ],
    )
    frame = frame.set_index("customer_id").astype(object)
    limits = [float(v) if v is not None else 0.0 for v in frame.pop("live_limit")]
    frame["listed"] = [bool(v) for v in frame["listed"]]
    frame["in_group"] = [bool(v) for v in frame.pop("group_name")]
    frame["limit_amount"] = frame["proposed_limit"] = limits
    frame["concentration_breach"] = False  # the limit in force proposed again: no increase to weigh
    return frame.where(frame.notna(), None)


def _monitoring(build: _Build) -> pd.DataFrame:
    return portfolio_inputs.portfolio_frame()[[c for c in portfolio_inputs.INPUTS if c != "industry"]]


def _segments(build: _Build) -> pd.DataFrame:
    """The Z-score model the customer segment table in force gives each customer."""
    customers = build.source("customers")
    decision = compile_decision(
        load_dmn(drafts.file_text("rules", SEGMENT_FILE) or "", SEGMENT_FILE), SEGMENT
    )
    found = decision.evaluate(customers[list(SOURCES["customers"].columns)])
    return pd.DataFrame({"z_model": found["z_model"]}, index=customers.index)


def customers_and_models() -> pd.DataFrame:
    """Each customer with a live facility: the ``customers`` source's master data and the Z-score model the segment
    table in force gives it (``z_model``): what the stress test rates the book with."""
    build = _Build()
    return build.source("customers").join(build.source("segments"))


FINANCIALS = {
    "pd": "pd",
    "z_zone": "z_zone",
    "z_score": "z_score",
    "score_points": "points",
    "debt_ratio": "debt_ratio",
}


def _financials(build: _Build) -> pd.DataFrame:
    """What the "Analyse financials" script task gives, on the customer's latest statements."""
    models = build.source("segments")["z_model"]
    ranked = (
        select(
            FinancialStatement.customer_id,
            FinancialStatement.fiscal_year,
            FinancialStatement.items,
            func.row_number()
            .over(partition_by=FinancialStatement.customer_id, order_by=FinancialStatement.fiscal_year.desc())
            .label("n"),
        )
        .where(
            FinancialStatement.customer_id.in_(
                select(Facility.customer_id).where(Facility.status.in_(portfolio_inputs.LIVE))
            )
        )
        .subquery()
    )
    statements: dict[int, list[dict]] = {}
    for customer_id, year, items, _n in db.session.execute(
        select(ranked).where(ranked.c.n <= STATEMENTS_READ).order_by(ranked.c.customer_id, ranked.c.n)
    ):
        statements.setdefault(customer_id, []).append({"fiscal_year": year, **items})
    rows = {}
    for customer_id, model in models.items():
        try:
            analysis = analyse_financials(statements.get(customer_id, []), model)
        except RiskInputError as error:
            rows[customer_id] = {"_reason": _why(error)}
            continue
        rows[customer_id] = {name: analysis[key] for name, key in FINANCIALS.items()} | {"_reason": None}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[*FINANCIALS, "_reason"]).astype(object)
    return frame.where(frame.notna(), None)


def _why(error: RiskInputError) -> str:
    if error.field == "statements":
        return _("no financial statement on file")
    if error.field == "model":
        return _("no Z-score model: the customer segment table matches no rule")
    return _("a financial statement cannot be analysed (%(field)s)", field=error.field)


SOURCES: dict[str, Source] = {
    "customers": Source(
        (
            "industry",
            "size",
            "credit_record",
            "listed",
            "segment",
            "grade",
            "loan_class",
            "in_group",
            "limit_amount",
            "proposed_limit",
            "concentration_breach",
        ),
        _customers,
    ),
    "monitoring": Source(tuple(c for c in portfolio_inputs.INPUTS if c != "industry"), _monitoring),
    "segments": Source(("z_model",), _segments),
    "financials": Source(tuple(FINANCIALS), _financials),
}
VARIABLES: dict[str, str] = {column: name for name, source in SOURCES.items() for column in source.columns}


def _free_names(python: str) -> set[str]:
    """The names an expression reads from its context (not the sandbox's builtins, nor names it binds)."""
    try:
        tree = ast.parse(python.strip(), mode="eval")
    except SyntaxError:
        return set()
    nodes = list(ast.walk(tree))
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {
        a.arg
        for n in nodes
        if isinstance(n, ast.arguments)
        for a in (*n.posonlyargs, *n.args, *n.kwonlyargs, n.vararg, n.kwarg)
        if a is not None
    }
    read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - bound - set(SAFE_BUILTINS)


def names_read(decision: Decision) -> set[str]:
    """Every name the decision (and the decisions it requires) reads from the context it is given."""
    read: set[str] = set()
    given: set[str] = set()
    for required in decision.required:
        read |= names_read(required)
        given |= {required.id, *required.shape.output_names}
    for column in decision.inputs:
        read |= _free_names(column.python)
    for rule in decision.rules:
        read |= {
            n
            for cell in rule.input_entries
            if isinstance(cell, PythonInputCell)
            for n in _free_names(cell.python)
        }
        read |= {n for entry in rule.output_entries for n in _free_names(entry.python)}
    return read - given


def portfolio_frame(*decisions: Decision) -> PortfolioFrame:
    """The inputs the decisions read, for every customer with a live facility they can be evaluated on."""
    names: set[str] = set()
    for decision in decisions:
        names |= names_read(decision)
        unknown = sorted(names - set(VARIABLES))
        if unknown:
            raise InputsUnavailable(decision.id, unknown)
    build = _Build()
    customers = build.source("customers")
    inputs = pd.DataFrame(index=customers.index)
    reasons = pd.Series(None, index=customers.index, dtype=object)
    for source in dict.fromkeys(VARIABLES[n] for n in sorted(names)):
        part = build.source(source).reindex(customers.index)
        inputs = inputs.join(part[[c for c in part.columns if c in names]])
        if "_reason" in part:
            reasons = reasons.where(reasons.notna(), part["_reason"])
    inputs = inputs.astype(object).where(inputs.notna(), None)
    usable = reasons.isna().to_numpy()
    left_out = {str(k): int(v) for k, v in reasons[~usable].value_counts().items()}
    return PortfolioFrame(inputs[usable], customers.loc[usable, list(WHO)], left_out)
