"""Customers: their master data, the relationship officers who serve them, their contacts, their facilities, and
their page; one sub-package for each.

``master`` (the customer, who may read it, its statements, its master data history, what the bank knows of it,
the directory the diagrams call), ``relationship`` (an officer's book and a manager's, transfers between
officers, who manages whom), ``contacts`` (contact people, the contact log, its follow-ups, who may write them),
``facilities`` (a facility's dates and renewal link, the maturing list, renewals), ``page`` (what the customer's
page shows). ``case_sync`` (what a case's step writes into the customer's file) stands above ``master`` and
``facilities``, which it writes into.

Other rooms import the modules of the sub-packages by name
(``from app.services.customers.master import customers``); each sub-package's ``__init__`` names them."""
