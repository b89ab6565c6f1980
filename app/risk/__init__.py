"""Pure credit-risk functions: statements, ratios, Altman Z-scores, scorecards, USCC, committee voting.

Nothing here imports Flask, the database or any other part of ``app``; every function
takes plain values and returns plain values, so it can run in a BPMN script task, a
Celery job, the CLI or a unit test alike.
"""

from app.risk.errors import RiskInputError

__all__ = ["RiskInputError"]
