"""External data pushed by its source (外部数据): a signed webhook, not a bearer token (the source is no user).
Routed in ``app.web.api.api``; the signature is checked in ``app.services.connectors.webhooks``."""

from __future__ import annotations

from flask import jsonify, request

from app.services.connectors import webhooks
from app.web.input_guard import raw_body


@raw_body
def push_events(source: str):
    """A page of ``source``'s events, signed: what became of them. The body is read as bytes, at most one past
    the largest push (the signature is over the bytes; the service refuses a longer one)."""
    headers = request.headers
    received = webhooks.receive(
        source,
        request.stream.read(webhooks.MAX_PUSH_BYTES + 1),
        headers.get("X-Timestamp", ""),
        headers.get("X-Signature", ""),
        headers.get("X-Request-Id"),
    )
    return jsonify(
        stored=len(received.stored),
        duplicates=received.duplicates,
        malformed=received.malformed,
        unknown_customer=received.unknown,
    )
