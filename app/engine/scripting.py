"""The script engine every workflow runs with: sandboxed code and our own DMN evaluator.

SpiffWorkflow's default engine is plain ``exec``/``eval``. Here every script task, gateway
condition, timer expression and DMN cell goes through ``app.engine.sandbox``; business
rule tasks are evaluated by ``app.engine.dmn`` (FEEL cells, every hit policy) and each
evaluation is collected so the caller can store it in the decision log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.engine import sandbox
from app.engine.dmn import Decision
from app.engine.durations import shorter_duration
from app.risk.analysis import analyse_financials
from app.risk.committee import is_vetoed, tally_votes

# Functions a process designer may call from scripts and expressions, and nothing else.
SCRIPT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "analyse_financials": analyse_financials,
    "tally_votes": tally_votes,
    "is_vetoed": is_vetoed,
    "shorter_duration": shorter_duration,
}
# Functions whose answers live in the database (people, groups, customers): the services pass them in
# for each step. ``members_of(group)`` -> usernames of the active, qualified members of a group;
# ``voters_of(group)`` -> those of them who may decide this case (never opened or worked it: 审贷分离);
# ``class_on_file(uscc)`` -> the customer's five-category class on file (None: new or never classified);
# ``circle_on_file(uscc)`` -> whether the customer is kept in a guarantee circle (担保圈);
# ``concentration_over(industry, amount)`` -> whether ``amount`` more in ``industry`` and the case's region would
# breach a concentration limit (集中度限额);
# ``model_rating(uscc, analysis, facts)`` -> the PD the rating uses: the champion scoring model's, with its reasons
# and the challengers' in shadow, or the hand-set scorecard's when no champion is approved (评分模型).
DIRECTORY_FUNCTIONS = (
    "members_of",
    "voters_of",
    "class_on_file",
    "circle_on_file",
    "concentration_over",
    "model_rating",
)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Runs task-data scripts and expressions through the sandbox, never plain exec/eval."""

    def __init__(self, directory: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__()
        unknown = set(directory or {}) - set(DIRECTORY_FUNCTIONS)
        if unknown:
            raise ValueError(f"not directory functions: {', '.join(sorted(unknown))}")
        self.functions = {**SCRIPT_FUNCTIONS, **(directory or {})}

    def evaluate(self, expression, context, external_context=None):
        functions = {**self.functions, **(external_context or {})}
        return sandbox.evaluate(expression, context, functions)

    def execute(self, script, context, external_context=None):
        functions = {**self.functions, **(external_context or {})}
        clash = set(functions) & set(context)
        if clash:
            raise ValueError(f"task data overwrites a function: {', '.join(sorted(clash))}")
        sandbox.run_script(script, context, functions)
        return True

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service tasks are not available to diagrams")


@dataclass
class EvaluatedDecision:
    """A DMN evaluation made during one engine step, waiting to be logged."""

    task_spec: str
    decision_id: str
    dmn_file: str
    result: Any  # app.engine.dmn DecisionResult


@dataclass
class CreditScriptEngine(PythonScriptEngine):
    """Script engine bound to one deployed version's decisions for one engine step."""

    decisions: Mapping[str, tuple[str, Decision]] = field(default_factory=dict)
    directory: Mapping[str, Callable[..., Any]] | None = None
    evaluated: list[EvaluatedDecision] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(environment=SandboxEnvironment(self.directory))

    def evaluate_decision(self, decision_id: str, task) -> dict[str, Any]:
        """Evaluate ``decision_id`` against the task's data; return what merges into it."""
        try:
            dmn_file, decision = self.decisions[decision_id]
        except KeyError as exc:
            raise LookupError(f"decision {decision_id!r} is not deployed with this process") from exc
        result = decision.evaluate(task.data)
        self.evaluated.append(EvaluatedDecision(task.task_spec.bpmn_id, decision_id, dmn_file, result))
        output = result.output
        if output is None:
            raise LookupError(f"decision {decision_id!r}: no rule matched inputs {result.inputs}")
        if isinstance(output, list):
            return {decision_id: output}
        return dict(output)


class DecisionRef:
    """Stands where SpiffWorkflow expects its own DMN engine on a business rule task."""

    def __init__(self, decision_id: str) -> None:
        self.decision_id = decision_id

    def result(self, task) -> dict[str, Any]:
        return task.workflow.script_engine.evaluate_decision(self.decision_id, task)
