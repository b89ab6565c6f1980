"""The JSON API and its OpenAPI document.

Other rooms import the modules of this package by name (``from app.web.api.api import api``)."""
