"""The customer relationship (客户关系): an officer's book and a manager's, and customers moved between officers.

Other rooms import the modules of this package by name
(``from app.services.customers.relationship import my_customers``): ``my_customers`` (the book with its
filters, totals and a page of rows), ``book_filter`` (what the book is narrowed and ordered by), ``transfer``
(assigning and transferring customers, 客户移交, and the officer panel of the customer's page);
``relationship_rights`` (who manages whom) serves these."""

from app.services.customers.relationship import book_filter, my_customers, transfer

__all__ = ["book_filter", "my_customers", "transfer"]
