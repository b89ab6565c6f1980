"""Deployed versions: deploying, the four-eyes requests and what their reviewer reads, version diffs, diagram labels.

Other rooms import the modules of this package by name (``from app.services.design.deployment import deployment``):
``deployment`` (deploy, the versions in force and the bundle to run), ``deployment_requests`` (request,
approve, reject), ``deployment_review`` (what a request changes), ``version_diff`` (what changed between two
versions), ``diagram_labels`` (a deployed diagram's labels for the viewers)."""
