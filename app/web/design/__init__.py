"""The designer's pages: files, editors, impact, instance migration.

Other rooms import the modules of this package by name (``from app.web.design import designer``)."""
