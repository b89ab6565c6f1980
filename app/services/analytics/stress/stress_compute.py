"""A stress scenario over the whole book at once (vectorized, no database): each customer rated before and after
its industry's shock by the very functions and tables that rate one customer.

The book (:func:`stress_book.book_frame` reads it; the bench builds one in memory) has one row per customer with a
live facility: ``industry``, the line items of its latest statement (``risk.statements.LINE_ITEMS``), ``z_model``
(the segment table's), ``live_limit``, ``utilization_pct``, ``collateral_value``, ``days_past_due``,
``loan_class`` (on file) and the other inputs of ``rules/warning_rules.dmn`` (``portfolio_inputs.INPUTS``).

**The shock, on one year's accounts** (the balance sheet moves only by that year's result):

* operating revenue × (1 + sales_pct/100);
* EBIT loses the lost revenue's contribution, :data:`CONTRIBUTION_MARGIN` of it (variable costs fall with sales,
  fixed ones do not), then moves by ebit_pct/100 of its own size (a margin shock);
* interest expense rises by rate_bp/10 000 on all borrowings (short-term and long-term debt), never below 0;
* net profit and operating cash flow take both changes before tax (no tax shield: conservative);
* the change of profit goes through cash (a loss drains current assets, the part beyond them is borrowed short
  term) and equity (retained earnings), so assets = liabilities + equity still holds;
* collateral values × (1 + collateral_pct/100).

**Rated**: ``risk.frames`` (the ratios, Z-score and scorecard of ``risk.analysis``, column-wise) gives PD and zone;
``rules/credit_rating.dmn`` the grade; ``rules/stress_classification.dmn`` the class from PD and days past due, the
worse of it and the class on file kept, and ``rules/classification_grade_cap.dmn`` caps the grade by that class as it
does wherever a class is recorded (``loan_classification.dmn`` reads an officer's judged loss on an escalated
warning, every loss above 0 being 关注, so it cannot read a model PD; ``stress_classification.dmn`` says why its
bands mirror the grade cap). **Expected loss** EL = PD × LGD × EAD: EAD the live limit × utilization where observed
(else the whole limit), LGD :data:`UNSECURED_LGD` on the part the collateral does not cover (the register's value
after haircut where it secures a facility, else the observed collateral value; none: all unsecured). **Warnings**:
``rules/warning_rules.dmn`` on the stressed debt ratio, current ratio, quick ratio change and collateral cover.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.engine.dmn import load_dmn
from app.engine.dmn.vectorized import VectorizedDecision, compile_decision
from app.risk.frames import ratio_frame, score_frame, z_frame
from app.risk.master_scale import GRADES
from app.risk.scorecard import DEFAULT_MODEL
from app.risk.statements import LINE_ITEMS
from app.services.monitoring.portfolio_inputs import INPUTS

CONTRIBUTION_MARGIN = 0.30  # of each yuan of revenue lost, what EBIT loses (policy assumption)
UNSECURED_LGD = 0.45  # loss given default of an unsecured senior claim (the Basel foundation figure)
CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
NPL = ("substandard", "doubtful", "loss")  # 不良: the last three classes
EVERY = "*"


@dataclass(frozen=True)
class Tables:
    """The decision tables a run evaluates, compiled once."""

    rating: VectorizedDecision
    classification: VectorizedDecision
    cap: VectorizedDecision
    warnings: VectorizedDecision

    @classmethod
    def load(cls, rules_dir: Path | str) -> Tables:
        def table(name: str) -> VectorizedDecision:
            text = (Path(rules_dir) / f"{name}.dmn").read_text(encoding="utf-8")
            return compile_decision(load_dmn(text, f"{name}.dmn"), name)

        return cls(
            table("credit_rating"),
            table("stress_classification"),
            table("classification_grade_cap"),
            table("warning_rules"),
        )


# the migration matrices' row and column of the customers with no grade, with no class
UNRATED, UNCLASSIFIED = "unrated", "unclassified"


def shock_frame(industries: pd.Series, shocks: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Each customer's shock (columns sales_pct, ebit_pct, rate_bp, collateral_pct; 0 where none applies): its
    industry's own, else the scenario's ``*``."""
    names = ["sales_pct", "ebit_pct", "rate_bp", "collateral_pct"]
    frame = pd.DataFrame(0.0, index=industries.index, columns=names)
    every = [s for s in shocks if s["industry"] == EVERY]
    for shock in every:
        frame.loc[:, names] = [float(shock[n]) for n in names]
    for shock in shocks:
        if shock["industry"] != EVERY:
            frame.loc[industries == shock["industry"], names] = [float(shock[n]) for n in names]
    return frame


