"""``flask workflows``, ``flask users`` and ``flask audit`` through Flask's CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import AuditEvent, ProcessDefinition, User
from app.services.admin import users
from tests.factories import BAD_BPMN

BPMN = Path(__file__).resolve().parents[1] / "data" / "bpmn"

BAD_FIXTURES = BAD_BPMN


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=list(args))

    return invoke


@pytest.mark.parametrize(("filename", "element", "reason"), BAD_FIXTURES)
def test_validate_names_file_element_and_reason_of_each_bad_diagram(cli, filename, element, reason):
    result = cli("workflows", "validate", str(BPMN / filename))
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert any(filename in line and element in line and reason in line for line in errors), result.output


def test_validate_refuses_a_doctype(cli):
    result = cli("workflows", "validate", str(BPMN / "doctype.bpmn"))
    assert result.exit_code == 1
    assert "doctype.bpmn" in result.output and "DOCTYPE" in result.output


def test_validate_passes_the_shipped_files(cli):
    result = cli("workflows", "validate")
    assert result.exit_code == 0, result.output
    assert "ok: no problems" in result.output


def test_deploy_twice_creates_one_version(cli):
    first = cli("workflows", "deploy")
    assert first.exit_code == 0, first.output
    assert "credit_application v1 deployed" in first.output
    second = cli("workflows", "deploy")
    assert second.exit_code == 0
    assert (
        "credit_application v1 unchanged" in second.output
        and "warning_escalation v1 unchanged" in second.output
    )
    # one version of each process in workflows/
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)) == 7


def test_deploy_of_a_bad_diagram_stores_nothing(cli):
    result = cli("workflows", "deploy", str(BPMN / "script_import_os.bpmn"))
    assert result.exit_code == 1
    assert "nothing deployed" in result.output and "run_shell" in result.output
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)) == 0


def test_users_create_prints_a_generated_password_that_works(cli):
    result = cli("users", "create", "han.mei", "--role", "officer")
    assert result.exit_code == 0, result.output
    generated = result.output.strip().rsplit("password: ", 1)[1]
    assert users.authenticate("han.mei", generated).username == "han.mei"


def test_users_create_stores_only_a_hash(cli):
    result = cli("users", "create", "li.lei", "--role", "officer", "--password", "s3cret-pass-9")
    assert result.exit_code == 0, result.output
    assert "created li.lei (officer; groups officer)" in result.output
    assert "s3cret-pass-9" not in result.output  # a password given is not echoed to the terminal
    user = db.session.scalar(select(User).where(User.username == "li.lei"))
    assert user.password_hash != "s3cret-pass-9" and "s3cret-pass-9" not in user.password_hash
    assert check_password_hash(user.password_hash, "s3cret-pass-9")
    assert user.group_codes == {"officer"}


def test_users_create_joins_the_committee_and_refuses_an_unknown_group(cli):
    result = cli(
        "users",
        "create",
        "huang",
        "--role",
        "risk_manager",
        "--group",
        "committee",
        "--group",
        "cro",
        "--password",
        "s3cret-pass-9",
    )
    assert result.exit_code == 0, result.output
    assert "groups committee, cro, risk_manager" in result.output
    bad = cli(
        "users", "create", "zhou", "--role", "officer", "--group", "board", "--password", "s3cret-pass-9"
    )
    assert bad.exit_code == 1 and "groups" in bad.output and "board" in bad.output
    assert db.session.scalar(select(User).where(User.username == "zhou")) is None


def test_users_create_refuses_an_approver_without_authority_level(cli):
    result = cli("users", "create", "wang", "--role", "approver", "--password", "s3cret-pass-9")
    assert result.exit_code == 1
    assert "authority_level" in result.output
    assert db.session.scalar(select(User).where(User.username == "wang")) is None


def test_users_token_prints_a_token_alone_on_its_last_line_that_opens_the_api(cli, client, deployed):
    assert cli("users", "create", "li.lei", "--role", "officer", "--password", "s3cret-pass-9").exit_code == 0
    result = cli("users", "token", "li.lei")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token and " " not in token and len(token) >= 32
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == []
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}x"}).status_code == 401


def test_users_token_for_an_unknown_user_fails(cli):
    result = cli("users", "token", "nobody")
    assert result.exit_code == 1
    assert "nobody" in result.output


def test_audit_verify_is_ok_then_names_the_edited_row(cli, people):
    ok = cli("audit", "verify")
    assert ok.exit_code == 0, ok.output
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert f"ok: {count} events" in ok.output
    target = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id).offset(2).limit(1))
    db.session.execute(text("UPDATE audit_event SET actor_name = 'mallory' WHERE id = :id"), {"id": target})
    db.session.commit()
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert f"broken at audit event {target}:" in broken.output


def test_users_qualify_records_a_certificate_and_names_bad_input(cli, people):
    result = cli("users", "qualify", "approver1", "--certificate", "CQ-9", "--valid-until", "2031-01-31")
    assert result.exit_code == 0 and "approver1 qualified until 2031-01-31" in result.output
    bad = cli("users", "qualify", "approver1", "--certificate", "CQ-9", "--valid-until", "someday")
    assert bad.exit_code == 1 and "valid_until" in bad.output
