"""Customers, the directory of who serves them, their relationship officers, and their contacts and contact log.

Other rooms import the modules of this package by name (``from app.services.customers.customers import customers``):
``customers``, ``directory``, ``contacts`` (contact people), ``contact_log`` (the log and its search),
``follow_ups`` (the officer's to-dos from the log, and their notices), ``customer_page`` (what the customer's
page shows), ``my_customers`` (an officer's book and a manager's, with filters and totals) and ``transfer``
(assigning and transferring customers between officers, 客户移交); ``contact_rights``, ``relationship_rights``
(who manages whom), ``book_filter``, ``maturity``, ``fields`` and ``identity`` serve these."""
