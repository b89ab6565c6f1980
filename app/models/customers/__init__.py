"""The customers: their master data, statements, facilities and the changes to them, their contacts and
contact log, who guarantees whom, their post-loan inspections, and the live limit the database keeps on each."""

from app.models.customers.contact import ContactLogEntry, CustomerContact
from app.models.customers.customer import (
    LIVE_FACILITY_STATUSES,
    Customer,
    CustomerOfficerChange,
    Facility,
    FinancialStatement,
    RatingChange,
)
from app.models.customers.guarantee import Guarantee
from app.models.customers.inspection import Inspection
from app.models.customers.live_limit import install as install_live_limit  # registers the triggers

__all__ = [
    "LIVE_FACILITY_STATUSES",
    "ContactLogEntry",
    "Customer",
    "CustomerContact",
    "CustomerOfficerChange",
    "Facility",
    "FinancialStatement",
    "Guarantee",
    "Inspection",
    "RatingChange",
    "install_live_limit",
]
