"""Reading the fields of a collateral item from a form (strings) or a JSON body: its kinds, an amount in CNY and
the facilities it secures with their shares, each refusal naming its field (as ``contacts.fields`` does)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.inputs.numbers import number_problem, written_decimal
from app.services.customers.contacts.fields import Errors, whole_number

KINDS = {
    "real_estate": _l("Real estate"),
    "equipment": _l("Machinery and equipment"),
    "receivables": _l("Receivables"),
    "deposit": _l("Deposits and margin"),
    "equity": _l("Equity"),
    "inventory": _l("Inventory"),
    "vehicle": _l("Vehicles"),
    "other": _l("Other collateral"),
}
LARGEST_AMOUNT = Decimal("9999999999999999.99")  # Numeric(18, 2)
CENT = Decimal("0.01")
WHOLE = Decimal(100)  # the shares of one item sum to at most 100%
SHARE_PREFIX = "share_"  # a form's field per live facility: share_<facility id>


def _decimal(raw: Any, name: str, errors: Errors, largest: Decimal, unit: str) -> Decimal | None:
    value = written_decimal(raw)
    problem = number_problem(value) if value is not None else None
    if value is None:
        errors[name] = unit
    elif problem:
        errors[name] = problem
    elif value <= 0:
        errors[name] = _("more than zero")
    elif value > largest:
        errors[name] = _("at most %(limit)s", limit=f"{largest:,}")
    elif value != value.quantize(CENT):
        errors[name] = _("at most two decimals")
    else:
        return value.quantize(CENT)
    return None


def amount(data: Mapping[str, Any], name: str, errors: Errors, *, required: bool = True) -> Decimal | None:
    """A positive amount in CNY (``1,000,000.50`` or a JSON number), at most two decimals."""
    raw = data.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = _("required")
        return None
    return _decimal(raw, name, errors, LARGEST_AMOUNT, _("an amount in CNY"))


def share(raw: Any, name: str, errors: Errors) -> Decimal | None:
    """A share of an item's value in percent: more than 0, at most 100, two decimals at most."""
    return _decimal(raw, name, errors, WHOLE, _("a share in percent, such as 60"))


def links_of(data: Mapping[str, Any], errors: Errors, live: Collection[int]) -> list[tuple[int, Decimal]]:
    """The facilities an item secures, as (facility id, share in percent): from ``links`` (a JSON list of
    ``{"facility_id": …, "share": …}``) or from a form's ``share_<facility id>`` fields (empty: not secured).
    Each must be a live facility of the borrower (``live``), once; the shares sum to at most 100%."""
    found: list[tuple[int, Decimal]] = []
    if "links" in data:
        entries = data.get("links")
        if not isinstance(entries, list):
            errors["links"] = _("a list of facilities and shares")
            return []
        for index, entry in enumerate(entries):
            where = f"links[{index}]"
            if not isinstance(entry, Mapping):
                errors[where] = _("a facility and its share")
                continue
            facility_id = whole_number(entry, "facility_id", {})
            if facility_id is None or facility_id not in live:
                errors[f"{where}.facility_id"] = _("one of the borrower's live facilities")
            elif facility_id in {f for f, _s in found}:
                errors[f"{where}.facility_id"] = _("named twice")
            value = share(entry.get("share"), f"{where}.share", errors)
            if facility_id is not None and facility_id in live and value is not None:
                found.append((facility_id, value))
    else:
        for name in sorted(k for k in data if isinstance(k, str) and k.startswith(SHARE_PREFIX)):
            raw = data.get(name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            suffix = name.removeprefix(SHARE_PREFIX)
            facility_id = int(suffix) if suffix.isascii() and suffix.isdigit() and len(suffix) < 10 else None
            if facility_id not in live:
                errors[name] = _("one of the borrower's live facilities")
                continue
            value = share(raw, name, errors)
            if value is not None and facility_id is not None:
                found.append((facility_id, value))
    total = sum((s for _f, s in found), Decimal(0))
    if total > WHOLE:
        errors["links"] = _(
            "the shares of one item sum to at most 100%% (these sum to %(total)s%%)",
            total=f"{total.normalize():f}",
        )
    return sorted(found)
