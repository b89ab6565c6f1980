"""Cases and tasks in the OpenAPI document: opening a case, reading it and its history, withdrawing it, and the
tasks the caller may claim, put back or complete. The bodies of opening a case and completing a task are
general here; ``document()`` replaces them with the deployed processes' own start data and forms."""

from app.web.api.openapi.shared import ID, json_answer, responses

TASK = {
    "type": "object",
    "required": ["id", "name", "case_id", "process", "lane", "assignee", "due_at", "form"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "case_id": {"type": "integer"},
        "process": {"type": "string"},
        "lane": {"type": ["string", "null"]},
        "assignee": {"type": ["string", "null"]},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "state": {"type": "string"},
        "form": {"type": ["object", "null"], "description": "the task's JSON Schema form"},
    },
}

_DATA_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object", "properties": {"data": {"type": "object"}}}}
    },
}

OPEN_CASE = {
    "post": {
        "summary": "Open a case",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["process"],
                        "properties": {
                            "process": {"type": "string", "example": "credit_application"},
                            "data": {"type": "object"},
                        },
                    }
                }
            },
        },
        "responses": responses(
            {
                "201": json_answer(
                    {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "status": {"type": "string"},
                            "reference": {"type": "string"},
                        },
                    },
                    "created",
                )
            },
            401,
            403,
            404,
            422,
        ),
    }
}
CASE = {
    "get": {
        "summary": "A case with its tasks and decisions",
        "parameters": ID,
        "responses": responses(json_answer({"type": "object"}, "the case"), 401, 403, 404),
    }
}
WITHDRAW = {
    "post": {
        "summary": "Withdraw a credit application before it is decided (its open tasks and timers are "
        "cancelled; status and outcome become withdrawn)",
        "parameters": ID,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["reason"],
                        "properties": {
                            "reason": {"type": "string", "maxLength": 2000},
                            "version": {"type": "integer", "description": "the case version seen (optional)"},
                        },
                    }
                }
            },
        },
        "responses": responses(
            json_answer({"type": "object"}, "the withdrawn case"), 401, 403, 404, 409, 422
        ),
    }
}
HISTORY = {
    "get": {
        "summary": "The case's audit trail",
        "parameters": ID,
        "responses": responses(json_answer({"type": "array"}, "events"), 401, 403, 404),
    }
}

TASKS = {
    "get": {
        "summary": "Tasks the caller may act on",
        "responses": responses(
            json_answer({"type": "array", "items": {"$ref": "#/components/schemas/Task"}}, "tasks"), 401
        ),
    }
}
CLAIM = {
    "post": {
        "summary": "Claim a task",
        "parameters": ID,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/Task"}, "claimed"), 401, 403, 404, 409
        ),
    }
}
UNCLAIM = {
    "post": {
        "summary": "Put a task back in its queue",
        "parameters": ID,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/Task"}, "unclaimed"), 401, 403, 404, 409
        ),
    }
}
COMPLETE = {
    "post": {
        "summary": "Submit a task's form",
        "parameters": ID,
        "requestBody": _DATA_BODY,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/Task"}, "completed"), 401, 403, 404, 409, 422
        ),
    }
}
