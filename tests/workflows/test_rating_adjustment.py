"""The officer's adjusted grade (认定等级) and a connected group's membership decide the approval path
through rules/approval_authority.dmn; the adjustment needs a reason and is shown to the approvers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import InvalidInput
from app.extensions import db
from app.models import DecisionLog
from app.services.cases import tasks
from tests.factories import case_at, open_task, review, snapshot


def authority_inputs(case) -> dict:
    return db.session.scalars(
        select(DecisionLog.inputs)
        .where(DecisionLog.instance_id == case.id, DecisionLog.decision_id == "approval_authority")
        .order_by(DecisionLog.id.desc())
    ).first()


def test_a_downgrade_with_its_reason_routes_by_the_adjusted_grade_and_keeps_the_models(deployed, people):
    case = case_at("review", people.officer)
    model = case.summary["grade"]
    assert model == "A"
    tasks.complete(
        people.officer,
        open_task(case.id, "review_proposal").id,
        review(case, grade_override="CCC", override_reason="主要客户流失，现金流显著恶化"),
    )
    db.session.refresh(case)
    assert case.summary["grade"] == "CCC" and case.summary["model_grade"] == "A"
    assert case.summary["rating_override"] == {
        "model_grade": "A",
        "grade": "CCC",
        "reason": "主要客户流失，现金流显著恶化",
    }
    assert authority_inputs(case)["grade"] == "CCC"
    assert case.summary["approval_route"] == "committee"  # a CCC credit goes to the committee


def test_an_adjustment_without_a_reason_is_refused_naming_the_field(deployed, people):
    case = case_at("review", people.officer)
    before = snapshot(case.id)
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(
            people.officer, open_task(case.id, "review_proposal").id, review(case, grade_override="AA")
        )
    assert "override_reason" in refused.value.errors
    assert snapshot(case.id) == before


def test_keeping_the_model_grade_is_no_adjustment(deployed, people):
    case = case_at("review", people.officer)
    tasks.complete(
        people.officer, open_task(case.id, "review_proposal").id, review(case, grade_override="model")
    )
    db.session.refresh(case)
    assert case.summary["grade"] == "A" and case.summary.get("rating_override") is None
    assert case.summary["approval_route"] == "single" and case.summary["approval_level"] == 1


def test_a_member_of_a_connected_group_above_five_million_goes_to_head_office(deployed, people):
    alone = case_at("approval", people.officer, requested_amount=8_000_000)
    grouped = case_at(
        "approval", people.officer2, requested_amount=8_000_000, group_name="华东控股集团", index=2
    )
    for case in (alone, grouped):
        db.session.refresh(case)
    assert (authority_inputs(alone)["in_group"], alone.summary["approval_level"]) == (False, 1)
    assert (authority_inputs(grouped)["in_group"], grouped.summary["approval_level"]) == (True, 2)
    assert "集团客户" in grouped.summary["approval_level_name"]
