"""Users, groups, passwords, settings and the demo data.

Other rooms import the modules of this package by name (``from app.services.admin import users``)."""
