"""Customers, the directory of who serves them, and their contacts and contact log.

Other rooms import the modules of this package by name (``from app.services.customers.customers import customers``):
``customers``, ``directory``, ``contacts`` (contact people), ``contact_log`` (the log and its search),
``follow_ups`` (the officer's to-dos from the log, and their notices), ``customer_page`` (what the customer's
page shows); ``contact_rights``, ``fields`` and ``identity`` serve these."""
