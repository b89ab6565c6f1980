"""External data pushed by its source (外部数据): a signed webhook, not a bearer token (the source is no user).
Routed in ``app.web.api.api``; the signature is checked in ``app.services.connectors.webhooks``."""

from __future__ import annotations

from flask import jsonify, request

from app.services.connectors import webhooks


def push_events(source: str):
    """A page of ``source``'s events, signed: what became of them."""
    headers = request.headers
    received = webhooks.receive(
        source,
        request.get_data(cache=False),
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
