"""The audit chain and what compliance reads: search, exceptions, sampling, kept documents, readable history.

Other rooms import the modules of this package by name (``from app.services.audit.audit import audit``)."""
