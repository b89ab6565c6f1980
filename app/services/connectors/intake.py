"""What a source delivered, kept and stored: each event as received, with its provenance (source, event id,
request id, pull or push, when fetched), and the observation it says when it is a good one, whose customer the
warning rules then check at once (``realtime.queue``). An event id received before is a duplicate: counted, not
kept twice, whatever order events come in (an older event stores an observation of its own, older, date: the
rules read each figure's latest). A malformed event is kept with its reasons; one naming a credit code no
customer has, as ``unknown_customer``. All of one delivery in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.language import kept, stored
from app.models import ConnectorPayload, ConnectorSource, Observation
from app.models.base import utcnow
from app.services.audit import audit
from app.services.connectors.sources import Connector, occurred_at
from app.services.monitoring import observations, realtime

MAX_EVENT_BYTES = 64 * 1024  # an event's body kept at most this large (a larger one is refused as malformed)


@dataclass
class Received:
    stored: list[int] = field(default_factory=list)  # the observations
    duplicates: int = 0
    malformed: int = 0
    unknown: int = 0
    newest: datetime | None = None  # the latest time of the events stored (never past now)


def receive(
    source: ConnectorSource, connector: Connector, events: list[Any], delivery: str, request_id: str | None
) -> Received:
    """Keep and store ``events`` of one delivery (flushed, in the caller's transaction)."""
    now, result = utcnow(), Received()
    request_id = request_id[:100] if request_id else None  # the provider's word, unchecked: cut as kept
    ids = [_event_id(event) for event in events]
    seen = set(
        db.session.scalars(
            select(ConnectorPayload.event_id).where(
                ConnectorPayload.source == source.key, ConnectorPayload.event_id.in_(set(ids))
            )
        )
    )
    checked = []
    for event_id, event in zip(ids, events, strict=True):
        if event_id not in seen:  # else received before, or twice in this delivery
            seen.add(event_id)
            checked.append((event_id, event, *_checked(connector, event, event_id)))
    result.duplicates = len(events) - len(checked)
    customers = observations.customers_by_uscc(v["uscc"] for _i, _e, v, problems in checked if not problems)
    stored_customers = set()
    for event_id, event, values, problems in checked:
        customer_id = customers.get(values.get("uscc", "")) if not problems else None
        status = "malformed" if problems else "stored" if customer_id else "unknown_customer"
        at = occurred_at(event.get("occurred_at")) if isinstance(event, Mapping) else None
        payload = ConnectorPayload(
            source=source.key,
            event_id=event_id,
            request_id=request_id,
            delivery=delivery,
            fetched_at=now,
            event_at=at,
            customer_id=customer_id,
            body=_body(event),
            status=status,
            reasons=None if customer_id else _reasons(problems),
        )
        db.session.add(payload)
        if status == "stored" and at is not None and (result.newest is None or at > result.newest):
            result.newest = min(at, now)  # the lag of what was stored (a stamp in the future does not count)
        if status == "malformed":
            result.malformed += 1
        elif customer_id is None:
            result.unknown += 1
        else:
            result.stored.append(_observed(payload, values, customer_id, now))
            stored_customers.add(customer_id)
    db.session.flush()
    if result.newest is not None and (
        source.newest_event_at is None or result.newest > source.newest_event_at
    ):
        source.newest_event_at = result.newest
    audit.record(
        "connector.received",
        None,
        source=source.key,
        delivery=delivery,
        request_id=request_id,
        stored=len(result.stored),
        duplicates=result.duplicates,
        malformed=result.malformed,
        unknown_customer=result.unknown,
    )
    realtime.queue(stored_customers, None)
    return result


def store_again(source: ConnectorSource, connector: Connector, payloads: list[ConnectorPayload]) -> list[int]:
    """Map and check again ``payloads`` kept but not stored (in the caller's transaction); store the good ones
    now. Returns the observations stored."""
    now, made = utcnow(), []
    # A body kept as its text (not a JSON object, or too large) cannot be read again: its first reasons stand.
    checked = [(p, *_checked(connector, p.body, p.event_id)) for p in payloads if set(p.body) != {"raw"}]
    customers = observations.customers_by_uscc(v["uscc"] for _p, v, problems in checked if not problems)
    for payload, values, problems in checked:
        customer_id = customers.get(values.get("uscc", "")) if not problems else None
        if customer_id is None:
            payload.reasons = _reasons(problems)
            payload.status = "malformed" if problems else "unknown_customer"
            continue
        payload.status, payload.reasons, payload.customer_id = "stored", None, customer_id
        made.append((_observed(payload, values, customer_id, now), customer_id))
    realtime.queue({customer_id for _o, customer_id in made}, None)
    return [observation for observation, _c in made]


def _observed(payload: ConnectorPayload, values: dict[str, Any], customer_id: int, now: datetime) -> int:
    """The observation ``payload`` says, stored (flushed); its id."""
    db.session.flush()
    observation = Observation(
        **observations.row_values(values, customer_id),
        source=payload.source,
        payload_id=payload.id,
        recorded_at=now,
    )
    db.session.add(observation)
    db.session.flush()
    return observation.id


def _reasons(problems: dict[str, str]) -> dict:
    return (
        {name: stored(reason) for name, reason in problems.items()}
        if problems
        else {"uscc": stored(kept("no customer has this credit code"))}
    )


def _checked(connector: Connector, event: Any, event_id: str) -> tuple[dict[str, Any], dict[str, str]]:
    if not isinstance(event, Mapping):
        return {}, {"event": kept("an event is a JSON object")}
    if len(_json(event)) > MAX_EVENT_BYTES:
        return {}, {"event": kept("at most %(n)s bytes", n=MAX_EVENT_BYTES)}
    values, problems = observations.check(connector.record(event))
    if event_id.startswith("sha256:"):  # it came without a usable id of its own
        problems = {**problems, "id": kept("required")}
    return values, problems


def _event_id(event: Any) -> str:
    """The provider's id of an event, or for one without a usable id, the hash of its body (so that it too is
    kept once however often it comes)."""
    if (
        isinstance(event, Mapping)
        and isinstance(event.get("id"), str | int)
        and not isinstance(event["id"], bool)
    ):
        text = str(event["id"])
        if text and len(text) <= 100 and text.isprintable():
            return text
    return "sha256:" + hashlib.sha256(_json(event).encode()).hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _body(event: Any) -> dict:
    """The event as received, as a JSON object a database keeps (NUL characters replaced; NaN, Infinity, a value
    that is no object or one too large kept as its text, cut)."""
    if isinstance(event, Mapping):
        try:
            text = json.dumps(event, ensure_ascii=False, allow_nan=False, default=str)
        except ValueError:  # NaN or Infinity: not JSON
            text = ""
        if text and len(text) <= MAX_EVENT_BYTES:
            return json.loads(text.replace("\\u0000", "\\ufffd"))
    return {"raw": _json(event)[:MAX_EVENT_BYTES].replace("\x00", "\ufffd")}
