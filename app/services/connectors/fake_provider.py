"""A local stand-in for the external providers, for the tests and the demo (``flask connectors fake-provider``):
it serves each source's events a page at a time (``GET /<source>/events?after=<cursor>&limit=<n>``, the cursor being
how many events were served before) and can be told to misbehave, as real providers do: slow answers, HTTP 500,
a page that is not JSON, events delivered twice, a page out of order (``POST /_faults``, or ``Faults`` directly).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server


@dataclass
class Faults:
    slow_seconds: float = 0.0  # every answer waits this long
    failing: int = 0  # the next this many requests answer HTTP 500
    malformed: int = 0  # the next this many pages are not JSON
    duplicates: bool = False  # each page repeats the page before's last event
    reversed_pages: bool = False  # each page's events newest first (out of order)


@dataclass
class Feed:
    events: dict[str, list[dict[str, Any]]] = field(
        default_factory=dict
    )  # source path → its events, in order
    faults: Faults = field(default_factory=Faults)
    requests: int = 0  # answered, faults included


def make_app(feed: Feed) -> Flask:
    app = Flask("fake_provider")

    @app.get("/<source>/events")
    def events(source: str):
        feed.requests += 1
        faults = feed.faults
        if faults.slow_seconds:
            time.sleep(faults.slow_seconds)
        if faults.failing > 0:
            faults.failing -= 1
            return Response("provider overloaded", status=500)
        if faults.malformed > 0:
            faults.malformed -= 1
            return Response("<html>maintenance</html>", status=200, mimetype="text/html")
        served = feed.events.get(source, [])
        start = int(request.args.get("after") or 0)
        limit = min(int(request.args.get("limit") or 100), 1000)
        page = served[start : start + limit]
        if faults.duplicates and start > 0 and page:
            page = [served[start - 1], *page]
        if faults.reversed_pages:
            page = list(reversed(page))
        response = jsonify(events=page, next=str(min(start + limit, len(served))))
        response.headers["X-Request-Id"] = uuid.uuid4().hex
        return response

    @app.post("/_faults")
    def set_faults():
        for name, value in (request.get_json(silent=True) or {}).items():
            if hasattr(feed.faults, name):
                setattr(feed.faults, name, type(getattr(feed.faults, name))(value))
        return jsonify(vars(feed.faults))

    return app


class Served:
    """The fake provider served on 127.0.0.1 in a thread of this process (``url``; ``stop()``)."""

    def __init__(self, feed: Feed, port: int = 0) -> None:
        self.feed = feed
        self._server = make_server("127.0.0.1", port, make_app(feed), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


def demo_feed(credit_codes: list[str], today: date) -> Feed:
    """Events for the customers given (the demo's, with a live facility), of the day before: every one's tax
    position, with arrears (欠税) for every fifth; and every one's enforcement cases at court, one (被执行人) for
    every seventh, and every seventh from the fourth on the list of dishonest debtors (失信被执行人)."""
    noon = datetime.combine(today - timedelta(days=1), datetime.min.time()).replace(hour=12)

    def day_of(source: str, uscc: str, **figures: Any) -> dict[str, Any]:
        return {
            "id": f"{source}-{uscc}-{noon:%Y%m%d}",
            "uscc": uscc,
            "occurred_at": noon.isoformat(),
            **figures,
        }

    return Feed(
        events={
            "tax": [
                day_of("tax", uscc, tax_arrears=36_000 if index % 5 == 4 else 0)
                for index, uscc in enumerate(credit_codes)
            ],
            "court": [
                day_of(
                    "court",
                    uscc,
                    enforcement_records=1 if index % 7 == 6 else 0,
                    dishonest_debtor=index % 7 == 3,
                )
                for index, uscc in enumerate(credit_codes)
            ],
        }
    )
