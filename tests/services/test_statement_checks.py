"""Financial statements the system must not accept, wherever they enter: a part above its whole, a balance
sheet that does not balance within the policy's tolerance, a year entered twice; each refusal on its cell,
naming the year, the lines and both figures, in the user's language. One to five years are accepted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import InvalidInput
from app.extensions import db
from app.models import HumanTask, ProcessInstance
from app.risk.statements import PARTS_OF
from app.services.cases import tasks
from app.services.monitoring import statement_checks
from tests.factories import PASSWORD, case_at, open_task, snapshot, statements
from tests.workflows.test_periodic_review import review_due_today
from tests.workflows.test_warning_escalation import ready


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def submit(officer, case, years, locale="en"):
    task = open_task(case.id, "financial_statements")
    return tasks.complete(officer, task.id, {"statements": years}, locale=locale)


def refused(officer, case, years, locale="en") -> dict[str, str]:
    before = snapshot(case.id)
    with pytest.raises(InvalidInput) as caught:
        submit(officer, case, years, locale)
    assert snapshot(case.id) == before  # nothing moved: the officer corrects the figures
    return caught.value.errors


def two_years():
    """2024 then 2025, as the factories make them (they balance to the yuan)."""
    return statements()


# Each part/whole relation of the form's lines, broken by raising the part(s) above the whole.
BROKEN = [(parts, whole) for parts, whole in PARTS_OF]


@pytest.mark.parametrize("parts, whole", BROKEN, ids=[f"{'+'.join(p)}<={w}" for p, w in BROKEN])
def test_parts_above_their_whole_are_refused_on_the_cell_naming_the_year_and_both_figures(
    deployed, people, parts, whole
):
    case = case_at("statements", people.officer)
    years = two_years()
    bad = years[1]  # 2025, the second column
    bad[parts[0]] = (
        bad[whole] - sum(bad[p] for p in parts[1:]) + 1000
    )  # the parts now exceed the whole by 1,000
    errors = refused(people.officer, case, years)
    field = parts[0] if len(parts) == 1 else whole
    message = errors[f"statements-1-{field}"]
    total = sum(bad[p] for p in parts)
    assert message.startswith("2025: ") and f"{total:,.2f}" in message and f"{bad[whole]:,.2f}" in message
    assert "exceed" in message
    assert not any(key.startswith("statements-0-") for key in errors)  # 2024 is sound


def test_a_balance_sheet_that_does_not_balance_beyond_the_tolerance_is_refused(deployed, people):
    case = case_at(
        "statements", people.officer
    )  # a medium company: 0.01% of total assets, at least CNY 1,000
    years = two_years()
    assets = years[0]["total_assets"]
    years[0]["book_equity"] += round(assets * 0.0001) + 500  # just beyond the tolerance
    errors = refused(people.officer, case, years)
    message = errors["statements-0-total_assets"]
    assert message.startswith("2024: Total assets") and f"{assets:,.2f}" in message
    assert "Total liabilities + Total equity (book value)" in message
    assert f"CNY {max(1000, assets * 0.0001):,.2f}" in message  # the tolerance the policy allows


def test_within_the_tolerance_the_statements_are_accepted_and_analysed(deployed, people):
    case = case_at("statements", people.officer)
    years = two_years()
    years[0]["book_equity"] += round(years[0]["total_assets"] * 0.0001) - 1  # rounding, within the tolerance
    submit(people.officer, case, years)
    db.session.refresh(case)
    assert case.summary["analysis"]["ratio_trend"].keys() == {"2024", "2025"}


def test_the_tolerance_is_the_policy_of_the_companys_size(deployed, people, app):
    with app.app_context():
        assert statement_checks.balance_tolerance("large")(400_000_000) == pytest.approx(40_000)
        assert statement_checks.balance_tolerance("micro")(400_000_000) == pytest.approx(400_000)
        assert statement_checks.balance_tolerance("small")(100_000) == 1000  # at least CNY 1,000


def test_every_contradiction_is_named_at_once_in_chinese(deployed, people):
    case = case_at("statements", people.officer)
    years = two_years()
    years[0]["current_assets"] = years[0]["total_assets"] + 1
    years[1]["short_term_debt"] = years[1]["current_liabilities"] + 1
    years[1]["total_assets"] += 10_000_000
    errors = refused(people.officer, case, years, locale="zh_CN")
    assert {
        "statements-0-current_assets",
        "statements-1-short_term_debt",
        "statements-1-total_assets",
    } <= set(errors)
    assert errors["statements-0-current_assets"].startswith("2024：流动资产合计")
    assert "超过资产总计" in errors["statements-0-current_assets"]
    assert (
        "元" in errors["statements-1-total_assets"]
        and "负债合计 + 所有者权益合计" in errors["statements-1-total_assets"]
    )


def test_a_year_entered_twice_is_refused(deployed, people):
    case = case_at("statements", people.officer)
    years = two_years()
    years[1]["fiscal_year"] = years[0]["fiscal_year"]
    errors = refused(people.officer, case, years)
    assert "2024" in errors["statements-1-fiscal_year"] and "twice" in errors["statements-1-fiscal_year"]


@pytest.mark.parametrize("count", [1, 5])
def test_one_to_five_years_are_accepted(deployed, people, count):
    case = case_at("statements", people.officer)
    years = [dict(two_years()[1], fiscal_year=2025 - i) for i in range(count)]
    submit(people.officer, case, years)
    db.session.refresh(case)
    analysis = case.summary["analysis"]
    assert list(analysis["ratio_trend"]) == [str(2025 - i) for i in reversed(range(count))]
    assert case.summary["grade"] and open_task(case.id, "review_proposal")


def test_six_years_and_none_are_refused(deployed, people):
    case = case_at("statements", people.officer)
    assert "statements" in refused(
        people.officer, case, [dict(two_years()[1], fiscal_year=2025 - i) for i in range(6)]
    )
    assert "statements" in refused(people.officer, case, [])


def test_the_periodic_review_refuses_them_too(deployed, people):
    _customer, started = review_due_today(people)
    years = statements(health=1.3)
    years[1]["cash"] = years[1]["current_assets"]  # with inventory and receivables, above current assets
    task = ready(started, "do_review")
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(
            people.officer, task.id, {"statements": years, "review_notes": "经营正常。"}, locale="en"
        )
    assert "2025: " in caught.value.errors["statements-1-current_assets"]
    assert db.session.get(HumanTask, task.id).state == "ready"


def test_the_api_answers_422_naming_the_cell(deployed, people, client):
    from app.services.admin import users

    case = case_at("statements", people.officer)
    token = users.issue_token("officer")
    years = two_years()
    years[0]["receivables"] = years[0]["current_assets"]
    task = db.session.scalar(
        select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.state == "ready")
    )
    response = client.post(
        f"/api/v1/tasks/{task.id}/complete",
        json={"data": {"statements": years}},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json["errors"]["statements-0-current_assets"].startswith(
        "2024: Cash and cash equivalents"
    )
    assert db.session.get(ProcessInstance, case.id).current_step


def test_the_page_marks_the_cell_and_keeps_what_was_typed(deployed, people, app):
    case = case_at("statements", people.officer)
    task = open_task(case.id, "financial_statements")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    post = {"_version": str(case.version)}
    years = two_years()
    years[1]["inventory"] = years[1]["current_assets"]
    for i, statement in enumerate(years):
        post.update({f"statements-{i}-{k}": str(v) for k, v in statement.items()})
    response = client.post(f"/tasks/{task.id}", data=post, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-statements-1-current_assets-error"' in page and "2025: Cash and cash equivalents" in page
    assert f'value="{years[1]["inventory"]:,.2f}"' in page  # the figure as the officer typed it, kept
