"""A customer's contact people and the contact log (联系记录), its follow-ups, and who may write them.

Other rooms import the modules of this package by name (``from app.services.customers.contacts import contacts``):
``contacts`` (contact people), ``contact_log`` (the log and its search), ``follow_ups`` (the officer's to-dos
from the log, and their notices), ``contact_rights`` (who may read and write a customer's contacts),
``identity`` (a contact's telephone, e-mail and identity number checked, the number masked), ``fields``
(reading one field of a form or a JSON body, each refusal named)."""

from app.services.customers.contacts import (
    contact_log,
    contact_rights,
    contacts,
    fields,
    follow_ups,
    identity,
)

__all__ = ["contact_log", "contact_rights", "contacts", "fields", "follow_ups", "identity"]
