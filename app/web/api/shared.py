"""What every view of the JSON API shares: the bearer-token check (never the session cookie) and reading the
request's body as a JSON object."""

from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request

from app.errors import InvalidInput
from app.services.admin import users


def token_required(view):
    """Answer 401 unless the request carries a valid bearer token; the token's user is ``g.api_user``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        user = users.user_for_token(header[7:].strip()) if header.startswith("Bearer ") else None
        if user is None:
            return jsonify(error="a valid bearer token is required: 'Authorization: Bearer <token>'"), 401
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def json_body() -> dict:
    """The request's body, which must be a JSON object (else a 422 naming the body)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object", {"body": "expected a JSON object"})
    return body
