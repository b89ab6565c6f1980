"""Guarantees (担保): the register, each customer's guarantee network and the guarantee circles of the book.

Other rooms import the modules of this package by name
(``from app.services.customers.guarantees import register``): ``register`` (a guarantee recorded and released,
and who may), ``network`` (a customer's guarantors and the guarantees it gives, one hop each way), ``graph``
(circles 担保圈 and long chains 担保链 found in a network, with scipy's sparse graphs), ``circles`` (the book's
network read, the policy, who reads it) and ``circles_kept`` (the circles kept in the database as guarantees
change, and the scans of the whole book)."""

from app.services.customers.guarantees import circles, circles_kept, graph, network, register

__all__ = ["circles", "circles_kept", "graph", "network", "register"]
