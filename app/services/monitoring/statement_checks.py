"""Financial statements as they are entered (a credit application, a periodic review, the API alike):
no fiscal year twice, no part above its whole (``risk.statements.PARTS_OF``), and each year's balance
sheet balanced within the tolerance ``rules/statement_checks.dmn`` sets for the company's size.

A form asks for these checks with ``"x-checks": ["statements"]``. Every contradiction is refused at
once, on the cell it concerns, naming the year, the lines and both figures in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.engine.dmn import load_dmn
from app.errors import InvalidInput
from app.formatting import money
from app.language import title_in
from app.models import ProcessInstance
from app.risk.errors import RiskInputError
from app.risk.statements import LINE_ITEM_TITLES, Inconsistency, inconsistencies, read_statement

FIELD = "statements"
RULES_FILE, DECISION = "statement_checks.dmn", "statement_checks"


def balance_tolerance(size: str | None) -> Callable[[float], float]:
    """By the policy for a company of ``size``: the amount (CNY) by which total assets may differ from
    liabilities plus equity, as a function of total assets."""
    text = (Path(current_app.config["RULES_DIR"]) / RULES_FILE).read_text(encoding="utf-8")
    policy = load_dmn(text, RULES_FILE).decisions[DECISION].evaluate({"size": size}).single_output
    share, floor = float(policy["balance_tolerance_share"]), float(policy["balance_tolerance_min"])
    return lambda total_assets: max(floor, share * total_assets)


def check_statements(
    instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any], locale: str
) -> None:
    """Refuse statements whose figures contradict each other (``InvalidInput`` with one message per cell)."""
    statements = submitted.get(FIELD)
    if not isinstance(statements, list):
        return
    tolerance = balance_tolerance(submitted.get("size") or data.get("size"))
    errors: dict[str, str] = {}
    seen: dict[int, int] = {}
    with force_locale(locale):
        for index, raw in enumerate(statements):
            try:
                statement = read_statement(raw)
            except RiskInputError:
                continue  # a figure the form itself refuses (missing, not a number): its message is enough
            year = statement.fiscal_year
            if year in seen:
                _add(
                    errors,
                    f"{FIELD}-{index}-fiscal_year",
                    _(
                        "Fiscal year %(year)s is entered twice (columns %(first)s and %(second)s).",
                        year=year,
                        first=seen[year] + 1,
                        second=index + 1,
                    ),
                )
                continue
            seen[year] = index
            for found in inconsistencies(statement, tolerance(statement.total_assets)):
                _add(errors, f"{FIELD}-{index}-{found.field}", _message(found, locale))
        if errors:
            raise InvalidInput(_("The financial statements do not add up."), errors)


def _add(errors: dict[str, str], path: str, text: str) -> None:
    """One more problem of a cell: one line each (a form lists them as bullets)."""
    errors[path] = f"{errors[path]}\n{text}" if path in errors else text


def _line(item: str, locale: str) -> str:
    return title_in(LINE_ITEM_TITLES, item, locale)


def _message(found: Inconsistency, locale: str) -> str:
    lines = " + ".join(_line(p, locale) for p in found.parts)
    if found.kind == "unbalanced":
        return _(
            "%(year)s: %(assets_line)s %(assets)s do not equal %(lines)s %(sum)s; they differ by "
            "%(difference)s, more than the %(tolerance)s the policy allows.",
            year=found.fiscal_year,
            assets_line=_line(found.whole, locale),
            assets=money(found.bound, locale),
            lines=lines,
            sum=money(found.figure, locale),
            difference=money(abs(found.bound - found.figure), locale),
            tolerance=money(found.tolerance, locale),
        )
    return _(
        "%(year)s: %(lines)s %(figure)s exceed %(whole_line)s %(whole)s.",
        year=found.fiscal_year,
        lines=lines,
        figure=money(found.figure, locale),
        whole_line=_line(found.whole, locale),
        whole=money(found.bound, locale),
    )
