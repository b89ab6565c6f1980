"""The filters every dashboard takes: a period (from, to: Beijing dates, inclusive), a branch and a segment.
Parsed from the query string once, each bad value named by its field (a 422 that names it, never a 500); an
empty filter is the default period (the last twelve months to today) over the reader's whole scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.inputs import dates
from app.localtime import local_today
from app.services.cases import text_search

DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    branch: str | None = None
    segment: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str], default_days: int = DEFAULT_DAYS) -> Filters:
        errors: dict[str, str] = {}

        def text(name: str) -> str | None:
            try:
                return text_search.clean_term(args.get(name), name)
            except InvalidInput as exc:
                errors.update(exc.errors)
                return None

        def day(name: str) -> date | None:
            raw = text(name)
            if raw is None:
                return None
            value = dates.iso_date(raw)
            if value is None:
                errors[name] = _(
                    "a date such as 2026-11-30, from %(first)s to %(last)s",
                    first=dates.EARLIEST.isoformat(),
                    last=dates.LATEST.isoformat(),
                )
            return value

        today = local_today()
        date_to = day("date_to") or today
        date_from = day("date_from") or date_to - timedelta(days=default_days)
        if date_from > date_to:
            errors["date_to"] = _("not before the start date")
        found = cls(date_from=date_from, date_to=date_to, branch=text("branch"), segment=text("segment"))
        if errors:
            raise InvalidInput(_("The figures cannot be computed for these filters."), errors)
        return found

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links: drill-downs, exports, the other tabs)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    def previous(self) -> Filters:
        """The period of the same length just before this one (a KPI's comparison)."""
        length = self.date_to - self.date_from
        end = self.date_from - timedelta(days=1)
        return Filters(end - length, end, self.branch, self.segment)
