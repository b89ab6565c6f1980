"""Post-loan monitoring: observations and imports, the portfolio check, warnings, risk controls, reviews.

Other rooms import the modules of this package by name (``from app.services.monitoring import observations``)."""
