"""The inputs of the warning rules (``rules/warning_rules.dmn``) for every watched customer, one row each:
the frame the portfolio check (``portfolio``) and a draft table's policy impact evaluate at once.

The inputs of a customer: its industry; debt-to-asset, current ratio and the change of the quick ratio
from its two latest statements (``risk.ratios``, the one place the formulas live); its latest monitoring
observed value of each figure, the change of enforcement records and of the external rating since the
value observed before, and its collateral coverage: where the collateral register (押品) secures any of its live
facilities, the lowest coverage of those (``customers.collateral.coverage``: one facility short is enough), with
the register's secured value as its evidence; otherwise the observed collateral value over its live limits.
The worst finding of its latest signed-off post-loan inspection. Whether it is kept in a guarantee circle (担保圈),
and whether on a guarantee chain (担保链) longer than the policy accepts, each since when.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select

from app.extensions import db
from app.localtime import local_date
from app.models import (
    Customer,
    Facility,
    FinancialStatement,
    GuaranteeChainMember,
    GuaranteeCircleMember,
    Inspection,
    Observation,
    User,
)
from app.models.customers import LIVE_FACILITY_STATUSES
from app.risk.errors import RiskInputError
from app.risk.ratios import compute_ratios
from app.risk.statements import read_statement
from app.services.customers.collateral import coverage as collateral_cover
from app.services.monitoring.observations import RATINGS

LIVE = LIVE_FACILITY_STATUSES  # facilities whose customer is watched
STATEMENT_INPUTS = {"debt_to_asset", "current_ratio", "quick_ratio_change"}
INPUTS = (
    "industry",
    "debt_to_asset",
    "current_ratio",
    "quick_ratio_change",
    "utilization_pct",
    "days_past_due",
    "overdue_interest",
    "new_enforcement_records",
    "tax_arrears",
    "utility_arrears",
    "negative_news",
    "collateral_coverage",
    "external_rating_drop",
    "inspection_finding",
    "in_guarantee_circle",
    "long_guarantee_chain",
    "dishonest_debtor",
)
# What a warning keeps as its evidence beside the inputs: the collateral value its coverage was read from.
EVIDENCE = ("collateral_value",)


Only = Collection[int] | None  # the customers to read (None: the whole book)


def _live_customers(only: Only) -> pd.DataFrame:
    query = (
        select(
            Customer.id,
            Customer.name,
            Customer.uscc,
            Customer.industry,
            User.username,
            func.sum(Facility.limit_amount),
        )
        .join(Facility, Facility.customer_id == Customer.id)
        .outerjoin(User, User.id == Customer.officer_id)
        .where(Facility.status.in_(LIVE))
        .group_by(Customer.id, Customer.name, Customer.uscc, Customer.industry, User.username)
    )
    rows = db.session.execute(query if only is None else query.where(Customer.id.in_(only))).all()
    frame = pd.DataFrame(
        rows, columns=["customer_id", "customer_name", "uscc", "industry", "officer", "live_limit"]
    )
    return frame.set_index("customer_id")


def watched(only: Only = None):
    """The ids of the customers with a live facility (of ``only``, when given), as a subquery (a portfolio is
    too many to list)."""
    query = select(Facility.customer_id).where(Facility.status.in_(LIVE))
    return (query if only is None else query.where(Facility.customer_id.in_(only))).distinct()


def _ratios(only: Only) -> pd.DataFrame:
    """Debt-to-asset and current ratio of the latest statement (and its year), the quick ratio's relative
    change from the year before; a statement that cannot give a ratio gives none."""
    ranked = (
        select(
            FinancialStatement.customer_id,
            FinancialStatement.fiscal_year,
            FinancialStatement.items,
            func.row_number()
            .over(partition_by=FinancialStatement.customer_id, order_by=FinancialStatement.fiscal_year.desc())
            .label("n"),
        )
        .where(FinancialStatement.customer_id.in_(watched(only)))
        .subquery()
    )
    latest: dict[int, list[tuple[int, dict]]] = {}
    for customer_id, year, items, _n in db.session.execute(
        select(ranked).where(ranked.c.n <= 2).order_by(ranked.c.customer_id, ranked.c.n)
    ):
        latest.setdefault(customer_id, []).append((year, _ratios_of({**items, "fiscal_year": year})))
    rows = {}
    for customer_id, ((year, newest), *older) in latest.items():
        quick_now, quick_before = newest.get("quick_ratio"), older[0][1].get("quick_ratio") if older else None
        change = (quick_now - quick_before) / quick_before if quick_now is not None and quick_before else None
        rows[customer_id] = {
            "debt_to_asset": newest.get("debt_to_asset"),
            "current_ratio": newest.get("current_ratio"),
            "quick_ratio_change": change,
            "statement_year": year,
        }
    return pd.DataFrame.from_dict(
        rows,
        orient="index",
        columns=["debt_to_asset", "current_ratio", "quick_ratio_change", "statement_year"],
    )


def _ratios_of(items: dict[str, Any]) -> dict[str, float | None]:
    """The ratios of a statement on file, even one whose figures contradict each other (kept before
    statements were checked as they were entered): the safety net still watches it."""
    try:
        return compute_ratios(read_statement(items))
    except (RiskInputError, ValueError, TypeError):
        return {}


OBSERVED = (
    "utilization_pct",
    "days_past_due",
    "overdue_interest",
    "tax_arrears",
    "utility_arrears",
    "negative_news",
    "collateral_value",
    "dishonest_debtor",
)
CHANGES = ("enforcement_records", "external_rating")  # compared with the figure observed before


def _last_values(column, keep: int, only: Only, by_series: bool = False) -> dict[Any, list[tuple[Any, Any]]]:
    """Each watched customer's last ``keep`` observed (not empty) values of one figure with their dates,
    newest first; with ``by_series``, of each series of it apart, keyed (customer, series)."""
    series = case((Observation.payload_id.is_(None), "bank"), else_=Observation.source)
    ranked = (
        select(
            Observation.customer_id,
            series.label("series"),
            column.label("value"),
            Observation.observed_on,
            func.row_number()
            .over(  # the same day's, from a connector and the bank: the one stored last
                partition_by=(Observation.customer_id, series) if by_series else Observation.customer_id,
                order_by=(Observation.observed_on.desc(), Observation.id.desc()),
            )
            .label("n"),
        )
        .where(column.is_not(None), Observation.customer_id.in_(watched(only)))
        .subquery()
    )
    found: dict[Any, list[tuple[Any, Any]]] = {}
    for customer_id, kind, value, observed_on, _n in db.session.execute(
        select(ranked).where(ranked.c.n <= keep).order_by(ranked.c.customer_id, ranked.c.series, ranked.c.n)
    ):
        found.setdefault((customer_id, kind) if by_series else customer_id, []).append((value, observed_on))
    return found


def _new_enforcement(only: Only) -> dict[int, tuple[Any, Any]]:
    """The change of the enforcement records a customer's latest observation of them says, over the count observed
    before in the same series, and its date: the bank's own channels keep one count (lawsuits and enforcement
    records on file), each source its own (the courts' feed: the enforcement cases it lists), and a count of one
    series is never compared with another's (alternating, they would rise and fall with nothing new)."""
    latest: dict[int, tuple[Any, Any]] = {}
    series = _last_values(Observation.enforcement_records, 2, only, by_series=True)
    for (customer_id, _series), values in series.items():
        rise = (values[0][0] - (values[1][0] if len(values) > 1 else 0), values[0][1])
        held = latest.get(customer_id)
        # the series observed last; on the same day, the larger rise
        if held is None or (rise[1], rise[0]) > (held[1], held[0]):
            latest[customer_id] = rise
    return latest


def _observations(only: Only) -> pd.DataFrame:
    """Each figure's latest observed value (a row that did not observe a figure does not hide the one
    before it) and the date it was observed (``on_<figure>``), the change of enforcement records and of
    the external rating since the value observed before, and the date of the latest observation."""
    columns: dict[str, dict[int, Any]] = {}

    def put(name: str, values: dict[int, tuple[Any, Any]]) -> None:
        columns[name] = {c: value for c, (value, _on) in values.items()}
        columns[f"on_{name}"] = {c: on for c, (_value, on) in values.items()}

    for name in OBSERVED:
        put(name, {c: v[0] for c, v in _last_values(getattr(Observation, name), 1, only).items()})
    put("new_enforcement_records", _new_enforcement(only))
    ratings = _last_values(Observation.external_rating, 2, only)
    put(
        "external_rating_drop",
        {c: (_notches(v[1][0], v[0][0]), v[0][1]) for c, v in ratings.items() if len(v) > 1},
    )
    columns["observed_on"] = dict(
        db.session.execute(
            select(Observation.customer_id, func.max(Observation.observed_on))
            .where(Observation.customer_id.in_(watched(only)))
            .group_by(Observation.customer_id)
        ).all()
    )
    return pd.DataFrame(columns)


def _inspection_findings(only: Only) -> pd.DataFrame:
    """The worst severity of the findings of each watched customer's latest signed-off inspection (贷后检查;
    None: nothing found) and the Beijing day it was signed off (``on_inspection_finding``: the warning rests
    on that visit, and is not raised again from it)."""
    ranked = (
        select(
            Inspection.customer_id,
            Inspection.worst_severity,
            Inspection.signed_off_at,
            func.row_number()
            .over(
                partition_by=Inspection.customer_id,
                order_by=(Inspection.signed_off_at.desc(), Inspection.id.desc()),
            )
            .label("n"),
        )
        .where(
            Inspection.status == "signed_off",
            Inspection.signed_off_at.is_not(None),
            Inspection.customer_id.in_(watched(only)),
        )
        .subquery()
    )
    rows = {
        customer_id: {"inspection_finding": worst, "on_inspection_finding": local_date(signed_off_at)}
        for customer_id, worst, signed_off_at, _n in db.session.execute(select(ranked).where(ranked.c.n == 1))
    }
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["inspection_finding", "on_inspection_finding"]
    )


