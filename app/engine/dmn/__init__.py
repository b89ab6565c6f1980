"""Our DMN 1.1-1.3 decision-table engine: FEEL cells, every hit policy, decision history.

SpiffWorkflow's own DMN support evaluates Python cells only and lacks UNIQUE checking,
aggregation and history; the engine adapter calls this package instead.
:mod:`app.engine.dmn.vectorized` evaluates one decision over a whole pandas DataFrame at once;
:func:`decision_in_force` keeps a rules file's decision parsed until the file changes.
"""

from app.engine.dmn.errors import DmnError, DmnEvaluationError, DmnParseError, DmnProblem
from app.engine.dmn.in_force import decision_in_force, rule_descriptions, rule_descriptions_in_force
from app.engine.dmn.model import (
    Decision,
    DecisionInput,
    DecisionModel,
    DecisionOutput,
    DecisionResult,
    OutputEntry,
    Rule,
)
from app.engine.dmn.parse import DMN_NAMESPACES, load_dmn, validate_dmn
from app.engine.dmn.vectorized import DmnRowError, VectorizedDecision, compile_decision, evaluate_rows

__all__ = [
    "DMN_NAMESPACES",
    "Decision",
    "DecisionInput",
    "DecisionModel",
    "DecisionOutput",
    "DecisionResult",
    "DmnError",
    "DmnEvaluationError",
    "DmnParseError",
    "DmnProblem",
    "DmnRowError",
    "OutputEntry",
    "Rule",
    "VectorizedDecision",
    "compile_decision",
    "decision_in_force",
    "rule_descriptions",
    "rule_descriptions_in_force",
    "evaluate_rows",
    "load_dmn",
    "validate_dmn",
]
