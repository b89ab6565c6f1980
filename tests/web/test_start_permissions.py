"""Who may start each process, over the API and in the browser: the processes only the system starts (a review
the schedule opens, an escalation the portfolio check raises, a sample compliance draws) are refused to every
person with 403 naming the process, nothing is stored, and the start menus offer only what the user may start."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcessInstance
from app.models.people import ROLES
from app.services.admin import users
from app.services.cases.case_kinds import KINDS
from app.services.design.deployment import deployment
from tests.factories import BPMN_FIXTURES
from tests.web.test_pages import text_of

SYSTEM_ONLY = sorted(kind.process_id for kind in KINDS.values() if kind.system_only)
# One user of each role (tests.factories.PEOPLE).
OF_ROLE = {
    "officer": "officer",
    "approver": "approver1",
    "risk_manager": "risk",
    "compliance": "compliance",
    "designer": "designer",
    "admin": "admin",
}
EN = {"Accept-Language": "en"}


def cases_stored() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessInstance))


def api_start(client, username: str, process: str):
    headers = {**EN, "Authorization": f"Bearer {users.issue_token(username)}"}
    return client.post("/api/v1/cases", json={"process": process}, headers=headers)


def test_every_role_is_named_here():
    assert set(OF_ROLE) == set(ROLES)


def test_the_system_only_processes_are_the_ones_the_system_starts():
    assert SYSTEM_ONLY == [
        "audit_sampling",
        "case_analysis",
        "collateral_revaluation",
        "periodic_review",
        "post_loan_inspection",
        "warning_escalation",
    ]


@pytest.mark.parametrize("process", SYSTEM_ONLY)
@pytest.mark.parametrize("role", sorted(OF_ROLE))
def test_a_process_only_the_system_starts_is_refused_to_everyone_over_the_api(
    client, deployed, people, role, process
):
    response = api_start(client, OF_ROLE[role], process)
    assert response.status_code == 403, response.get_json()
    error = response.get_json()["error"]
    assert process in error and "started only by the system" in error
    assert cases_stored() == 0


@pytest.mark.parametrize("process", SYSTEM_ONLY)
@pytest.mark.parametrize("role", sorted(OF_ROLE))
def test_a_process_only_the_system_starts_is_refused_to_everyone_in_the_browser(as_user, role, process):
    response = as_user(OF_ROLE[role]).post("/cases/new", data={"process": process})
    assert response.status_code == 403
    assert process in text_of(response) and "started only by the system" in text_of(response)
    assert cases_stored() == 0


@pytest.mark.parametrize("role", sorted(OF_ROLE))
def test_a_credit_application_is_opened_by_officers_and_administrators_only(client, as_user, role):
    may = role in KINDS["credit_application"].started_by
    response = api_start(client, OF_ROLE[role], "credit_application")
    assert response.status_code == (201 if may else 403), response.get_json()
    if not may:
        error = response.get_json()["error"]
        assert "may not start" in error and "credit_application" in error and "officer" in error
    page = as_user(OF_ROLE[role]).post("/cases/new", data={"process": "credit_application"})
    assert page.status_code == (302 if may else 403)
    assert cases_stored() == (2 if may else 0)


@pytest.mark.parametrize("role", sorted(OF_ROLE))
def test_the_start_menu_offers_only_what_the_user_may_start(as_user, role):
    page = text_of(as_user(OF_ROLE[role]).get("/tasks"))
    offered = role in KINDS["credit_application"].started_by
    assert ('value="credit_application"' in page) == offered
    assert ("New credit application" in page) == offered
    for process in SYSTEM_ONLY:
        assert f'value="{process}"' not in page


def test_a_designers_process_that_starts_only_on_a_message_is_the_systems(client, as_user, people, tmp_path):
    """A process without a kind of its own follows its diagram: with a plain start event officers may open it;
    when every start event waits for a message, nobody may, and no menu offers it."""
    plain = (BPMN_FIXTURES / "start_fail.bpmn").read_text()
    on_message = (
        plain.replace('id="start_fail" name="Start fail"', 'id="on_message" name="On message"')
        .replace('bpmnElement="start_fail"', 'bpmnElement="on_message"')
        .replace(
            '<bpmn:startEvent id="start" />',
            '<bpmn:startEvent id="start"><bpmn:messageEventDefinition '
            'id="start_message" messageRef="Message_go" /></bpmn:startEvent>',
        )
        .replace(
            "  <bpmndi:BPMNDiagram", '  <bpmn:message id="Message_go" name="go" />\n  <bpmndi:BPMNDiagram'
        )
    )
    (tmp_path / "on_message.bpmn").write_text(on_message)
    deployment.deploy_files([tmp_path / "on_message.bpmn", BPMN_FIXTURES / "timer_wait.bpmn"])
    refused = api_start(client, "officer", "on_message")
    assert refused.status_code == 403 and "on_message" in refused.get_json()["error"]
    assert cases_stored() == 0
    menu = text_of(as_user("officer").get("/tasks"))
    assert 'value="on_message"' not in menu and 'value="timer_wait"' in menu
    assert api_start(client, "officer", "timer_wait").status_code == 201