def stressed_items(items: pd.DataFrame, shock: pd.DataFrame) -> pd.DataFrame:
    """The statements after the shock, as the module docstring says."""
    out = items.copy()
    out["sales"] = items.sales * (1 + shock.sales_pct / 100)
    lost = items.sales * shock.sales_pct / 100 * CONTRIBUTION_MARGIN
    out["ebit"] = items.ebit + lost + items.ebit.abs() * shock.ebit_pct / 100
    debt = items.short_term_debt + items.long_term_debt
    out["interest_expense"] = (items.interest_expense + debt * shock.rate_bp / 10_000).clip(lower=0)
    change = (out.ebit - items.ebit) - (out.interest_expense - items.interest_expense)
    out["net_income"] = items.net_income + change
    out["operating_cash_flow"] = items.operating_cash_flow + change
    paid = np.minimum((-change).clip(lower=0), items.current_assets.clip(lower=0))
    gained = change.clip(lower=0)
    borrowed = (-change).clip(lower=0) - paid
    out["current_assets"] = items.current_assets - paid + gained
    out["cash"] = items.cash - np.minimum(paid, items.cash.clip(lower=0)) + gained
    out["total_assets"] = items.total_assets - paid + gained
    out["current_liabilities"] = items.current_liabilities + borrowed
    out["short_term_debt"] = items.short_term_debt + borrowed
    out["total_liabilities"] = items.total_liabilities + borrowed
    out["book_equity"] = items.book_equity + change
    out["retained_earnings"] = items.retained_earnings + change
    return out


def _rate(items: pd.DataFrame, models: pd.Series, tables: Tables) -> pd.DataFrame:
    """Ratios, PD (scorecard), Z zone and grade (credit_rating.dmn) of every row."""
    ratios = ratio_frame(items)
    card = score_frame(DEFAULT_MODEL, ratios)
    zone = z_frame(items, models)["z_zone"]
    grade = tables.rating.evaluate(pd.DataFrame({"pd": card.pd, "z_zone": zone}))["grade"]
    return ratios.assign(pd=card.pd, z_zone=zone, grade=grade)


def _worse(a: pd.Series, b: pd.Series) -> pd.Series:
    rank = {c: i for i, c in enumerate(CLASSES)}
    ra, rb = a.map(rank).fillna(-1), b.map(rank).fillna(-1)
    return a.where(ra >= rb, b)


def _classify(pd_: pd.Series, book: pd.DataFrame, tables: Tables) -> pd.Series:
    found = tables.classification.evaluate(pd.DataFrame({"days_past_due": book.days_past_due, "pd": pd_}))
    return _worse(found["loan_class"], book.loan_class)


def _capped(grade: pd.Series, loan_class: pd.Series, tables: Tables) -> pd.Series:
    """The grade the class allows (``rules/classification_grade_cap.dmn``: a class and a grade never disagree),
    evaluated once per distinct (class, grade) pair: a few dozen, whatever the size of the book."""
    pairs = pd.DataFrame({"loan_class": loan_class, "grade": grade}).astype(object)
    pairs = pairs.where(pairs.notna(), None)
    keys = pd.MultiIndex.from_frame(pairs.fillna("\0"))
    distinct = pairs[~keys.duplicated()]
    capped = pd.Series(
        tables.cap.evaluate(distinct)["grade"].to_numpy(), index=keys[~keys.duplicated()], dtype=object
    )
    return pd.Series(capped.reindex(keys).to_numpy(), index=grade.index, dtype=object)


def _warnings(inputs: pd.DataFrame, tables: Tables) -> tuple[pd.Series, pd.Series]:
    """How many warning rules each customer breaches, and the codes as a set."""
    hits = tables.warnings.evaluate(inputs[list(INPUTS)])
    codes = hits.groupby("row")["warning_code"].agg(frozenset)
    codes = codes.reindex(inputs.index)
    codes = codes.apply(lambda c: c if isinstance(c, frozenset) else frozenset())
    return codes.apply(len), codes


