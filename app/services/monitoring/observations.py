"""Monitoring observations (贷后监测数据): the figures watched after a limit is granted, checked the same
way whether they come from an import file, the entry screen or the API.

``FIELDS`` is the one list of what an observation holds: its column names in files and the API, its
Chinese header (files may use either), its kind and bounds. ``check`` turns one record of strings or
JSON values into typed values and a reason per bad field; ``record`` stores one (screen, API).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.forms.coerce import parse_date, parse_number
from app.inputs import numbers as number_rules
from app.inputs import text as text_rules
from app.language import kept
from app.localtime import local_today
from app.models import Customer, Observation, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.monitoring import realtime
from app.services.shared.unit_of_work import unit_of_work

MAY_RECORD = {"officer", "risk_manager"}
MAY_READ = MAY_RECORD | {"compliance", "admin"}
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")


@dataclass(frozen=True)
class ObservationField:
    name: str
    header_zh: str
    kind: str  # text | date | number | integer | money | boolean | rating
    title: Any
    maximum: float | None = None


FIELDS = (
    ObservationField("uscc", "统一社会信用代码", "text", _l("Unified social credit code")),
    ObservationField("observed_on", "观测日期", "date", _l("Observed on")),
    ObservationField(
        "utilization_pct", "额度使用率（%）", "number", _l("Utilization of the limit (%)"), 1000
    ),
    ObservationField("days_past_due", "逾期天数", "integer", _l("Days past due"), 100000),
    ObservationField("overdue_interest", "欠息金额（元）", "money", _l("Overdue interest (CNY)")),
    ObservationField(
        "enforcement_records", "涉诉及被执行记录数", "integer", _l("Court and enforcement records"), 100000
    ),
    ObservationField("tax_arrears", "欠税金额（元）", "money", _l("Tax arrears (CNY)")),
    ObservationField("utility_arrears", "欠缴水电费（元）", "money", _l("Utility arrears (CNY)")),
    ObservationField("negative_news", "负面舆情", "boolean", _l("Negative news")),
    ObservationField("news_note", "舆情摘要", "text", _l("What the news says")),
    ObservationField("collateral_value", "抵押物价值（元）", "money", _l("Collateral value (CNY)")),
    ObservationField("external_rating", "外部评级", "rating", _l("External rating")),
    # Added last: a template filled before it came reads as it did.
    ObservationField("dishonest_debtor", "失信被执行人", "boolean", _l("On the dishonest-debtor list")),
)
BY_NAME = {f.name: f for f in FIELDS}
BY_HEADER = {**{f.name: f for f in FIELDS}, **{f.header_zh: f for f in FIELDS}}
FIGURES = tuple(f.name for f in FIELDS if f.name not in ("uscc", "observed_on", "news_note"))
MAX_MONEY = Decimal("1e15")
_TRUE = {"true", "1", "yes", "y", "是", "有", "t"}
_FALSE = {"false", "0", "no", "n", "否", "无", "f"}


def check_role(user: User, *, write: bool) -> None:
    allowed = MAY_RECORD if write else MAY_READ
    if user.role not in allowed:
        raise NotAuthorized(
            _("Your role may not record monitoring data.")
            if write
            else _("Your role may not read monitoring data.")
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _value(field: ObservationField, raw: Any) -> tuple[Any, str | None]:
    """The typed value of ``raw`` for ``field`` (None when empty), or the reason it is refused."""
    text = _text(raw)
    if text == "" or text.lower() in ("none", "null"):  # "NaN" is a number that is not one: refused below
        return None, None
    kind = field.kind
    if text_rules.refused_kind(text, multi_line=field.name == "news_note"):
        return None, kept("letters, digits and punctuation only, on one line")
    if kind == "text":
        limit = 18 if field.name == "uscc" else 500
        return (text, None) if len(text) <= limit else (None, kept("at most %(n)s characters", n=limit))
    if kind == "date":
        if isinstance(raw, date):
            return raw, None
        parsed = parse_date(text.split(" ")[0].split("T")[0])
        return (date.fromisoformat(parsed), None) if parsed else (None, kept("a date such as 2026-11-30"))
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw, None
        lowered = text.lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE, None
        return None, kept("yes or no")
    if kind == "rating":
        upper = text.upper()
        return (
            (upper, None)
            if upper in RATINGS
            else (None, kept("one of %(values)s", values=", ".join(RATINGS)))
        )
    number = (
        raw if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool) else parse_number(text)
    )
    if number is None or number_rules.refused_kind(number):
        return None, kept("a number")
    if number < 0:
        return None, kept("not negative")
    if kind == "integer":
        if Decimal(str(number)) != Decimal(str(number)).to_integral_value():
            return None, kept("a whole number")
        number = int(number)
    highest = MAX_MONEY if kind == "money" else field.maximum
    if highest is not None and number > highest:
        return None, kept("at most %(n)s", n=f"{int(highest):,}")
    return (Decimal(str(number)) if kind in ("money", "number") else number), None


def check(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values of one record (keys: field names) and the reason for each field refused."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        value, reason = _value(field, record.get(field.name))
        if reason:
            errors[field.name] = reason
        else:
            values[field.name] = value
    for required in ("uscc", "observed_on"):
        if values.get(required) is None and required not in errors:
            errors[required] = kept("required")
    if values.get("observed_on") and values["observed_on"] > local_today():
        errors["observed_on"] = kept("not in the future")
    if not errors and all(values.get(name) is None for name in FIGURES):
        errors["observed_on"] = kept("an observation needs at least one figure")
    return values, errors


def customers_by_uscc(codes: Iterable[str]) -> dict[str, int]:
    """Customer ids of the credit codes given, asked in chunks."""
    codes = list(dict.fromkeys(codes))
    found: dict[str, int] = {}
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        found.update(
            db.session.execute(select(Customer.uscc, Customer.id).where(Customer.uscc.in_(chunk))).all()
        )
    return found


def already_stored(pairs: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
    """Which (customer, date) pairs have an observation already from the bank's own channels (a connector's,
    one per event, take no customer's day)."""
    pairs = list(pairs)
    stored: set[tuple[int, date]] = set()
    for start in range(0, len(pairs), 400):
        chunk = pairs[start : start + 400]
        stored.update(
            db.session.execute(
                select(Observation.customer_id, Observation.observed_on).where(
                    tuple_(Observation.customer_id, Observation.observed_on).in_(chunk),
                    Observation.payload_id.is_(None),
                )
            ).all()
        )
    return stored


