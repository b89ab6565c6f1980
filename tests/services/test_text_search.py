"""Substring search through an index: every search box finds a case by part of its reference, customer
name or credit code (any case, `%` and `_` literal), and reads the text index rather than every row."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select, text, update

from app.errors import InvalidInput
from app.extensions import db
from app.models import Customer, ProcessInstance
from app.services.audit import audit_search
from app.services.cases import cases, text_search
from app.services.cases.inbox_filters import InboxFilter
from app.services.customers.master import customers
from app.services.design.deployment import deployment
from tests.factories import case_at, intake

NAMES = ["星河精密机械有限公司", "Sunrise Trading Co", "百分之100%_公司", '引号"公司', "华东电气"]


def seed_cases(definition_id: int) -> list[int]:
    """Case rows written as the bench writes them (Core, no step): the triggers must index them too."""
    rows = [
        {
            "id": 900 + i,
            "reference": f"CA-2026-{900 + i:07d}",
            "definition_id": definition_id,
            "process_id": "credit_application",
            "status": "completed",
            "summary": {"customer_name": name, "uscc": f"91310000MA1FL{i:04d}X"},
            "state": "{}",
            "serializer_version": "t",
            "version": 1,
        }
        for i, name in enumerate(NAMES)
    ]
    db.session.execute(insert(ProcessInstance.__table__), rows)
    db.session.commit()
    return [r["id"] for r in rows]


def found(user, term: str) -> list[int]:
    return sorted(r.id for r in cases.list_cases(user, search=term).rows)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("精密机械", [900]),  # part of a name
        ("sunrise trad", [901]),  # any case
        ("CA-2026-0000903", [903]),  # the reference
        ("FL0004", [904]),  # part of the credit code
        ("91310000MA1FL0004X", [904]),  # a whole credit code: looked up by its last characters, checked whole
        ("MA1FL0004", [904]),
        ("CA-2026-0000903", [903]),
        ("ca-2026-0000903", [903]),
        ("CA-2025-0000903", []),  # the serial number alone matches, the whole term does not
        ("FL0004Y", []),
        ("100%_", [902]),  # % and _ are text, not wildcards
        ("0%", [902]),
        ('引号"', [903]),  # a double quote
        ("华东", [904]),  # two characters: below the trigram's three, answered without the index
        ("公司", [900, 902, 903]),
        ("no such name", []),
    ],
)
def test_a_search_finds_a_case_by_part_of_its_reference_name_or_credit_code(deployed, people, term, expected):
    seed_cases(deployment.latest_definition("credit_application").id)
    assert found(people.risk, term) == expected


def test_the_index_follows_a_case_through_its_steps_and_deletion(deployed, people):
    case = case_at("statements", people.officer, customer_name="长江航运物流有限公司")
    assert found(people.risk, "航运物流") == [case.id]
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == case.id)
        .values(summary={**case.summary, "customer_name": "长江新能源有限公司"})
    )
    db.session.commit()
    assert found(people.risk, "航运物流") == [] and found(people.risk, "新能源") == [case.id]
    db.session.execute(text("DELETE FROM human_task"))
    db.session.execute(text("DELETE FROM decision_log"))
    db.session.execute(text("DELETE FROM timer"))
    db.session.execute(text("DELETE FROM process_instance"))
    db.session.commit()
    assert found(people.risk, "新能源") == []


def test_every_search_box_uses_the_same_meaning(deployed, people):
    case = case_at("review", people.officer, **{**intake(3), "customer_name": "星河精密机械有限公司"})
    rows, total = customers.list_customers(people.risk, "精密机械")  # the prospect created at intake
    assert total == 1 and rows[0].id == case.customer_id
    assert customers.list_customers(people.risk, rows[0].uscc[-7:].lower())[1] == 1
    assert customers.list_customers(people.risk, "精密机械x")[1] == 0
    code = rows[0].uscc
    assert (
        customers.list_customers(people.risk, code)[1] == 1
    )  # looked up by its last characters, checked whole
    assert customers.list_customers(people.risk, "X" + code[1:])[1] == 0
    inbox = InboxFilter.from_args({"q": case.reference[-5:]})
    assert [p.id for p in db.session.scalars(inbox.apply(select(ProcessInstance)))] == [case.id]
    by_customer = audit_search.search(people.compliance, audit_search.AuditFilter(customer="精密机械"))
    by_case = audit_search.search(people.compliance, audit_search.AuditFilter(case=case.reference[-6:]))
    assert by_customer.rows and {e.customer_id for e in by_customer.rows} == {case.customer_id}
    assert by_case.rows and {e.instance_id for e in by_case.rows} == {case.id}


@pytest.mark.parametrize("raw", ["a\x00b", "tab\there", "x" * (text_search.MAX_TERM + 1)])
def test_a_term_with_control_characters_or_too_long_is_refused_naming_the_field(app, raw):
    with pytest.raises(InvalidInput) as caught:
        text_search.clean_term(raw, "customer")
    assert set(caught.value.errors) == {"customer"}


def plan(statement) -> str:
    """The query plan of ``statement`` as text (sequential scans discouraged on PostgreSQL, whose planner
    rightly prefers them on a table of a few rows)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        prefix = "EXPLAIN "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    compiled = statement.compile(connection)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    rows = connection.exec_driver_sql(prefix + str(compiled), params).all()
    db.session.rollback()
    return "\n".join(str(r[-1] if connection.dialect.name == "sqlite" else r[0]) for r in rows)


def test_a_search_reads_the_text_index_not_every_case(deployed, people):
    seed_cases(deployment.latest_definition("credit_application").id)
    customers_plan = plan(select(Customer).where(text_search.customer_filter("精密机械")))
    if db.engine.dialect.name == "sqlite":
        found_plan = plan(text_search.newest_cases(select(ProcessInstance), "精密机械").limit(51))
        assert "case_text VIRTUAL TABLE" in found_plan and not re.search(
            r"SCAN process_instance\b", found_plan
        )
        assert "customer_text VIRTUAL TABLE" in customers_plan
    else:  # the planner weighs the index against reading newest first; here, where it may only take the index
        found_plan = plan(select(ProcessInstance.id).where(text_search.case_filter("精密机械")))
        for index in ("reference", "customer_name", "uscc"):
            assert f"ix_process_instance_{index}_trgm" in found_plan, found_plan
        assert "ix_customer_name_trgm" in customers_plan, customers_plan
        # a whole reference is looked up by its serial number (the year's prefix is in every case of the year)
        by_reference = plan(select(ProcessInstance.id).where(text_search.case_filter("CA-2026-0000903")))
        assert "Index Cond: ((reference)::text ~~* '%000903%'" in by_reference, by_reference


def test_the_nightly_tidy_of_the_index_keeps_every_hit(deployed, people, app):
    seed_cases(deployment.latest_definition("credit_application").id)
    before = {term: found(people.risk, term) for term in ("精密机械", "sunrise", "CA-2026-0000903", "公司")}
    text_search.tidy_index()
    assert {term: found(people.risk, term) for term in before} == before
    from app.extensions import celery

    assert celery.conf.beat_schedule["tidy-search-index"]["task"] == "app.jobs.search.tidy_index"