def _notches(before: Any, now: Any) -> int | None:
    if not isinstance(before, str) or not isinstance(now, str) or before not in RATINGS or now not in RATINGS:
        return None
    return RATINGS.index(now) - RATINGS.index(before)


def _kept_since(
    table: type[GuaranteeCircleMember] | type[GuaranteeChainMember], name: str, only: Only
) -> pd.DataFrame:
    """The watched customers a kept table holds — in a guarantee circle (担保圈), or on a guarantee chain (担保链)
    longer than the policy accepts as the last scan found it — as the input ``name``, True, and since when
    (what its warning rests on)."""
    rows = db.session.execute(
        select(table.customer_id, table.since).where(table.customer_id.in_(watched(only)))
    )
    frame = pd.DataFrame(rows.all(), columns=["customer_id", f"on_{name}"]).set_index("customer_id")
    return frame.assign(**{name: True})


def portfolio_frame(customer_ids: Only = None) -> pd.DataFrame:
    """One row per watched customer (of ``customer_ids``, when given): the warning rules' inputs, and who and
    what it is."""
    only = None if customer_ids is None else sorted({int(c) for c in customer_ids})
    customers = _live_customers(only)
    if customers.empty:
        return customers.reindex(
            columns=[*customers.columns, *INPUTS, "observed_on", "collateral_value", "statement_year"]
        )
    frame = customers.join(_ratios(only)).join(_observations(only))
    circle = _kept_since(GuaranteeCircleMember, "in_guarantee_circle", only)
    chain = _kept_since(GuaranteeChainMember, "long_guarantee_chain", only)
    frame = frame.join(_inspection_findings(only)).join(circle).join(chain)
    coverage = [
        float(value) / float(limit) if value is not None and not pd.isna(value) and limit else None
        for value, limit in zip(frame.collateral_value, frame.live_limit, strict=True)
    ]
    frame = frame.assign(
        collateral_coverage=coverage, on_collateral_coverage=frame.get("on_collateral_value")
    ).astype({"collateral_value": object, "collateral_coverage": object, "on_collateral_coverage": object})
    register = collateral_cover.book_frame(only)
    secured = register.index.intersection(frame.index)
    if len(secured):  # the register's figures replace the observed ones where it secures a live facility
        frame.loc[secured, register.columns] = register.loc[secured].to_numpy()
    for known in ("in_guarantee_circle", "long_guarantee_chain"):  # known: in none, on none
        frame[known] = frame[known].eq(True)
    for column in (*INPUTS, "observed_on", "statement_year"):
        if column not in frame:
            frame[column] = None
    return frame.astype(object).where(frame.notna(), None)
