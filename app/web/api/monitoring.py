"""Monitoring in the JSON API: record post-loan observations (贷后监测数据). Routed in ``app.web.api.api``."""

from __future__ import annotations

from flask import g, jsonify

from app.services.monitoring import observations as observation_service
from app.web.api.shared import json_body, token_required


@token_required
def record_observations():
    """One observation (a JSON object), or several at once (``{"observations": [...]}``, all or none)."""
    body = json_body()
    if "observations" in body:
        items = body["observations"] if isinstance(body["observations"], list) else []
        made = observation_service.record_many(g.api_user, items, "api")
    else:
        made = [observation_service.record(g.api_user, body, "api")]
    return jsonify(
        observations=[
            {"id": o.id, "customer_id": o.customer_id, "observed_on": o.observed_on.isoformat()} for o in made
        ]
    ), 201
