"""What each early-warning rule caught before a default (预警规则有效性): the evidence a designer reads before
changing a threshold of ``rules/warning_rules.dmn``.

A customer's **default date** is the day its class first became 次级 or worse (the rating history), or the default
day its case-library analysis records, whichever is earlier. A rule **caught** a default when a warning of its code
was detected for that customer within ``WINDOW_DAYS`` before (or on) the default date; **days ahead** counts from its
first such detection to the default. **False alarms** are the rule's warnings closed as false alarms; **raised**
all its warnings ever. Counted per rule code over the whole book: the warnings of customers that defaulted, read
in one query, and each rule's totals in one grouped query.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.extensions import db
from app.language import in_language
from app.localtime import local_date
from app.models import CaseAnalysis, EarlyWarning, RatingChange, User
from app.services.analytics.case_library import rights
from app.services.analytics.case_library.causes import DEFAULT_CLASSES
from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.shared.id_lists import among
from app.services.shared.nullsafe import outside

WINDOW_DAYS = 365
READERS = (*rights.CREDIT_USERS, "designer")  # designers read it before changing a threshold


def check_read(user: User) -> None:
    if user.role not in READERS:
        rights.check_read(user)  # names the refusal


def default_dates() -> dict[int, date]:
    """Each defaulted customer's default date (the rating history's, or its analysis's if earlier)."""
    found: dict[int, date] = {}
    for customer_id, first in db.session.execute(
        select(RatingChange.customer_id, func.min(RatingChange.changed_at))
        .where(
            RatingChange.class_after.in_(DEFAULT_CLASSES),
            outside(RatingChange.class_before, DEFAULT_CLASSES),
        )
        .group_by(RatingChange.customer_id)
    ):
        found[customer_id] = local_date(first)
    for customer_id, on in db.session.execute(
        select(CaseAnalysis.customer_id, func.min(CaseAnalysis.default_on))
        .where(CaseAnalysis.default_on.is_not(None))
        .group_by(CaseAnalysis.customer_id)
    ):
        if on is not None:
            found[customer_id] = min(on, found.get(customer_id, on))
    return found


def rule_figure(user: User) -> Figure:
    """Per warning rule code: warnings raised, defaults caught, median and mean days ahead, false alarms."""
    check_read(user)
    defaults = default_dates()
    first_seen: dict[tuple[str, int], date] = {}
    if defaults:
        for code, customer_id, detected in db.session.execute(
            select(EarlyWarning.code, EarlyWarning.customer_id, EarlyWarning.detected_at).where(
                among(EarlyWarning.customer_id, defaults)
            )
        ):
            on, default_on = local_date(detected), defaults[customer_id]
            if default_on - timedelta(days=WINDOW_DAYS) <= on <= default_on:
                key = (code, customer_id)
                first_seen[key] = min(on, first_seen.get(key, on))
    ahead: dict[str, list[int]] = defaultdict(list)
    for (code, customer_id), on in first_seen.items():
        ahead[code].append((defaults[customer_id] - on).days)
    locale = str(get_locale() or "zh_CN")
    rows = []
    for code, name, raised, false_alarms in db.session.execute(
        select(
            EarlyWarning.code,
            func.max(EarlyWarning.name),
            func.count(),
            func.sum(case((EarlyWarning.outcome == "false_alarm", 1), else_=0)),
        ).group_by(EarlyWarning.code)
    ):
        days = ahead.get(code, [])
        rows.append(
            {
                "code": code,
                "name": in_language(name, locale),
                "raised": raised,
                "caught": len(days),
                "median_days": Decimal(str(statistics.median(days))) if days else None,
                "mean_days": Decimal(str(round(statistics.fmean(days), 1))) if days else None,
                "false_alarms": int(false_alarms or 0),
                "false_alarm_share": share(false_alarms, raised),
            }
        )
    rows.sort(key=lambda r: (-r["caught"], r["code"]))
    return Figure(
        "rules",
        _("What each warning rule caught"),
        (
            Column("code", _("Rule")),
            Column("name", _("Warning")),
            Column("raised", _("Warnings raised"), "count"),
            Column("caught", _("Defaults caught"), "count"),
            Column("median_days", _("Median days ahead"), "days"),
            Column("mean_days", _("Mean days ahead"), "days"),
            Column("false_alarms", _("False alarms"), "count"),
            Column("false_alarm_share", _("False alarm share"), "pct"),
        ),
        rows,
        Chart("bar", "code", ("caught", "false_alarms")),
        note=_(
            "%(defaults)s defaulted customer(s). A default is caught when the rule warned within %(days)s days "
            "before the day the class became substandard or worse.",
            defaults=len(defaults),
            days=WINDOW_DAYS,
        ),
    )
