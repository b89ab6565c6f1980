"""Exposure of the book (授信敞口): limits and used amounts of the live facilities, grouped by grade, five-category
class, segment, industry, branch, product or group; and the book's quality — the special-mention share (关注占比)
and the NPL ratio (不良率: 次级 + 可疑 + 损失 over all live limits), by amount and by count.

Each figure reads the page's ``portfolio_book.Sums`` (three GROUP BYs for them all); each row drills down to
its customers.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.analytics.portfolio_dashboard.portfolio_book import NO_VALUE, Sums, label
from app.services.monitoring.classification import FIVE_CATEGORIES
from app.services.monitoring.observations import RATINGS

NPL_CLASSES = ("substandard", "doubtful", "loss")  # 不良: 次级、可疑、损失
NPL = "npl"  # the drill-down's name for the three together
TOP_GROUPS = 20
ORDERS = {"grade": RATINGS, "loan_class": FIVE_CATEGORIES}  # shown in the scale's order, else largest first


def _titles() -> dict[str, str]:
    return {
        "grade": _("Exposure by grade"),
        "loan_class": _("Exposure by five-category class"),
        "segment": _("Exposure by segment"),
        "industry": _("Exposure by industry"),
        "branch": _("Exposure by branch"),
        "product": _("Exposure by product"),
        "group": _("Exposure by group (largest %(count)s)", count=TOP_GROUPS),
    }


DIMENSION_KEYS = ("grade", "loan_class", "segment", "industry", "branch", "product", "group")


def _sorted(dimension: str, rows: list[dict]) -> list[dict]:
    scale = ORDERS.get(dimension)
    if scale is None:
        return sorted(rows, key=lambda r: (-r["limit"], r["label"]))
    return sorted(rows, key=lambda r: scale.index(r["value"]) if r["value"] in scale else len(scale))


def by(sums: Sums, dimension: str) -> Figure:
    """Live limits and used amounts grouped by ``dimension`` (one of ``DIMENSION_KEYS``), each row's share of
    the book's limits; groups: the largest ``TOP_GROUPS`` (customers in no group left out)."""
    found = [
        {
            "value": value if value is not None else NO_VALUE,
            "label": label(dimension, value),
            "customers": customers,
            "limit": limit,
            "used": used,
        }
        for value, (customers, limit, used) in sums.by(dimension).items()
    ]
    rows = _sorted(dimension, found)
    for row in rows:
        row["share"] = share(row["limit"], sums.total)
        row["used_pct"] = share(row["used"], row["limit"])
        row["drill"] = {dimension: row["value"]}
    return Figure(
        key=f"exposure_{dimension}",
        title=_titles()[dimension],
        columns=_exposure_columns(),
        rows=rows,
        chart=Chart("bar", "label", ("limit", "used")),
        drill="portfolio.customers",
        total=_total(rows) if dimension != "group" else None,
    )


def _exposure_columns() -> tuple[Column, ...]:
    return (
        Column("label", _("Value"), "text"),
        Column("customers", _("Number of customers"), "count"),
        Column("limit", _("Live limits"), "money"),
        Column("used", _("Used"), "money"),
        Column("share", _("Share of limits"), "pct"),
        Column("used_pct", _("Utilisation"), "pct"),
    )


def _total(rows: list[dict]) -> dict:
    limit = sum((r["limit"] for r in rows), Decimal(0))
    used = sum((r["used"] for r in rows), Decimal(0))
    return {
        "label": _("Total"),
        "customers": sum(r["customers"] for r in rows),
        "limit": limit,
        "used": used,
        "share": share(limit, limit),
        "used_pct": share(used, limit),
    }


def quality(sums: Sums) -> Figure:
    """The book's quality now: all live limits, the special-mention part (关注) and the non-performing part
    (不良: 次级 + 可疑 + 损失), each by customers and amount with its share — the NPL ratio (不良率) by amount
    is the last row's share of limits, by count its share of customers."""
    per_class = {
        value: (customers, limit) for value, (customers, limit, _used) in sums.by("loan_class").items()
    }
    all_customers = sum(c for c, _l in per_class.values())
    all_limits = sum((amount for _c, amount in per_class.values()), Decimal(0))

    def part(classes: tuple[str, ...]) -> tuple[int, Decimal]:
        return (
            sum(per_class.get(c, (0, 0))[0] for c in classes),
            sum((per_class.get(c, (0, Decimal(0)))[1] for c in classes), Decimal(0)),
        )

    rows = []
    for title, classes, drill in (
        (_("Special mention"), ("special_mention",), "special_mention"),
        (_("Non-performing (substandard, doubtful, loss)"), NPL_CLASSES, NPL),
    ):
        customers, amount = part(classes)
        rows.append(
            {
                "label": title,
                "customers": customers,
                "customer_share": share(customers, all_customers),
                "limit": amount,
                "share": share(amount, all_limits),
                "drill": {"loan_class": drill},
            }
        )
    return Figure(
        key="quality",
        title=_("Book quality: special mention and NPL ratio"),
        columns=(
            Column("label", _("Part of the book"), "text"),
            Column("customers", _("Number of customers"), "count"),
            Column("customer_share", _("Share of customers"), "pct"),
            Column("limit", _("Live limits"), "money"),
            Column("share", _("Share of limits"), "pct"),
        ),
        rows=rows,
        chart=Chart("bar", "label", ("share", "customer_share")),
        drill="portfolio.customers",
        note=_("The NPL ratio is the non-performing row's share of limits; its trend is in the chart below."),
        total={
            "label": _("The whole book"),
            "customers": all_customers,
            "customer_share": share(all_customers, all_customers),
            "limit": all_limits,
            "share": share(all_limits, all_limits),
        },
    )
