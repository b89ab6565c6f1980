"""Guarantees (担保): the register, each customer's guarantee network and the guarantee circles of the book.

Other rooms import the modules of this package by name
(``from app.services.customers.guarantees import register``): ``register`` (a guarantee recorded and released,
and who may), ``network`` (a customer's guarantors and the guarantees it gives, one hop each way),
``circles`` (guarantee circles 担保圈 and long chains 担保链 over the whole book, with networkx)."""

from app.services.customers.guarantees import circles, network, register

__all__ = ["circles", "network", "register"]
