"""The designer's working copy: drafts, their checks as a job, the overview, and who may design.

Other rooms import the modules of this package by name (``from app.services.design.workspace import drafts``):
``drafts`` (saved drafts), ``workspace`` (the working copy, its check, its snapshot and publishing),
``draft_checks`` (the check as a job, its ``run`` for the worker), ``designer`` (the overview and
``check_designer``, who may design)."""
