"""The customer's master data: the customer, what the bank knows of it, its history, the diagrams' directory.

Other rooms import the modules of this package by name (``from app.services.customers.master import customers``):
``customers`` (who may read customers, the list and the search, one customer with its cases and warnings, the
statements kept), ``known`` (what the bank knows of a customer, as an application's fields),
``master_history`` (every change of its master data, from the audit log), ``directory`` (who is in a group and
what class a customer holds, the functions the engine's scripts call)."""

from app.services.customers.master import customers, directory, known, master_history

__all__ = ["customers", "directory", "known", "master_history"]
