"""Compliance's audit pages and exports.

Other rooms import the modules of this package by name (``from app.web.audit.audit import audit``)."""
