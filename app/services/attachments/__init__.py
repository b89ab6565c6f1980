"""Attached documents (资料): files attached to customers, cases, warnings and compliance checklist items.

Other rooms import the modules of this package by name (``from app.services.attachments import attachments``):
``attachments`` (attach, list, read, delete), ``pages`` (what the pages show of them), ``rights`` (who may do
what); ``sniff`` (what a file is by its bytes, safe file names), ``storage`` (where the bytes are kept) and
``checklist`` (the compliance checklist's items) serve these."""
