"""Cases and tasks in the JSON API: open a case, read it and its history, withdraw it; list the tasks the
caller may act on, claim one, put it back, complete it. Routed in ``app.web.api.api``."""

from __future__ import annotations

from flask import g, jsonify, request

from app.errors import InvalidInput
from app.services.cases import cases as case_service
from app.services.cases import tasks as task_service
from app.services.cases import withdrawal
from app.web.api.shared import json_body, token_required


def _task_json(task, form=None) -> dict:
    return {
        "id": task.id,
        "name": task.name,
        "case_id": task.instance_id,
        "process": task.instance.process_id,
        "lane": task.lane,
        "assignee": task.assignee.username if task.assignee else None,
        "due_at": task.due_at.isoformat() + "Z" if task.due_at else None,
        "state": task.state,
        "form": form,
    }


def _case_json(instance) -> dict:
    return {
        "id": instance.id,
        "reference": instance.reference,
        "process": instance.process_id,
        "version": instance.definition.version,
        "status": instance.status,
        "outcome": instance.outcome,
        "current_step": instance.current_step,
        "customer_id": instance.customer_id,
        "summary": instance.summary,
        "started_at": instance.started_at.isoformat() + "Z",
    }


@token_required
def create_case():
    body = json_body()
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise InvalidInput("data must be an object", {"data": "expected a JSON object"})
    if not isinstance(body.get("process"), str):
        raise InvalidInput("process is required", {"process": "the process id, e.g. credit_application"})
    instance = case_service.start_case(g.api_user, body["process"], data)
    return jsonify(id=instance.id, status=instance.status, reference=instance.reference), 201


@token_required
def get_case(case_id: int):
    view = case_service.case_view(g.api_user, case_id)
    body = _case_json(view.instance)
    body["tasks"] = [_task_json(t) for t in view.tasks]
    body["decisions"] = [
        {
            "decision_id": d.decision_id,
            "inputs": d.inputs,
            "matched_rules": d.matched_rules,
            "outputs": d.outputs,
        }
        for d in view.decisions
    ]
    return jsonify(body)


@token_required
def withdraw_case(case_id: int):
    """Withdraw an application before it is decided: ``{"reason": "..."}``; 409 once decided or withdrawn."""
    body = json_body()
    reason = body.get("reason")
    instance = withdrawal.withdraw(
        g.api_user,
        case_id,
        reason if isinstance(reason, str) else "",
        expected_version=body.get("version") if isinstance(body.get("version"), int) else None,
    )
    return jsonify(_case_json(instance))


@token_required
def case_history(case_id: int):
    events = case_service.history(g.api_user, case_id)
    return jsonify(
        [
            {
                "id": e.id,
                "at": e.occurred_at.isoformat() + "Z",
                "type": e.event_type,
                "actor": e.actor_name,
                "payload": e.payload,
                "hash": e.hash,
            }
            for e in events
        ]
    )


@token_required
def list_tasks():
    return jsonify([_task_json(task, form) for task, form in task_service.api_tasks(g.api_user)])


@token_required
def claim(task_id: int):
    return jsonify(_task_json(task_service.claim(g.api_user, task_id)))


@token_required
def unclaim(task_id: int):
    return jsonify(_task_json(task_service.unclaim(g.api_user, task_id)))


@token_required
def complete(task_id: int):
    data = json_body().get("data")
    if not isinstance(data, dict):
        raise InvalidInput("data is required", {"data": "expected a JSON object with the form's fields"})
    locale = request.accept_languages.best_match(["zh_CN", "en"]) or "en"
    task = task_service.complete(g.api_user, task_id, data, locale=locale)
    return jsonify(_task_json(task))
