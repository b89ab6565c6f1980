"""Scoring models in the OpenAPI document (模型管理): the versions, a training as a job, a batch scored."""

from app.services.scoring.batch import MAX_EXPLAINED, MAX_ROWS
from app.web.api.openapi.shared import ID, json_answer, responses

MODEL = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "version": {"type": "integer"},
        "algorithm": {"type": "string", "enum": ["scorecard", "gbm"]},
        "status": {"type": "string", "enum": ["candidate", "champion", "challenger", "retired"]},
        "auc": {"type": "number"},
        "ks": {"type": "number"},
        "gini": {"type": "number"},
        "train_auc": {"type": "number"},
        "psi": {"type": "number"},
        "n_train": {"type": "integer"},
        "n_validation": {"type": "integer"},
        "rows": {"type": "integer"},
        "defaults": {"type": "integer"},
        "fingerprint": {"type": "string", "description": "SHA-256 of the training data as read"},
        "source": {"type": "string", "enum": ["file", "history"]},
        "history": {
            "type": "object",
            "description": "source history: the decided credit applications read, used, their defaults, and those "
            "left out by reason (declined, no_analysis, in_default, not_mature)",
            "properties": {
                "cases": {"type": "integer"},
                "used": {"type": "integer"},
                "defaults": {"type": "integer"},
                "window_months": {"type": "integer"},
                "excluded": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
        "features": {
            "type": "object",
            "additionalProperties": {"type": "string", "enum": ["numeric", "categorical"]},
        },
        "created_at": {"type": "string", "format": "date-time"},
        "author": {"type": "string"},
    },
}
TRAINING = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "source": {"type": "string", "enum": ["file", "history"]},
        "model_id": {"type": ["integer", "null"], "description": "the version kept, once done"},
        "problems": {"type": "array", "items": {"type": "string"}, "description": "why the data was refused"},
        "requested_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "progress": {"type": "string", "description": "the URL to poll (in the 202 only)"},
    },
}
_NEW_TRAINING = {
    "type": "object",
    "description": "source file (the default) needs file, target and bad; source history trains on the decided "
    "credit applications, default as rules/default_definition.dmn says",
    "properties": {
        "source": {"type": "string", "enum": ["file", "history"], "default": "file"},
        "file": {"type": "string", "format": "binary", "description": "CSV or XLSX with a header row"},
        "target": {"type": "string", "maxLength": 80},
        "bad": {"type": "string", "maxLength": 80, "description": "the target's value for a default"},
        "algorithm": {"type": "string", "enum": ["scorecard", "gbm"]},
        "name": {"type": "string", "maxLength": 80},
        "monotonic": {"type": "string", "description": "scorecard: comma-separated columns; empty every one"},
    },
}
_SCORE = {
    "type": "object",
    "required": ["rows"],
    "properties": {
        "rows": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_ROWS,
            "items": {"type": "object", "additionalProperties": {"type": ["number", "string", "null"]}},
        },
        "explain": {"type": "boolean", "description": f"reasons per row (at most {MAX_EXPLAINED} rows)"},
    },
}
_SCORES = {
    "type": "object",
    "properties": {
        "model_id": {"type": "integer"},
        "name": {"type": "string"},
        "version": {"type": "integer"},
        "algorithm": {"type": "string"},
        "scores": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pd": {"type": "number"},
                    "points": {"type": "number", "description": "scorecard only"},
                    "reasons": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}

MODELS = {
    "get": {
        "summary": "The scoring model versions, newest first, 100 a page (risk management, compliance)",
        "parameters": [
            {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}}
        ],
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "models": {"type": "array", "items": {"$ref": "#/components/schemas/ScoringModel"}},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                    },
                },
                "the versions",
            ),
            401,
            403,
        ),
    }
}
MODEL_DETAIL = {
    "get": {
        "summary": "One scoring model version",
        "parameters": ID,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/ScoringModel"}, "the version"), 401, 403, 404
        ),
    }
}
TRAININGS = {
    "post": {
        "summary": "Train a scoring model on a file, as a job (risk management)",
        "description": "70% of the rows train, 30% validate. Poll the answer's progress URL; a refused file "
        "is a failed training whose problems name each row and column.",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _NEW_TRAINING}}},
        "responses": responses(
            {"202": json_answer({"$ref": "#/components/schemas/ScoringTraining"}, "queued")}, 401, 403, 422
        ),
    }
}
TRAINING_DETAIL = {
    "get": {
        "summary": "A training's status, its version once kept, or its problems",
        "parameters": ID,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/ScoringTraining"}, "the training"), 401, 403, 404
        ),
    }
}
SCORE = {
    "post": {
        "summary": "Score a batch of customers with a version (risk management)",
        "description": f"Up to {MAX_ROWS} objects of column values, scored in order. Missing values and "
        "categories never seen in training are scored; errors name rows[i].column.",
        "parameters": ID,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _SCORE}}},
        "responses": responses(json_answer(_SCORES, "the scores, in the rows' order"), 401, 403, 404, 422),
    }
}
