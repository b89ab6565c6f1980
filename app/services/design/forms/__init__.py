"""The forms of a deployed process: what a task shows and accepts, the checks a form names, what the JSON API accepts.

Other rooms import the modules of this package by name (``from app.services.design.forms import forms``):
``forms``, ``form_checks`` (``CHECKS``), ``api_description`` (the JSON Schemas for the OpenAPI document)."""
