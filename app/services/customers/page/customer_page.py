"""What a customer's page (客户全景视图) shows, gathered by one call: the customer and its master data history,
its exposure and its group's, its facilities, statements and ratio trend, grade and class history, monitoring
data, warnings, reviews, post-loan inspections and cases, its guarantees both ways (and the circle it is in), its
collateral with the LTV of each facility, its contacts, its documents (资料, with its cases' and warnings'), and one
timeline of its contact log with its cases and warnings (newest first). Every part is read by the customer's id
on an index (see ``customer_figures``).

The timeline puts each item on its Beijing date (a case on the day it started, a warning on the day it was
raised, a contact on the day it happened). A search of the log (``log_q``) narrows the timeline to the log
entries that hold it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.localtime import local_date
from app.models import ContactLogEntry, Customer, CustomerContact, EarlyWarning, ProcessInstance, User
from app.services.analytics.case_library import entries as case_entries
from app.services.analytics.case_library import rights as case_rights
from app.services.attachments import pages as attachment_pages
from app.services.customers.collateral import coverage as collateral_cover
from app.services.customers.collateral import register as collateral_register
from app.services.customers.contacts import contact_log, contacts
from app.services.customers.contacts.contact_rights import may_write
from app.services.customers.facilities import maturing
from app.services.customers.guarantees import network, register
from app.services.customers.inspections import reads as inspection_reads
from app.services.customers.master import customers, master_history
from app.services.customers.page import customer_figures
from app.services.customers.relationship import transfer
from app.services.monitoring import classification
from app.services.monitoring import observations as observation_service

REVIEW, ESCALATION = "periodic_review", "warning_escalation"  # process ids of the kinds the page lists apart


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # contact | case | warning
    on: date
    at: datetime | None  # the stored time, to order items of one day (a contact has its day only)
    item: Any  # the ContactLogEntry, ProcessInstance or EarlyWarning


@dataclass
class CustomerPage:
    customer: Customer
    cases: list[ProcessInstance]
    warnings: list[EarlyWarning]
    contacts: list[CustomerContact]
    timeline: list[TimelineItem]
    may_write: bool
    log_search: str | None
    observations: list = field(default_factory=list)
    rating_history: list = field(default_factory=list)
    master_changes: list[master_history.MasterChange] = field(default_factory=list)
    figures: customer_figures.Figures | None = None
    exposure: customer_figures.CustomerExposure | None = None
    documents: attachment_pages.DocumentList | None = None  # None: the user's role reads no documents
    facility_terms: list = field(default_factory=list)  # its facilities with dates and renewal (``maturing``)
    officer: transfer.OfficerPanel | None = None  # the relationship officer, their team, the transfers
    guarantees: network.Network | None = None  # its guarantors and the guarantees it gives (担保)
    may_write_guarantees: bool = False  # records and releases the guarantees it receives
    collateral: collateral_cover.CustomerCollateral | None = (
        None  # its collateral (押品) and each facility's LTV
    )
    may_write_collateral: bool = False  # records collateral for it
    inspections: inspection_reads.CustomerInspections | None = None  # its post-loan inspections (贷后检查)
    analyses: list = field(default_factory=list)  # its case analyses (案例库), newest first
    may_start_analysis: bool = False  # a risk manager starts one by hand (a success case)

    @property
    def reviews(self) -> list[ProcessInstance]:
        """The customer's periodic reviews (定期检查), newest first."""
        return [c for c in self.cases if c.process_id == REVIEW]

    @property
    def escalations(self) -> list[ProcessInstance]:
        """The warning escalations (预警处置) of the customer, newest first."""
        return [c for c in self.cases if c.process_id == ESCALATION]


def timeline(
    entries: list[ContactLogEntry], cases: list[ProcessInstance], warnings: list[EarlyWarning]
) -> list[TimelineItem]:
    """The items newest first; on one day the day's contacts (which have a date only) come first, then its
    cases and warnings, the latest first."""
    items = [TimelineItem("contact", e.contacted_on, None, e) for e in entries]
    items += [TimelineItem("case", local_date(c.started_at), c.started_at, c) for c in cases]
    items += [TimelineItem("warning", local_date(w.detected_at), w.detected_at, w) for w in warnings]
    return sorted(items, key=lambda i: (i.on, i.at or datetime.max, getattr(i.item, "id", 0)), reverse=True)


def page(user: User, customer_id: int, log_search: str | None = None) -> CustomerPage:
    """Everything the customer's page shows to ``user`` (who must be able to read the customer)."""
    customer = customers.get_customer(user, customer_id)
    entries = contact_log.of_customer(user, customer_id, log_search)
    cases, warnings = customers.cases_of(customer_id), customers.warnings_of(customer_id)
    shown = timeline(entries, [] if log_search else cases, [] if log_search else warnings)
    watched = observation_service.latest_for(customer_id) if user.role in observation_service.MAY_READ else []
    return CustomerPage(
        customer=customer,
        cases=cases,
        warnings=warnings,
        contacts=contacts.current(customer_id),
        timeline=shown,
        may_write=may_write(user, customer),
        log_search=log_search,
        observations=watched,
        rating_history=classification.history_of(customer_id),
        master_changes=master_history.history_of(customer_id),
        figures=customer_figures.figures_of(customer_id),
        exposure=customer_figures.exposure_of(customer),
        documents=attachment_pages.for_customer(user, customer),
        facility_terms=maturing.of_customer(user, customer_id),
        officer=transfer.officer_panel(user, customer),
        guarantees=network.network_of(customer_id, drawn=True),
        may_write_guarantees=register.may_write(user, customer),
        collateral=collateral_cover.of_customer(customer_id),
        may_write_collateral=collateral_register.may_write(user, customer),
        inspections=inspection_reads.of_customer(user, customer),
        analyses=case_entries.of_customer(customer_id),
        may_start_analysis=case_rights.may_start(user),
    )


@dataclass(frozen=True)
class CustomerRecord:
    """A customer's master data with its facilities and exposure: what an integration reads (the API)."""

    customer: Customer
    exposure: customer_figures.CustomerExposure


def record(user: User, customer_id: int) -> CustomerRecord:
    customer = customers.get_customer(user, customer_id)
    return CustomerRecord(customer=customer, exposure=customer_figures.exposure_of(customer))
