"""The cases: deployed process definitions, their running instances with the projections beside them
(tasks, timers, decisions), and the text indexes that search case references and customer names."""

from app.models.cases.process import DecisionLog, HumanTask, ProcessDefinition, ProcessInstance, Timer
from app.models.cases.search import alembic_include_name, case_text, customer_text

__all__ = [
    "DecisionLog",
    "HumanTask",
    "ProcessDefinition",
    "ProcessInstance",
    "Timer",
    "alembic_include_name",
    "case_text",
    "customer_text",
]
