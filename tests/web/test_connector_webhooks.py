"""A source's signed pushes (its webhook): what a good push keeps, stores and warns of at once, and every push
refused with nothing kept: unsigned, signed with another secret or over another body, too old (a replay of an old
delivery), to a paused source, not JSON, not a page. A delivery replayed within the window stores nothing twice."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput
from app.extensions import db
from app.inputs import json_body
from app.models import AuditEvent, ConnectorPayload, ConnectorSource, EarlyWarning, Observation
from app.services.connectors import webhooks
from config import ConfigError, check_connector_secrets
from tests.services.test_connectors import event
from tests.workflows.test_warning_escalation import approved_customer_of

SECRET = "s" * 40
NOW = str(int(time.time()))
HOSTILE_HEADERS = [
    {"X-Signature": "sha256=\u00e9"},
    {"X-Timestamp": "\u00b9"},  # a superscript one: a digit to str.isdigit, no number to int()
    {"X-Timestamp": "\u0661\u0667"},  # Arabic-Indic digits
    {"X-Timestamp": "+" + NOW},
    {"X-Timestamp": "-5"},
    {"X-Timestamp": "9" * 13},
    {"X-Signature": "SHA256=" + "0" * 64},
]
URL = "/api/v1/connectors/tax/events"
USCC = "91310000MA1FL0001X"


@pytest.fixture(autouse=True)
def _secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "CONNECTOR_SECRETS", {"tax": SECRET})


def push(client, page, secret: str = SECRET, at: float | None = None, body: bytes | None = None, **headers):
    raw = json.dumps(page).encode() if body is None else body
    stamp = str(int(time.time() if at is None else at))
    signed = {
        "X-Timestamp": stamp,
        "X-Signature": webhooks.sign(secret, stamp, raw),
        "X-Request-Id": "push-1",
    }
    return client.post(URL, data=raw, headers={**signed, **headers}, content_type="application/json")


def kept() -> int:
    return db.session.scalar(select(func.count()).select_from(ConnectorPayload))


def test_a_signed_push_is_kept_stored_and_its_warning_opened_at_once(client, deployed, people, realtime_on):
    customer = approved_customer_of(people, 1)
    response = push(client, {"events": [event(1, customer.uscc, 36000), event(2, customer.uscc, -1)]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"stored": 1, "duplicates": 0, "malformed": 1, "unknown_customer": 0}
    payload = db.session.scalar(select(ConnectorPayload).where(ConnectorPayload.event_id == "tax-1"))
    assert (payload.delivery, payload.request_id, payload.status) == ("push", "push-1", "stored")
    observation = db.session.scalar(select(Observation).where(Observation.payload_id == payload.id))
    assert observation.customer_id == customer.id and float(observation.tax_arrears) == 36000
    warning = db.session.scalar(select(EarlyWarning).where(EarlyWarning.customer_id == customer.id))
    assert warning is not None and warning.code == "tax_arrears"
    row = db.session.get(ConnectorSource, "tax")
    assert row.last_success_at is not None and row.newest_event_at is not None
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "connector.received"))
    assert audit.payload["delivery"] == "push" and audit.payload["stored"] == 1

    again = push(client, {"events": [event(1, customer.uscc, 36000)]})  # the same delivery, replayed
    assert again.status_code == 200 and again.json["duplicates"] == 1 and again.json["stored"] == 0
    assert kept() == 2
    assert (
        db.session.scalar(select(func.count()).select_from(Observation).where(Observation.source == "tax"))
        == 1
    )


@pytest.mark.parametrize(
    "how",
    [
        "unsigned",
        "unsigned hostile",
        "another secret",
        "another body",
        "an hour old",
        "an hour ahead",
        "no secret set",
        *(f"headers {n}" for n in range(len(HOSTILE_HEADERS))),
    ],
)
def test_a_push_not_signed_as_it_should_be_is_refused_and_nothing_kept(app, client, monkeypatch, how):
    page = {"events": [event(1, USCC, 36000)]}
    if how == "unsigned":
        response = client.post(URL, json=page)
    elif how == "unsigned hostile":  # nothing in it is read before its signature: the parser's rules untold
        body = (
            b'{"events": [{"id": "1", "tax_arrears": NaN, "uscc": "\\u0000"}'
            + b"[" * 100
            + b"]" * 100
            + b"]}"
        )
        response = client.post(URL, data=body, content_type="application/json")
    elif how.startswith("headers"):
        response = push(client, page, **HOSTILE_HEADERS[int(how.split()[1])])
    elif how == "another secret":
        response = push(client, page, secret="t" * 40)
    elif how == "another body":
        stamp = str(int(time.time()))
        response = client.post(
            URL,
            data=json.dumps({"events": [event(1, USCC, 1)]}),
            headers={
                "X-Timestamp": stamp,
                "X-Signature": webhooks.sign(SECRET, stamp, json.dumps(page).encode()),
            },
            content_type="application/json",
        )
    elif how == "no secret set":
        monkeypatch.setitem(app.config, "CONNECTOR_SECRETS", {"tax": None})
        response = push(client, page)
    else:
        response = push(client, page, at=time.time() + (3600 if how == "an hour ahead" else -3600))
    assert response.status_code == 401 and response.json["error"]
    assert kept() == 0


def test_a_paused_source_asks_for_the_push_again_later(client):
    db.session.add(ConnectorSource(key="tax", paused=True, failures=0, breaker="closed"))
    db.session.commit()
    response = push(client, {"events": [event(1, USCC, 36000)]})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert kept() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b'{"events": [{"id": "1", "tax_arrears": NaN}]}', "events[0].tax_arrears"),
        (b'{"events": [{"id": "1", "uscc": "9\\u0000"}]}', "events[0].uscc"),
        (b"[" * 100_000 + b"]" * 100_000, "body"),
        (b'{"events": "none"}', "events"),
        (b"[]", "events"),
    ],
    ids=["text", "NaN", "NUL", "deep", "no list", "no object"],
)
def test_a_signed_push_that_is_no_page_is_a_4xx_naming_what_and_nothing_kept(client, body, field):
    response = push(client, None, body=body)
    assert response.status_code == 422 and field in response.json["errors"], response.get_data(as_text=True)
    assert kept() == 0


def test_a_push_is_read_up_to_its_own_limit_and_refused_past_it(client):
    large = {
        "events": [event(1, USCC, 1, note="x" * 5_000_000)]
    }  # past an API body's 4 MB, within a push's 8
    response = push(client, large)
    assert response.status_code == 200 and response.json["malformed"] == 1  # an event over 64 KB
    huge = push(client, {"events": [event(2, USCC, 1, note="x" * webhooks.MAX_PUSH_BYTES)]})
    assert huge.status_code == 422 and "body" in huge.json["errors"]
    assert kept() == 1


def test_a_body_in_utf_16_is_refused_as_no_utf_8_not_read_past_the_checks(client):
    page = '{"events": [{"id": "1", "uscc": "\\u0000", "k\ud800": NaN}]}'.encode("utf-16", "surrogatepass")
    response = push(client, None, body=page)
    assert response.status_code == 422 and "body" in response.json["errors"] and kept() == 0
    with pytest.raises(InvalidInput) as refused:  # nor any JSON body of the API: the same reader
        json_body.loads(page)
    assert list(refused.value.errors) == ["body"] and "UTF-8" in refused.value.errors["body"]


def test_hostile_events_of_a_signed_push_are_kept_with_their_reasons(client):
    hostile = [
        event(1, USCC, 1, at="9999-12-31T23:59:59+14:00"),
        event(2, USCC, '=HYPERLINK("x")'),
        {"id": 3, "uscc": [USCC]},
        "no event",
    ]
    response = push(client, {"events": hostile})
    assert response.status_code == 200 and response.json["malformed"] == 4, response.get_data(as_text=True)
    assert {p.status for p in db.session.scalars(select(ConnectorPayload))} == {"malformed"}


def test_a_short_secret_is_refused_at_start():
    with pytest.raises(ConfigError, match="CREDIT_CONNECTOR_TAX_SECRET"):
        check_connector_secrets({"tax": "short"})
    check_connector_secrets({"tax": None})
    check_connector_secrets({"tax": "x" * 32})


def test_an_unknown_source_is_not_found(client):
    assert client.post("/api/v1/connectors/nosuch/events", data=b"{}").status_code == 404


def test_the_health_page_tells_where_a_source_pushes_and_a_push_is_its_success(app, client, people, login):
    assert not app.config["CONNECTOR_URLS"].get("tax")  # pushed only: never pulled
    assert push(client, {"events": [event(1, USCC, 5)]}).status_code == 200
    admin = login("admin")
    page = admin.get("/admin/connectors", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "http://localhost/api/v1/connectors/tax/events" in page and "Healthy" in page
    assert "1 (stored 0, malformed 0, unknown customer 1)" in page
    zh = admin.get("/admin/connectors", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "签名" in zh and "taken when signed" not in zh
