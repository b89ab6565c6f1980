"""The filters every dashboard takes: a period (from, to: Beijing dates, inclusive), a branch and a segment.
Parsed from the query string once, each bad value named by its field (a 422 that names it, never a 500); an
empty filter is the default period (the last twelve months to today) over the reader's whole scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta

from flask_babel import gettext as _

from app.localtime import local_today
from app.services.shared.query_args import QueryArgs

DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    branch: str | None = None
    segment: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str], default_days: int = DEFAULT_DAYS) -> Filters:
        read = QueryArgs(args)
        date_to = read.day("date_to") or local_today()
        date_from = read.day("date_from") or date_to - timedelta(days=default_days)
        read.period_checked(date_from, date_to)
        found = cls(
            date_from=date_from, date_to=date_to, branch=read.text("branch"), segment=read.text("segment")
        )
        read.refuse_if_wrong(_("The figures cannot be computed for these filters."))
        return found

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments (for links: drill-downs, exports, the other tabs)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    def previous(self) -> Filters:
        """The period of the same length just before this one (a KPI's comparison)."""
        length = self.date_to - self.date_from
        end = self.date_from - timedelta(days=1)
        return Filters(end - length, end, self.branch, self.segment)
