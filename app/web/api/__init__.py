"""The JSON API and its OpenAPI document: the blueprint and its URL table in ``api``, the views in a module per
room, the document in the ``openapi`` package.

Other rooms import the modules of this package by name (``from app.web.api.api import api``)."""
