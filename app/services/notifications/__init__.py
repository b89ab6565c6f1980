"""Notifications in the app and the e-mail outbox.

Other rooms import the modules of this package by name (``from app.services.notifications import inbox``):
``notifications`` (who is told what, in a step's own transaction), ``messages`` (what a notification says),
``inbox`` (a person's notifications: the list, the unread count, marking read), ``mail_text`` (an e-mail's
text in both languages), ``mail`` (sending the outbox)."""
