"""Monitoring and customer pages.

Other rooms import the modules of this package by name (``from app.web.monitoring.monitoring import monitoring``)."""
