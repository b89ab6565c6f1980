"""Process design: drafts, workspace, deployment and its four-eyes requests, process and decision tests, impact, migration.

Other rooms import the modules of this package by name (``from app.services.design import drafts``)."""
