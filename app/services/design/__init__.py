"""Process design, one sub-package for each thing the designer does.

``workspace`` (drafts and the working copy, their checks, the designer's overview and who may design),
``deployment`` (deploying versions, four-eyes requests and their review, version diffs, diagram labels),
``testing`` (process and decision tests), ``impact`` (policy impact over the portfolio, decision tables read
for people), ``migration`` (moving running cases to a newer version), ``forms`` (the forms of a deployed
process, their checks, what the JSON API accepts).

Other rooms import the modules of the sub-packages by name
(``from app.services.design.deployment import deployment``); each sub-package's ``__init__`` names them."""
