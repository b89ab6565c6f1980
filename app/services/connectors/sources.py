"""The external sources and what each sends. A source is one class: the path it is pulled from and how one of its
events maps to an observation (``record``: the credit code, the day, the figures), checked as any observation is
(``observations.check``). Every event carries its provider's ``id`` (a duplicate repeats it) and ``occurred_at``
(ISO 8601; its day in Beijing is the observation's date). A page is ``{"events": [...], "next": "<cursor>"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.language import kept
from app.localtime import SHANGHAI
from app.services.connectors.provider import ProviderError


class Connector:
    key: ClassVar[str]
    title: ClassVar[LazyString]  # what people call the source
    path: ClassVar[str]  # of the pull endpoint, below the source's URL
    figures: ClassVar[dict[str, str]]  # the event's field → the observation's figure

    def page(self, body: Any) -> tuple[list[Any], str | None]:
        """The events of a page and the cursor after it; ProviderError when the page is not one."""
        if not isinstance(body, Mapping) or not isinstance(body.get("events"), list):
            raise ProviderError(kept("the source's answer is not a page of events"))
        after = body.get("next")
        if after is not None and not isinstance(after, str | int):
            raise ProviderError(kept("the source's page names no position to go on from"))
        return body["events"], None if after is None else str(after)[:200]

    def record(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The observation ``event`` says (to be checked as any observation is)."""
        return {
            "uscc": event.get("uscc"),
            "observed_on": occurred_on(event.get("occurred_at")),
            **{figure: event.get(field) for field, figure in self.figures.items()},
        }


class TaxConnector(Connector):
    """Tax arrears from the tax authority's feed (欠税公告)."""

    key = "tax"
    title = _l("Tax authority: tax arrears")
    path = "/tax/events"
    figures = {"tax_arrears": "tax_arrears"}


class CourtConnector(Connector):
    """The courts' enforcement information feed: the number of enforcement cases the customer stands in (被执行人;
    one more than observed before is a new record, ``new_enforcement_records``), and whether it is on the list of
    dishonest debtors (失信被执行人)."""

    key = "court"
    title = _l("Courts: enforcement cases and dishonest debtors")
    path = "/court/events"
    figures = {"enforcement_records": "enforcement_records", "dishonest_debtor": "dishonest_debtor"}


SOURCES: dict[str, Connector] = {c.key: c for c in (TaxConnector(), CourtConnector())}


def occurred_at(value: Any) -> datetime | None:
    """An event's time as stored (naive UTC); a time without a zone is Beijing's; None when it is no time."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # no time, or one the calendar cannot shift to UTC (year 1 or 9999)
        return None
    return moment if moment.year >= 1900 else None


def occurred_on(value: Any) -> date | str | None:
    """The Beijing day of an event's time (the text as it was when it is no time: the check names it)."""
    moment = occurred_at(value)
    if moment is None:
        return value if isinstance(value, str) else None
    return moment.replace(tzinfo=UTC).astimezone(SHANGHAI).date()
