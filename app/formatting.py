"""How figures read, as a credit officer reads them: one function per kind of figure.

Pages, the credit memo, the PDFs, e-mails and refusal messages all format through here (the
functions are Jinja filters too, registered by ``register_filters``); CSV and XLSX exports keep
raw numbers. The kinds:

=============  ==========================================  ===========================
kind           what it is                                  reads as
=============  ==========================================  ===========================
money          an amount in CNY                            1,234,567.00 元 / CNY 1,234,567.00
amount         an amount in a table whose header says CNY  1,234,567.00
share          a fraction of a whole (0.5612)              56.12% (0.025% when small)
probability    a probability of default (0.0141579)        1.42% (0.025% when small)
percent        a figure already in percent (1.5)           1.50% (4.125%: as typed)
multiple       one amount over a like one (1.3456)         1.35×
times          a coverage (0.6)                            0.60×
score          a Z-score (2.4567)                          2.46
points         scorecard points (612.4)                    612
=============  ==========================================  ===========================

``figure(value, name)`` picks the kind from the variable's name (``FIGURE_KINDS``), for
decision inputs and outputs, case data and warning evidence, where only the name says what a
number is. Anything else that is not a number reads as itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from jinja2 import pass_context

from app.risk.ratios import RATIO_KINDS
from app.risk.statements import LINE_ITEMS

EMPTY = "—"
_MAX_DECIMALS = 4  # a share below 0.0001% reads "<0.0001%"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and _finite(value)


def _finite(value: int | float | Decimal) -> bool:
    return not isinstance(value, float | Decimal) or math.isfinite(value)


def _english(locale: Any) -> bool:
    return str(locale or "").lower().startswith("en")


def number(value: Any) -> str:
    """A number as typed, without exponent or a trailing ".0" (1990 -> "1990", 1e-05 -> "0.00001")."""
    if not is_number(value):
        return "" if value is None else str(value)
    if value == int(value):
        return str(int(value))
    return f"{Decimal(str(value)):f}"


def amount(value: Any) -> str:
    """Money without unit, two decimals and thousands separators: "1,234,567.00"."""
    if not is_number(value):
        return "" if value is None else str(value)
    return f"{Decimal(str(value)):,.2f}"


def money(value: Any, locale: Any = None, unit: str | None = None) -> str:
    """Money with its unit: "1,234,567.00 元" (Chinese) or "CNY 1,234,567.00" (English).

    ``unit`` (an ``x-unit`` such as 万元) replaces the default and always follows the amount.
    A value that is not a number (an invalid entry being shown back) is returned as text.
    """
    if not is_number(value):
        return "" if value is None else str(value)
    text = amount(value)
    if unit:
        return f"{text} {unit}"
    return f"CNY {text}" if _english(locale) else f"{text} 元"


def percent(value: Any, locale: Any = None) -> str:
    """A figure already in percent, two decimals, more only as typed (a rate is never rounded):
    1.5 -> "1.50%", 4.35 -> "4.35%", 4.125 -> "4.125%"."""
    if not is_number(value):
        return "" if value is None else str(value)
    exact = Decimal(str(value)).normalize()
    exponent = exact.as_tuple().exponent  # "n", "N" or "F" for NaN and infinity
    decimals = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{exact:,.{decimals}f}%"


def share(value: Any, locale: Any = None) -> str:
    """A fraction as a percentage, two decimals, and two significant digits when below 1%:
    0.5612 -> "56.12%", -0.3333 -> "-33.33%", 0.00024697 -> "0.025%"."""
    if not is_number(value):
        return "" if value is None else str(value)
    pct = float(value) * 100
    if 0 < abs(pct) < 10**-_MAX_DECIMALS:
        return f"<{10**-_MAX_DECIMALS:.{_MAX_DECIMALS}f}%"
    decimals = 2
    if 0 < abs(pct) < 1:
        decimals = min(max(2, 1 - math.floor(math.log10(abs(pct)))), _MAX_DECIMALS)
    return f"{pct:,.{decimals}f}%"


def probability(value: Any, locale: Any = None) -> str:
    """A probability of default reads as a share: 0.014157904 -> "1.42%", 0.00024697 -> "0.025%"."""
    return share(value, locale)


def multiple(value: Any, locale: Any = None) -> str:
    """One amount over a like one, e.g. a current ratio: 1.3456 -> "1.35×", 0.6 -> "0.60×"."""
    if not is_number(value):
        return "" if value is None else str(value)
    return f"{float(value):,.2f}×"


def times(value: Any, locale: Any = None) -> str:
    """A coverage, e.g. interest cover, reads as a multiple: 4.2 -> "4.20×", 0.6 -> "0.60×"."""
    return multiple(value, locale)


def score(value: Any, locale: Any = None) -> str:
    """A Z-score: 2.4567 -> "2.46"."""
    if not is_number(value):
        return "" if value is None else str(value)
    return f"{float(value):.2f}"


def points(value: Any, locale: Any = None) -> str:
    """Scorecard points, whole: 612.4 -> "612"."""
    if not is_number(value):
        return "" if value is None else str(value)
    return f"{float(value):,.0f}"


def plain(value: Any, locale: Any = None) -> str:
    """A number of no known kind: whole numbers as they are, others to four significant digits."""
    if not is_number(value):
        return "" if value is None else str(value)
    if value == int(value):
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    return f"{float(value):,.2f}" if abs(value) >= 1000 else f"{float(value):.4g}"


KIND_FORMATS: dict[str, Callable[..., str]] = {
    "money": money,
    "share": share,
    "probability": probability,
    "percent": percent,
    "multiple": multiple,
    "times": times,
    "score": score,
    "points": points,
    "plain": plain,
}

# What each number the processes, tables and checks name is (the ratios' kinds come from their
# definitions in app.risk.ratios).
FIGURE_KINDS: dict[str, str] = {
    **{item: "money" for item in LINE_ITEMS},
    **RATIO_KINDS,
    "requested_amount": "money",
    "proposed_limit": "money",
    "limit_cap": "money",
    "new_limit": "money",
    "limit_amount": "money",
    "amount": "money",
    "overdue_interest": "money",
    "tax_arrears": "money",
    "utility_arrears": "money",
    "collateral_value": "money",
    "tier1_capital": "money",
    "pd": "probability",
    "debt_ratio": "share",
    "quick_ratio_change": "share",
    "collateral_coverage": "share",
    "single_client_share": "share",
    "group_share": "share",
    "guaranteed_share": "share",
    "sla_warn_share": "share",
    "sample_share": "share",
    "approve_share": "share",
    "quorum_share": "share",
    "reduce_share": "share",
    "balance_tolerance_share": "share",
    "utilization_pct": "percent",
    "expected_loss_pct": "percent",
    "pricing_margin_pct": "percent",
    "proposed_margin_pct": "percent",
    "margin_add_pct": "percent",
    "margin_pct": "percent",
    "z_score": "score",
    "score": "score",
    "points": "points",
    "score_points": "points",
}


def kind_of(name: str | None) -> str:
    """The kind of the figure a variable ``name`` holds ("plain" when nothing says)."""
    if not name:
        return "plain"
    if name in FIGURE_KINDS:
        return FIGURE_KINDS[name]
    if name.endswith("_pct"):
        return "percent"
    if name.endswith("_share"):
        return "share"
    if name.endswith(("_amount", "_limit")):
        return "money"
    return "plain"


def figure(value: Any, name: str | None = None, locale: Any = None) -> str:
    """``value`` as its name says it reads; lists and mappings item by item, yes/no in ``locale``."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return ("yes" if value else "no") if _english(locale) else ("是" if value else "否")
    if is_number(value):
        return KIND_FORMATS[kind_of(name)](value, locale)
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {figure(item, str(key), locale)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(figure(item, name, locale) for item in value)
    return str(value)


def ratio(value: Any, name: str, locale: Any = None) -> str:
    """A financial ratio as its kind reads (debt-to-asset 56.12%, current ratio 1.35, cover 4.2×)."""
    return figure(value, name, locale)


def _localized(function: Callable[..., str]) -> Callable[..., str]:
    """A filter that takes the page's language from the template's ``current_locale``."""

    @pass_context
    def apply(context, value, *args):
        if value is None:
            return EMPTY
        return function(value, *args, locale=context.get("current_locale"))

    return apply


TEMPLATE_FILTERS: dict[str, Callable[..., str]] = {
    "money": _localized(money),
    "amount": _localized(lambda value, locale=None: amount(value)),
    "share": _localized(share),
    "probability": _localized(probability),
    "multiple": _localized(multiple),
    "times": _localized(times),
    "score": _localized(score),
    "points": _localized(points),
    "plain": _localized(plain),
    "figure": _localized(figure),
    "ratio": _localized(ratio),
}


def register_filters(jinja_env) -> None:
    """Make every formatting function a Jinja filter (``{{ d.pd|probability }}``)."""
    jinja_env.filters.update(TEMPLATE_FILTERS)
