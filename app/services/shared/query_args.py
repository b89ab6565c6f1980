"""A page's filters read from its query string, field by field: each value cleaned as a search term, a date or a
whole number; whatever cannot be read is kept in ``errors`` under its field's name, so the page refuses once,
naming every field that is wrong (a 422), and never computes over a half-read filter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.inputs import dates, numbers
from app.services.cases import text_search


class QueryArgs:
    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        try:
            return text_search.clean_term(self.args.get(name), name)
        except InvalidInput as exc:
            self.errors.update(exc.errors)
            return None

    def day(self, name: str) -> date | None:
        raw = self.text(name)
        if raw is None:
            return None
        value = dates.iso_date(raw)
        if value is None:
            self.errors[name] = _(
                "a date such as 2026-11-30, from %(first)s to %(last)s",
                first=dates.EARLIEST.isoformat(),
                last=dates.LATEST.isoformat(),
            )
        return value

    def whole(self, name: str) -> int | None:
        try:
            return numbers.whole_number(self.args, name)
        except InvalidInput as exc:
            self.errors.update(exc.errors)
            return None

    def period_checked(self, date_from: date | None, date_to: date | None) -> None:
        """A period that ends before it starts is refused on its end."""
        if date_from and date_to and date_from > date_to:
            self.errors["date_to"] = _("not before the start date")

    def refuse_if_wrong(self, message: str) -> None:
        if self.errors:
            raise InvalidInput(message, self.errors)
