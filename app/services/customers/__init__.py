"""Customers, the directory of who serves them, their relationship officers, their contacts and contact log, and
their facilities' terms.

Other rooms import the modules of this package by name (``from app.services.customers.customers import customers``):
``customers``, ``directory``, ``contacts`` (contact people), ``contact_log`` (the log and its search),
``follow_ups`` (the officer's to-dos from the log, and their notices), ``customer_page`` (what the customer's
page shows), ``known`` (what the bank knows of a customer, as an application's fields), ``facility_terms`` (a
facility's dates, and the link between a renewal and the facility it replaces), ``renewals`` (续授信 proposed by
the beat or the customer's officer) and ``maturing`` (the facilities that mature soon), ``my_customers`` (an officer's book and a manager's, with
filters and totals) and ``transfer`` (assigning and transferring customers between officers, 客户移交);
``contact_rights``, ``relationship_rights`` (who manages whom), ``book_filter``, ``maturity``, ``fields`` and
``identity`` serve these."""
