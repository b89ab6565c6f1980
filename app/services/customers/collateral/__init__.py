"""Collateral (押品): the register, what it secures per facility, its revaluation as a process, and the book's list.

Other rooms import the modules of this package by name (``from app.services.customers.collateral import register``):
``policy`` (the haircut and the revaluation interval, from their decision tables), ``register`` (an item recorded,
its facilities and shares, its insurance, its release, and who may), ``coverage`` (the value securing each facility,
LTV and coverage, for one customer and, set-based, for the whole book), ``revaluation`` (the beat that starts the
revaluations due, one started by hand, and what a revaluation's steps write), ``valuation_checks`` (the form's check
of a new valuation and the reports it may name), ``item_page`` (an item's page) and ``book`` (the list of the book:
due for revaluation, short of its limit, insurance expiring)."""