def row_values(values: Mapping[str, Any], customer_id: int) -> dict[str, Any]:
    """The observation's columns from checked values."""
    return {"customer_id": customer_id, **{name: values.get(name) for name in BY_NAME if name != "uscc"}}


MAX_BATCH = 1000


def record(user: User, data: Mapping[str, Any], source: str = "screen") -> Observation:
    """Store one observation from the screen or the API; a bad one is refused naming each field."""
    return record_many(user, [data], source, single=True)[0]


def record_many(
    user: User, items: list[Mapping[str, Any]], source: str = "api", *, single: bool = False
) -> list[Observation]:
    """Store several observations, all or none: any bad one refuses the lot, naming item and field
    (``observations[2].uscc``)."""
    check_role(user, write=True)
    if not single and not 1 <= len(items) <= MAX_BATCH:
        raise InvalidInput(
            _("The observations were not stored."),
            {"observations": _("between 1 and %(n)s observations", n=MAX_BATCH)},
        )
    checked = [check(item if isinstance(item, Mapping) else {}) for item in items]
    customers = customers_by_uscc(v["uscc"] for v, e in checked if not e)
    pairs: list[tuple[int | None, Any]] = [
        (customers.get(v.get("uscc", "")), v.get("observed_on")) for v, _e in checked
    ]
    stored = already_stored(
        {
            (customer_id, day)
            for (customer_id, day), (_v, e) in zip(pairs, checked, strict=True)
            if not e and customer_id
        }
    )
    errors: dict[str, str] = {}
    seen: set = set()
    for index, ((_values, problems), pair) in enumerate(zip(checked, pairs, strict=True)):
        problems = dict(problems)
        if not problems:
            if pair[0] is None:
                problems["uscc"] = kept("no customer has this credit code")
            elif pair in stored or pair in seen:
                problems["observed_on"] = kept("this customer already has an observation on this date")
            seen.add(pair)
        prefix = "" if single else f"observations[{index}]."
        errors.update({prefix + name: reason for name, reason in problems.items()})
    if errors:
        raise InvalidInput(
            _("The observation was not stored.") if single else _("The observations were not stored."), errors
        )
    with unit_of_work():
        now, made = utcnow(), []
        for (values, _problems), (customer_id, _day) in zip(checked, pairs, strict=True):
            assert customer_id is not None  # refused above otherwise
            observation = Observation(
                **row_values(values, customer_id), source=source, recorded_by_id=user.id, recorded_at=now
            )
            db.session.add(observation)
            made.append((observation, values))
        db.session.flush()
        for observation, values in made:
            audit.record(
                "observation.recorded",
                user,
                customer_id=observation.customer_id,
                observation_id=observation.id,
                source=source,
                observed_on=values["observed_on"].isoformat(),
                figures={k: audit.to_json_safe(values[k]) for k in FIGURES if values.get(k) is not None},
            )
        realtime.queue({observation.customer_id for observation, _values in made}, user.id)
    return [observation for observation, _values in made]


def latest_for(customer_id: int, limit: int = 20) -> list[Observation]:
    return list(
        db.session.scalars(
            select(Observation)
            .where(Observation.customer_id == customer_id)
            .order_by(Observation.observed_on.desc())
            .limit(limit)
        )
    )
