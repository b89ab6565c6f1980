"""What a customer's page (客户全景视图) shows, gathered by one call.

Other rooms import the modules of this package by name (``from app.services.customers.page import customer_page``):
``customer_page`` (the page, and the customer's record for the API); ``customer_figures`` (its statements,
ratio trend and exposure) serves it."""

from app.services.customers.page import customer_page

__all__ = ["customer_page"]
