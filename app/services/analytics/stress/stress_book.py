"""The book a stress test runs over, read from the database: one row per customer with a live facility and a
financial statement on file, in the shape ``stress_compute`` reads (its docstring lists the columns).

Nothing is computed twice: the warning rules' inputs, the live limit and the collateral come from
``monitoring.portfolio_inputs.portfolio_frame`` (the portfolio check's frame), the class on file and the Z-score
model from ``design.impact.impact_frames.customers_and_models`` (the segment table in force, as the policy impact
reads it), and the line items of the latest statement as stored (``FinancialStatement.items``).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from app.extensions import db
from app.models import Facility, FinancialStatement
from app.risk.statements import LINE_ITEMS, OPTIONAL_ITEMS
from app.services.design.impact.impact_frames import customers_and_models
from app.services.monitoring import portfolio_inputs


def _latest_statements() -> pd.DataFrame:
    """The line items of each watched customer's latest statement, as floats (NaN where not a number)."""
    ranked = (
        select(
            FinancialStatement.customer_id,
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
    rows = {
        customer_id: {name: (items or {}).get(name) for name in LINE_ITEMS}
        for customer_id, items, _n in db.session.execute(select(ranked).where(ranked.c.n == 1))
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(LINE_ITEMS))
    return frame.apply(pd.to_numeric, errors="coerce").astype(float)


def book_frame() -> tuple[pd.DataFrame, int]:
    """The book, and how many customers with a live facility were left out (no statement on file, a statement
    missing a figure, or no Z-score model for their segment)."""
    watched = portfolio_inputs.portfolio_frame()
    if watched.empty:
        return watched, 0
    masters = customers_and_models()[["loan_class", "z_model"]]
    statements = _latest_statements()
    book = watched.join(masters).join(statements)
    required = [name for name in LINE_ITEMS if name not in OPTIONAL_ITEMS]
    usable = book[required].notna().all(axis=1) & book.z_model.notna()
    return book[usable], int((~usable).sum())
