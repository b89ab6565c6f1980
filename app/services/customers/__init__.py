"""Customers and the directory of who serves them.

Other rooms import the modules of this package by name (``from app.services.customers.customers import customers``)."""
