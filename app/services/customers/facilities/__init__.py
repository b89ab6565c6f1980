"""Facilities that end (授信到期): each facility's dates, the maturing list, and renewals (续授信).

Other rooms import the modules of this package by name
(``from app.services.customers.facilities import maturing``): ``facility_terms`` (a facility's dates, and the
link between a renewal and the facility it replaces), ``maturing`` (the facilities that mature soon, and each
customer's facilities with their renewal state), ``renewals`` (proposed by the beat or the customer's officer),
``maturity`` (when a customer's live facilities mature, as SQL)."""

from app.services.customers.facilities import facility_terms, maturing, maturity, renewals

__all__ = ["facility_terms", "maturing", "maturity", "renewals"]
