"""Who may approve: eligibility (审贷分离), qualifications, authority and exposure, SLAs, staffing.

Other rooms import the modules of this package by name (``from app.services.approval import eligibility``)."""
