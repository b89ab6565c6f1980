"""External data connectors against the local fake provider the tests start: what a pull keeps and stores, where
it resumes, and each fault a provider has (slow, 500, a page that is not JSON, duplicates, out of order, hostile
events), the circuit breaker and the pause."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, ConnectorPayload, ConnectorSource, EarlyWarning, Observation
from app.models.base import utcnow
from app.services.connectors import fake_provider, intake, polling
from app.services.monitoring import portfolio_inputs
from tests.workflows.test_warning_escalation import approved_customer_of

NOON = (
    datetime.combine(local_today() - timedelta(days=3), datetime.min.time()) + timedelta(hours=12)
).isoformat()


def event(number: int, uscc: str, arrears=0, at: str = NOON, **more) -> dict:
    return {"id": f"tax-{number}", "uscc": uscc, "occurred_at": at, "tax_arrears": arrears, **more}


@pytest.fixture(autouse=True)
def _english(app):
    """The failures are read in English (the default language is Chinese)."""
    with force_locale("en"):
        yield


def payloads() -> list[ConnectorPayload]:
    return list(db.session.scalars(select(ConnectorPayload).order_by(ConnectorPayload.id)))


def source() -> ConnectorSource:
    db.session.expire_all()
    return db.session.get(ConnectorSource, "tax")


def test_a_pull_keeps_every_event_with_its_provenance_stores_the_good_ones_and_resumes_from_its_cursor(
    deployed, people, feed
):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [
        event(1, customer.uscc, 12000),
        event(2, customer.uscc, -5),  # not negative
        event(3, "91000000000000000X", 10),  # no such customer
        {"uscc": customer.uscc, "occurred_at": NOON, "tax_arrears": 1},  # no id
    ]
    pulled = polling.poll("tax")
    assert (pulled.stored, pulled.malformed, pulled.unknown, pulled.error) == (1, 2, 1, None)

    kept = payloads()
    assert [p.status for p in kept] == ["stored", "malformed", "unknown_customer", "malformed"]
    good = kept[0]
    assert (good.source, good.event_id, good.delivery, good.customer_id) == (
        "tax",
        "tax-1",
        "pull",
        customer.id,
    )
    assert good.request_id and good.body == feed.events["tax"][0] and good.fetched_at is not None
    assert kept[1].reasons == {"tax_arrears": {"msgid": "not negative", "params": {}}}
    assert kept[3].event_id.startswith("sha256:") and "id" in kept[3].reasons
    observation = db.session.scalar(select(Observation).where(Observation.payload_id == good.id))
    assert (observation.source, observation.customer_id, float(observation.tax_arrears)) == (
        "tax",
        customer.id,
        12000,
    )
    assert str(observation.observed_on) == NOON[:10]
    row = source()
    assert (row.cursor, row.failures, row.breaker) == ("4", 0, "closed")
    assert row.last_success_at is not None and row.newest_event_at is not None
    audit_row = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "connector.received"))
    assert audit_row.payload["stored"] == 1 and audit_row.payload["malformed"] == 2

    asked = feed.requests
    again = polling.poll("tax")  # from its cursor: nothing new
    assert again.stored == 0 and feed.requests == asked + 1 and len(payloads()) == 4

    feed.events["tax"].append(
        event(5, customer.uscc, 0, at=(datetime.fromisoformat(NOON) + timedelta(days=1)).isoformat())
    )
    assert polling.poll("tax").stored == 1 and len(payloads()) == 5


def test_an_event_of_arrears_opens_its_warning_at_once(deployed, people, feed, realtime_on):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [event(1, customer.uscc, 36000)]
    polling.poll("tax")
    warning = db.session.scalar(select(EarlyWarning).where(EarlyWarning.customer_id == customer.id))
    assert warning is not None and warning.code == "tax_arrears" and warning.instance_id is not None


def test_duplicates_and_pages_out_of_order_store_each_event_once_and_the_newest_figure_counts(
    deployed, people, feed, monkeypatch
):
    customer = approved_customer_of(people, 1)
    day = datetime.fromisoformat(NOON)
    feed.events["tax"] = [
        event(n, customer.uscc, 1000 * n, at=(day + timedelta(hours=n)).isoformat()) for n in range(1, 6)
    ]
    feed.faults.duplicates, feed.faults.reversed_pages = True, True
    monkeypatch.setattr(polling, "PAGE_SIZE", 2)
    pulled = polling.poll("tax")
    assert pulled.stored == 5 and pulled.duplicates == 2 and pulled.pages == 4
    assert sorted(p.event_id for p in payloads()) == [f"tax-{n}" for n in range(1, 6)]
    frame = portfolio_inputs.portfolio_frame([customer.id])
    assert float(frame.loc[customer.id, "tax_arrears"]) == 5000  # the latest event's, though delivered first


def test_a_provider_that_fails_once_is_retried_and_one_that_stays_slow_is_written_on_the_source(
    deployed, people, feed
):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [event(1, customer.uscc, 0)]
    feed.faults.failing = 1  # a 500, then it answers
    assert polling.poll("tax").stored == 1 and feed.requests == 2

    feed.events["tax"].append(event(2, customer.uscc, 0))
    feed.faults.slow_seconds = 1.5  # past the 1 s timeout, on both attempts
    pulled = polling.poll("tax")
    assert pulled.stored == 0 and "no answer within" in pulled.error
    row = source()
    assert (row.cursor, row.failures) == ("1", 1)
    assert row.last_error["msgid"] == "no answer within %(seconds)s s"
    feed.faults.slow_seconds = 0
    assert polling.poll("tax").stored == 1  # resumed from the cursor
    assert source().failures == 0 and source().last_error  # the last failure stays readable


def test_a_page_that_is_not_json_fails_the_pull_and_repeated_failures_open_the_breaker(
    deployed, people, feed
):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [event(1, customer.uscc, 0)]
    feed.faults.malformed = 3
    for _ in range(2):
        assert polling.poll("tax").error == "the source's answer is not JSON"
    tripped = polling.poll("tax").error  # the third in a row
    assert tripped.startswith("the source's answer is not JSON; the circuit breaker opened")
    assert source().breaker == "open" and source().failures == 3
    asked = feed.requests
    pulled = polling.poll("tax")  # no request while it is open
    assert "circuit breaker is open" in pulled.error and feed.requests == asked
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31)):
        assert polling.poll("tax").stored == 1  # the trial request after the reset
    assert source().breaker == "closed" and source().failures == 0


def test_a_paused_source_is_not_pulled_and_one_without_an_endpoint_says_so(app, deployed, people, feed):
    polling.source_row("tax").paused = True
    db.session.commit()
    feed.events["tax"] = [event(1, approved_customer_of(people, 1).uscc, 0)]
    assert polling.poll("tax").skipped == "paused" and feed.requests == 0
    app.config["CONNECTOR_URLS"] = {}
    assert polling.poll("tax").skipped == "not configured" and polling.configured() == []


HOSTILE = [
    {"id": "h1", "uscc": "X", "occurred_at": NOON, "tax_arrears": float("nan")},
    {"id": "h2", "uscc": "X", "occurred_at": NOON, "tax_arrears": float("inf")},
    {"id": "h3", "uscc": "X", "occurred_at": NOON, "tax_arrears": 10**400},
    {"id": "h4\x00", "uscc": "X\x00", "occurred_at": "2026-12-01\x00", "tax_arrears": 1},
    {"id": "h5", "uscc": "=cmd|' /C calc'!A0", "occurred_at": NOON, "tax_arrears": 1},  # no such customer
    {"id": "h6", "uscc": "X", "occurred_at": "9999-99-99T99", "tax_arrears": 1},
    {"id": "h7", "uscc": "X", "occurred_at": NOON, "tax_arrears": {"a": [[[[[[1]]]]]]}},
    {"id": True, "uscc": "X", "occurred_at": NOON, "tax_arrears": 1},
    {"id": "h9", "uscc": "X", "occurred_at": NOON, "tax_arrears": 1, "pad": "x" * 70_000},
    {
        "id": "h10",
        "uscc": "X",
        "occurred_at": "0001-01-01T00:00:00+08:00",
        "tax_arrears": 1,
    },  # past UTC's start
    {"id": "h11", "uscc": "X", "occurred_at": "9999-12-31T23:00:00-08:00", "tax_arrears": 1},  # past its end
    {"id": "h12", "uscc": "X", "occurred_at": "9999-12-31T00:00:00", "tax_arrears": 1},  # in the future
    ["not", "an", "object"],
    "text",
    None,
]


def test_hostile_events_are_kept_unstored_with_their_reasons_and_the_page_goes_on(deployed, people, feed):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [
        {**e, "uscc": customer.uscc} if isinstance(e, dict) and e["uscc"] == "X" else e for e in HOSTILE
    ] + [event(99, customer.uscc, 0)]
    pulled = polling.poll("tax")
    assert (pulled.stored, pulled.malformed + pulled.unknown, pulled.error) == (1, len(HOSTILE), None)
    kept = payloads()
    assert [p.status for p in kept[:-1]] == ["malformed"] * 4 + ["unknown_customer"] + ["malformed"] * 10
    for bad in kept[:-1]:
        assert bad.reasons
        json.dumps(bad.body, allow_nan=False)  # kept as JSON a database holds
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 1
    assert source().newest_event_at <= utcnow()  # a stamp in the future moves no lag

    before = [(p.status, p.reasons) for p in kept]
    assert take_again_here() == 0
    assert [(p.status, p.reasons) for p in payloads()] == before  # taken again: each as it was


def take_again_here() -> int:
    from app.services.connectors import health, intake

    row = polling.source_row("tax")
    waiting = [p for p in payloads() if p.status == "unknown_customer"]
    stored = intake.store_again(row, health.SOURCES["tax"], waiting)
    db.session.commit()
    return len(stored)


def test_a_page_that_cannot_be_stored_is_a_failure_of_the_source_not_a_crash(
    deployed, people, feed, monkeypatch
):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [event(1, customer.uscc, 0)]

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(intake, "receive", broken)
    pulled = polling.poll("tax")
    assert pulled.error == "a page could not be stored (RuntimeError)"
    row = source()
    assert (row.cursor, row.failures, len(payloads())) == (None, 1, 0) and row.last_error["params"] == {
        "error": "RuntimeError"
    }
    monkeypatch.undo()


def test_the_command_pulls_and_prints_what_it_did(app, deployed, people, feed):
    feed.events["tax"] = [event(1, approved_customer_of(people, 1).uscc, 0)]
    result = app.test_cli_runner().invoke(args=["connectors", "poll", "tax"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[-1])["stored"] == 1
    app.config["CONNECTOR_URLS"] = {}
    refused = app.test_cli_runner().invoke(args=["connectors", "poll"])
    assert refused.exit_code != 0 and "CREDIT_CONNECTOR_<SOURCE>_URL" in refused.output


def test_the_demo_feed_gives_each_customer_its_tax_position_and_court_cases():
    codes = [f"91310000MA{n:07d}X"[:18] for n in range(14)]
    feed = fake_provider.demo_feed(codes, local_today())
    tax, court = feed.events["tax"], feed.events["court"]
    assert [e["uscc"] for e in tax] == codes == [e["uscc"] for e in court]
    assert len({e["id"] for e in tax + court}) == 28  # ids unique across the sources too
    assert [e["tax_arrears"] for e in tax] == ([0, 0, 0, 0, 36000] * 3)[:14]
    assert [e["enforcement_records"] for e in court] == [0, 0, 0, 0, 0, 0, 1] * 2
    assert [e["dishonest_debtor"] for e in court] == [False, False, False, True, False, False, False] * 2
    assert all(e["occurred_at"].startswith(str(local_today() - timedelta(days=1))) for e in tax + court)


def test_a_court_s_new_case_or_dishonest_debtor_listing_opens_its_warning_at_once_and_a_steady_count_none(
    deployed, people, feed, realtime_on
):
    sued, listed, steady = (approved_customer_of(people, n) for n in (1, 2, 3))

    def court(number: int, customer, at: str, cases: int, dishonest: bool = False) -> dict:
        return {
            "id": f"court-{number}",
            "uscc": customer.uscc,
            "occurred_at": at,
            "enforcement_records": cases,
            "dishonest_debtor": dishonest,
        }

    feed.events["court"] = [court(n, c, NOON, 0) for n, c in enumerate((sued, listed, steady), start=1)]
    assert polling.poll("court").stored == 3
    assert db.session.scalar(select(func.count()).select_from(EarlyWarning)) == 0
    later = (datetime.fromisoformat(NOON) + timedelta(days=1)).isoformat()
    feed.events["court"] += [
        court(4, sued, later, 1),
        court(5, listed, later, 0, True),
        court(6, steady, later, 0),
    ]
    assert polling.poll("court").stored == 3
    warnings = sorted((w.customer_id, w.code) for w in db.session.scalars(select(EarlyWarning)))
    assert warnings == [(sued.id, "new_enforcement"), (listed.id, "dishonest_debtor")]
    observation = db.session.scalar(select(Observation).where(Observation.payload_id.is_not(None)).limit(1))
    assert observation.dishonest_debtor is False  # the figure kept as sent, not left empty
    assert db.session.get(ConnectorSource, "court").cursor == "6"


def test_every_source_has_its_settings():
    from app.services.connectors.sources import SOURCES
    from config import CONNECTOR_SOURCES

    assert set(CONNECTOR_SOURCES) == set(SOURCES)


def test_the_court_s_count_and_the_bank_s_are_two_series_whose_changes_are_never_mixed(
    deployed, people, feed, realtime_on
):
    from app.services.monitoring import observations

    customer = approved_customer_of(people, 1)

    def on_screen(days_ago: int, records: int) -> None:
        day = local_today() - timedelta(days=days_ago)
        observations.record(
            people.officer,
            {"uscc": customer.uscc, "observed_on": str(day), "enforcement_records": records},
            "screen",
        )

    def warnings_closed() -> list[str]:
        """The new-enforcement warnings so far (by the day they rest on), each closed (as its review would)."""
        found = list(db.session.scalars(select(EarlyWarning).where(EarlyWarning.code == "new_enforcement")))
        for warning in found:
            warning.status = "closed"
        db.session.commit()
        return sorted(w.basis for w in found)

    def new_records() -> float:
        return portfolio_inputs.portfolio_frame([customer.id]).loc[customer.id, "new_enforcement_records"]

    on_screen(4, 3)  # the bank's count: 3 records on file, new
    assert new_records() == 3 and len(warnings_closed()) == 1
    feed.events["court"] = [
        {"id": "court-1", "uscc": customer.uscc, "occurred_at": NOON, "enforcement_records": 1}  # 3 days ago
    ]
    polling.poll("court")  # the court lists one case: new in its own series
    assert new_records() == 1 and len(warnings_closed()) == 2
    on_screen(2, 3)  # the bank's count as before: nothing new, though 3 follows the court's 1
    assert new_records() == 0 and len(warnings_closed()) == 2
