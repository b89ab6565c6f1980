"""Administration pages: settings, users, the outbox, notifications.

Other rooms import the modules of this package by name (``from app.web.admin.admin import admin``)."""
