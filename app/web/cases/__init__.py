"""Case and task pages.

Other rooms import the modules of this package by name (``from app.web.cases.cases import cases``)."""