def _numbers(book: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return book[list(columns)].apply(pd.to_numeric, errors="coerce").astype(float)


def run(book: pd.DataFrame, shocks: Sequence[Mapping[str, Any]], tables: Tables) -> pd.DataFrame:
    """One row per customer of ``book``: industry, ead, pd/grade/class/lgd/el before and after, warnings before
    and after and the codes newly breached (comma-separated, '' for none)."""
    items = _numbers(book, LINE_ITEMS)
    shock = shock_frame(book.industry, shocks)
    after_items = stressed_items(items, shock)
    before = _rate(items, book.z_model, tables)
    after = _rate(after_items, book.z_model, tables)
    limit = _numbers(book, ["live_limit"]).live_limit.fillna(0.0)
    used = _numbers(book, ["utilization_pct"]).utilization_pct
    ead = (limit * (used / 100).where(used.notna(), 1.0)).clip(lower=0)
    collateral = _numbers(book, ["collateral_value"]).collateral_value.fillna(0.0).clip(lower=0)

    def lgd(cover: pd.Series) -> pd.Series:
        uncovered = ((ead - cover).clip(lower=0) / ead.where(ead > 0)).fillna(1.0)
        return UNSECURED_LGD * uncovered

    lgd_before, lgd_after = lgd(collateral), lgd(collateral * (1 + shock.collateral_pct / 100))
    stressed_inputs = book[list(INPUTS)].copy()
    stressed_inputs["debt_to_asset"] = after.debt_to_asset
    stressed_inputs["current_ratio"] = after.current_ratio
    change = pd.to_numeric(book.quick_ratio_change, errors="coerce").astype(float)
    previous = before.quick_ratio / (1 + change)
    stressed_inputs["quick_ratio_change"] = (after.quick_ratio - previous) / previous
    cover = pd.to_numeric(book.collateral_coverage, errors="coerce").astype(float)
    stressed_inputs["collateral_coverage"] = cover * (1 + shock.collateral_pct / 100)
    stressed_inputs = stressed_inputs.astype(object).where(stressed_inputs.notna(), None)
    class_before = _classify(before.pd, book, tables)
    class_after = _classify(after.pd, book, tables)
    count_before, codes_before = _warnings(book, tables)
    count_after, codes_after = _warnings(stressed_inputs, tables)
    new = [",".join(sorted(a - b)) for a, b in zip(codes_after, codes_before, strict=True)]
    return pd.DataFrame(
        {
            "industry": book.industry,
            "ead": ead,
            "pd_before": before.pd,
            "pd_after": after.pd,
            "grade_before": _capped(before.grade, class_before, tables),
            "grade_after": _capped(after.grade, class_after, tables),
            "class_before": class_before,
            "class_after": class_after,
            "lgd_before": lgd_before,
            "lgd_after": lgd_after,
            "el_before": before.pd * lgd_before * ead,
            "el_after": after.pd * lgd_after * ead,
            "warnings_before": count_before.astype(int),
            "warnings_after": count_after.astype(int),
            "new_warnings": new,
        },
        index=book.index,
    )


def _figures(outcome: pd.DataFrame) -> dict[str, Any]:
    ead = float(outcome.ead.sum())

    def npl(column: str) -> float:
        return 100 * float(outcome.ead[outcome[column].isin(NPL)].sum()) / ead if ead else 0.0

    rank = {g: i for i, g in enumerate(GRADES)}
    downgraded = outcome.grade_after.map(rank).fillna(-1) > outcome.grade_before.map(rank).fillna(-1)
    return {
        "customers": len(outcome),
        "ead": ead,
        "el_before": float(outcome.el_before.sum()),
        "el_after": float(outcome.el_after.sum()),
        "npl_before": npl("class_before"),
        "npl_after": npl("class_after"),
        "downgraded": int(downgraded.sum()),
        "breaching": int((outcome.new_warnings != "").sum()),
    }


def _migration(outcome: pd.DataFrame, before: str, after: str, missing: str) -> dict[str, dict[str, int]]:
    """{before: {after: customers}}; a customer with no grade or class (no statements to rate) counted under
    ``missing``, not left out."""
    pairs = outcome[[before, after]].astype(object)
    counts = pairs.where(pairs.notna(), missing).groupby([before, after]).size()
    matrix: dict[str, dict[str, int]] = {}
    for (was, now), count in counts.items():
        matrix.setdefault(str(was), {})[str(now)] = int(count)
    return matrix


def summary(outcome: pd.DataFrame) -> dict[str, Any]:
    """The run's figures over ``outcome`` (all of it, or a branch's part): customers, EAD, EL and NPL ratio (% of
    EAD in the classes of :data:`NPL`) before and after, customers downgraded and newly breaching a warning rule,
    the grade and class migration matrices ({before: {after: customers}}), the customers newly breaching each
    warning rule ({code: customers}) and the same figures by industry."""
    found = _figures(outcome)
    found["grades"] = _migration(outcome, "grade_before", "grade_after", UNRATED)
    found["classes"] = _migration(outcome, "class_before", "class_after", UNCLASSIFIED)
    codes = outcome.new_warnings[outcome.new_warnings != ""].str.split(",").explode()
    found["warnings"] = {str(code): int(n) for code, n in codes.value_counts().sort_index().items()}
    found["industries"] = [
        {"industry": industry, **_figures(part)}
        for industry, part in outcome.groupby(outcome.industry.fillna(""), sort=True)
    ]
    return found
