"""Notifications in the app and the e-mail outbox.

Other rooms import the modules of this package by name (``from app.services.notifications.notifications import notifications``)."""
