"""The customers: their master data, statements, facilities and the changes to them, their contacts and
contact log, who guarantees whom (and the circles kept), the collateral that secures their facilities, their
post-loan inspections, and the live limit the database keeps on each."""

from app.models.customers.collateral import Collateral, CollateralLink, CollateralValuation
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
from app.models.customers.guarantee_circle import (
    GuaranteeChainMember,
    GuaranteeCircleMember,
    GuaranteeNetworkScan,
)
from app.models.customers.inspection import Inspection
from app.models.customers.live_limit import install as install_live_limit  # registers the triggers

__all__ = [
    "LIVE_FACILITY_STATUSES",
    "Collateral",
    "CollateralLink",
    "CollateralValuation",
    "ContactLogEntry",
    "Customer",
    "CustomerContact",
    "CustomerOfficerChange",
    "Facility",
    "FinancialStatement",
    "Guarantee",
    "GuaranteeChainMember",
    "GuaranteeCircleMember",
    "GuaranteeNetworkScan",
    "Inspection",
    "RatingChange",
    "install_live_limit",
]
