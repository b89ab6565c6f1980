"""The external data sources' health page, as the administrator reads and works it, in both languages."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, ConnectorPayload, ConnectorSource, Customer
from app.services.connectors import polling
from app.services.connectors.sources import SOURCES
from app.web.vocabulary import OBSERVATION_SOURCES
from tests.services.test_connectors import event
from tests.workflows.test_warning_escalation import approved_customer_of

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def audited(event_type: str) -> AuditEvent | None:
    return db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == event_type))


def test_the_administrator_sees_each_source_s_health_and_what_it_did_not_store(
    deployed,
    people,
    feed,
    login,
):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [event(1, customer.uscc, 100), event(2, "91000000000000000X", 5)]
    polling.poll("tax")
    feed.faults.failing = 5
    polling.poll("tax")  # fails: written on the source
    client = login("admin")
    page = client.get("/admin/connectors", headers=EN).get_data(as_text=True)
    assert "Tax authority: tax arrears" in page and "Failing" in page
    assert "the source answered HTTP 500" in page and "2 (stored 1, malformed 0, unknown customer 1)" in page
    assert "Unknown customer" in page and "no customer has this credit code" in page
    zh = client.get("/admin/connectors", headers=ZH).get_data(as_text=True)
    assert "外部数据源" in zh and "异常" in zh and "没有客户使用此统一社会信用代码" in zh and "未知客户" in zh
    assert "数据源返回 HTTP 500" in zh and "the source answered" not in zh  # in the reader's language


def test_pause_resume_replay_and_take_again(deployed, people, feed, login, jobs_here):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [event(1, "91310000MA00000999", 100)]  # a customer the bank does not have yet
    polling.poll("tax")
    client = login("admin")

    assert client.post("/admin/connectors/tax/pause", data={"paused": "1"}, headers=EN).status_code == 302
    assert db.session.get(ConnectorSource, "tax").paused and audited("connector.paused")
    assert polling.poll("tax").skipped == "paused"
    refused = client.post("/admin/connectors/tax/pull", headers=EN)
    assert refused.status_code == 422 and "The source is paused: resume it first." in refused.get_data(
        as_text=True
    )
    client.post("/admin/connectors/tax/pause", data={"paused": "0"}, headers=EN)
    assert not db.session.get(ConnectorSource, "tax").paused and audited("connector.resumed")

    bad = client.post("/admin/connectors/tax/replay", data={"cursor": "y" * 201}, headers=EN)
    assert bad.status_code == 422
    assert "The position was not changed. at most 200 printable characters" in bad.get_data(as_text=True)
    nul = client.post("/admin/connectors/tax/replay", data={"cursor": "x\x00"}, headers=EN)
    assert nul.status_code == 422 and "NUL" in nul.get_data(as_text=True)
    assert client.post("/admin/connectors/tax/replay", data={"cursor": ""}, headers=EN).status_code == 302
    db.session.expire_all()
    assert db.session.get(ConnectorSource, "tax").cursor is None
    assert audited("connector.replayed").payload == {"source": "tax", "before": "1", "after": None}

    db.session.execute(
        Customer.__table__.update().where(Customer.id == customer.id).values(uscc="91310000MA00000999")
    )
    db.session.commit()
    assert client.post("/admin/connectors/tax/again", headers=EN).status_code == 302
    payload = db.session.scalar(select(ConnectorPayload))
    assert (payload.status, payload.customer_id) == ("stored", customer.id)
    assert audited("connector.taken_again").payload["stored"] == 1

    feed.events["tax"].append(event(2, customer.uscc, 0))
    assert client.post("/admin/connectors/tax/pull", headers=EN).status_code == 302  # the job, run here
    assert db.session.scalar(select(func.count()).select_from(ConnectorPayload)) == 2


def test_an_observation_a_source_stored_is_named_by_its_source_on_the_customer_page(
    deployed, people, feed, login
):
    customer = approved_customer_of(people, 1)
    feed.events["tax"] = [event(1, customer.uscc, 36000)]
    polling.poll("tax")
    client = login("officer")
    en = client.get(f"/customers/{customer.id}", headers=EN).get_data(as_text=True)
    zh = client.get(f"/customers/{customer.id}", headers=ZH).get_data(as_text=True)
    assert "External data: tax authority" in en and "外部数据：税务" in zh and "source_tax" not in en + zh
    assert {f"source_{key}" for key in SOURCES} <= set(
        OBSERVATION_SOURCES
    )  # every source named, the next too
