"""Training management: the required-training table, where a person stands, the gate on the intake, the
results of a session (every refused number named), readings, reminders and the completion per branch."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from app.errors import Conflict, InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import Course, Notification, TrainingCompletion, User
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import cases, tasks
from app.services.design.testing import decision_tests
from app.services.people.training import attendance, catalog, readings, records, reminders, required
from tests.factories import PASSWORD, intake, open_task

RULES = Path(__file__).resolve().parents[2] / "rules"


def lapse(user: User, code: str, on: date) -> None:
    """``user``'s passes of ``code`` all end on ``on``."""
    course_id = catalog.by_code(code).id
    db.session.execute(
        TrainingCompletion.__table__.update()
        .where(TrainingCompletion.user_id == user.id, TrainingCompletion.course_id == course_id)
        .values(valid_until=on)
    )
    db.session.commit()


def test_the_table_passes_its_own_cases(app):
    results = decision_tests.run(
        "required_training.dmn",
        (RULES / "required_training.dmn").read_text(encoding="utf-8"),
        (RULES / "required_training.tests.json").read_text(encoding="utf-8"),
    )
    assert results and all(r.ok for r in results), [r.message for r in results if not r.ok]


def test_each_role_is_asked_for_its_courses(app):
    with app.test_request_context():
        assert [r.code for r in required.requirements("officer", None)] == ["KYC_AML", "POST_LOAN"]
        assert [r.code for r in required.requirements("approver", 3)] == [
            "CREDIT_APPROVAL",
            "KYC_AML",
            "FIVE_CATEGORY",
        ]
        assert required.requirements("designer", None) == []
        assert required.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_standing_reads_valid_expiring_lapsed_and_missing(people):
    today = local_today()
    assert {s.code: s.state for s in required.standing(people.officer)} == {
        "KYC_AML": "valid",
        "POST_LOAN": "valid",
    }
    lapse(people.officer, "KYC_AML", today + timedelta(days=10))
    lapse(people.officer, "POST_LOAN", today - timedelta(days=1))
    states = {s.code: s.state for s in required.standing(people.officer)}
    assert states == {"KYC_AML": "expiring", "POST_LOAN": "lapsed"}
    db.session.execute(delete(TrainingCompletion).where(TrainingCompletion.user_id == people.officer2.id))
    db.session.commit()
    assert {s.state for s in required.standing(people.officer2)} == {"missing"}


def test_an_officer_whose_aml_training_lapsed_opens_no_application(deployed, people):
    lapse(people.officer, "KYC_AML", local_today() - timedelta(days=1))
    with pytest.raises(NotAuthorized) as refused:
        cases.start_case(people.officer, "credit_application")
    assert any(
        word in refused.value.message for word in ("AML and know-your-customer", "反洗钱与客户身份识别")
    )
    assert (local_today() - timedelta(days=1)).isoformat() in refused.value.message
    lapse(people.officer, "KYC_AML", local_today() + timedelta(days=5))  # expiring: still valid
    assert cases.start_case(people.officer, "credit_application").id
    newcomer, _ = users.create_user("newcomer", "officer", PASSWORD)
    with pytest.raises(NotAuthorized) as never:
        cases.start_case(newcomer, "credit_application")
    assert any(word in never.value.message for word in ("AML and know-your-customer", "反洗钱与客户身份识别"))
    assert cases.start_case(people.admin, "credit_application").id  # nothing is required of an administrator


def test_an_intake_opened_before_the_lapse_is_not_submitted_after_it(deployed, people):
    case = cases.start_case(people.officer, "credit_application")
    task = open_task(case.id, "application_intake")
    lapse(people.officer, "KYC_AML", local_today() - timedelta(days=1))
    with pytest.raises(NotAuthorized):
        tasks.complete(people.officer, task.id, intake())
    assert open_task(case.id, "application_intake").id == task.id  # still waiting for a valid officer


def test_the_approval_course_keeps_an_expiry(people):
    course = catalog.ensure("CREDIT_APPROVAL")
    form = {
        "title_zh": "授信审批资格",
        "title_en": "Credit approval qualification",
        "topic": "credit",
        "hours": "24",
    }
    with pytest.raises(InvalidInput) as refused:
        catalog.update(people.admin, course.id, {**form, "validity_months": ""})
    assert "validity_months" in refused.value.errors
    assert (
        catalog.update(
            people.admin, course.id, {**form, "validity_months": "36", "active": "on"}
        ).validity_months
        == 36
    )


def test_the_approval_qualification_is_a_pass_of_the_approval_course(people):
    row = qualifications.record(people.admin, "approver1", "CQ-2026-0100", "2027-06-30")
    assert (row.course.code, row.result, row.certificate) == ("CREDIT_APPROVAL", "pass", "CQ-2026-0100")
    assert qualifications.valid_until(people.approver1) == date(
        2099, 12, 31
    )  # the factory's pass runs longer
    assert {s.code: s.state for s in required.standing(people.approver1)}["CREDIT_APPROVAL"] == "valid"


def test_a_session_s_results_set_the_renewal_the_role_is_asked_for(people):
    course = catalog.ensure("POST_LOAN")
    held = local_today() - timedelta(days=3)
    session = attendance.create_session(
        people.risk,
        {"course_id": str(course.id), "held_on": held.isoformat(), "trainer": "赵磊", "place": "总行"},
    )
    form = {f"result_{people.officer.id}": "pass", f"score_{people.officer.id}": "91.5"}
    form[f"result_{people.officer2.id}"] = "fail"
    assert attendance.record_results(people.risk, session.id, form) == 2
    rows = {
        r.user_id: r
        for r in db.session.scalars(
            select(TrainingCompletion).where(TrainingCompletion.session_id == session.id)
        )
    }
    assert rows[people.officer.id].valid_until == required.add_months(held, 24)
    assert str(rows[people.officer.id].score) == "91.5"
    assert rows[people.officer2.id].valid_until is None and rows[people.officer2.id].result == "fail"
    attendance.record_results(
        people.risk, session.id, {f"result_{people.officer2.id}": "pass"}
    )  # a correction
    assert db.session.scalar(select(func.count()).where(TrainingCompletion.session_id == session.id)) == 2


@pytest.mark.parametrize("score", ["NaN", "Infinity", "-Infinity", "1e999", "-1", "100.1", "12.34", "abc"])
def test_every_unreasonable_score_is_refused_naming_the_field(people, score):
    course = catalog.ensure("KYC_AML")
    session = attendance.create_session(
        people.risk,
        {"course_id": str(course.id), "held_on": "2026-01-05", "trainer": "孙丽", "place": "总行"},
    )
    key = f"score_{people.officer.id}"
    with pytest.raises(InvalidInput) as refused:
        attendance.record_results(
            people.risk, session.id, {f"result_{people.officer.id}": "pass", key: score}
        )
    assert key in refused.value.errors


def test_courses_and_sessions_refuse_bad_fields_and_other_roles(people):
    with pytest.raises(NotAuthorized):
        catalog.create(people.officer, {"code": "X1"})
    base = {
        "code": "ETHICS",
        "title_zh": "职业道德",
        "title_en": "Ethics",
        "topic": "other",
        "hours": "4",
        "active": "on",
    }
    for key, bad in [
        ("hours", "NaN"),
        ("hours", "inf"),
        ("hours", "-2"),
        ("hours", "1000000"),
        ("validity_months", "0"),
        ("validity_months", "999999"),
        ("code", "kyc aml"),
        ("code", "KYC_AML"),
        ("topic", "golf"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            catalog.create(people.risk, {**base, key: bad})
        assert key in refused.value.errors, (key, bad)
    course = catalog.create(people.risk, base)
    assert (course.hours, course.validity_months, course.active) == (4, None, True)
    for held_on in ("1999-12-31", "2101-01-01", "2026-02-30", "yesterday"):
        with pytest.raises(InvalidInput) as refused:
            attendance.create_session(
                people.admin, {"course_id": str(course.id), "held_on": held_on, "trainer": "a", "place": "b"}
            )
        assert "held_on" in refused.value.errors
    future = attendance.create_session(
        people.admin,
        {
            "course_id": str(course.id),
            "held_on": (local_today() + timedelta(days=9)).isoformat(),
            "trainer": "a",
            "place": "b",
        },
    )
    with pytest.raises(InvalidInput):
        attendance.record_results(people.admin, future.id, {f"result_{people.officer.id}": "pass"})


def test_a_reading_is_acknowledged_once_by_its_reader(people):
    with pytest.raises(InvalidInput) as refused:
        readings.assign(
            people.risk, {"user_id": str(people.officer.id), "entry_ref": "javascript:alert(1)", "title": "x"}
        )
    assert "entry_ref" in refused.value.errors
    row = readings.assign(
        people.risk, {"user_id": str(people.officer.id), "entry_ref": "42", "title": "担保圈案例"}
    )
    with pytest.raises(NotAuthorized):
        readings.acknowledge(people.officer2, row.id)
    assert readings.acknowledge(people.officer, row.id).acknowledged_at is not None
    with pytest.raises(Conflict):
        readings.acknowledge(people.officer, row.id)
    assert records.my_record(people.officer).open_readings == 0


def test_reminders_come_once_before_and_once_on_the_lapse(people):
    today = local_today()
    lapse(people.officer, "KYC_AML", today + timedelta(days=20))
    told = lambda kind: db.session.scalar(  # noqa: E731
        select(func.count()).where(Notification.user_id == people.officer.id, Notification.kind == kind)
    )
    assert reminders.notify_due(today) >= 1
    assert told("training_expiring") == 1
    assert reminders.notify_due(today) == 0  # told already
    assert reminders.notify_due(today + timedelta(days=21)) >= 1
    assert (told("training_expiring"), told("training_lapsed")) == (1, 1)
    assert reminders.notify_due(today + timedelta(days=40)) == 0


def test_the_completion_per_branch_matches_a_count_of_the_passes(people):
    today = local_today()
    lapse(people.officer, "KYC_AML", today - timedelta(days=2))
    lapse(people.officer2, "POST_LOAN", today + timedelta(days=3))
    figure = records.by_branch(people.risk)
    staff = list(db.session.scalars(select(User).where(User.active.is_(True))))
    expected_required = sum(len(required.of(u)) for u in staff)
    valid = 0
    for u in staff:
        for req in required.of(u):
            until = db.session.scalar(
                select(func.max(TrainingCompletion.valid_until))
                .join(Course, Course.id == TrainingCompletion.course_id)
                .where(
                    TrainingCompletion.user_id == u.id,
                    Course.code == req.code,
                    TrainingCompletion.result == "pass",
                )
            )
            valid += until is not None and until >= today
    assert figure.total["required"] == expected_required and figure.total["complete"] == valid
    assert figure.total["lapsed"] == 1 and figure.total["expiring"] == 1
    with force_locale("zh_CN"):
        assert [r["branch"] for r in records.by_branch(people.risk).rows] == ["总行"]  # named, not its code
    people.approver1.branch = "shanghai"
    db.session.commit()
    with force_locale("en"):
        mine = records.by_branch(people.approver1)
    assert [r["branch"] for r in mine.rows] == ["Shanghai branch"] and mine.total["staff"] == 1
    with pytest.raises(NotAuthorized):
        records.person_record(people.approver1, people.officer.id)
    with pytest.raises(NotAuthorized):
        records.by_branch(people.officer)


def _held_session(keeper: User, code: str):
    course = catalog.ensure(code)
    held = (local_today() - timedelta(days=1)).isoformat()
    return attendance.create_session(
        keeper, {"course_id": str(course.id), "held_on": held, "trainer": "孙丽", "place": "总行"}
    )


def test_no_keeper_records_their_own_pass_and_only_the_admin_the_approval_qualification(people):
    own = f"result_{people.risk.id}"
    with pytest.raises(InvalidInput) as refused:  # the risk manager passing themselves
        attendance.record_results(people.risk, _held_session(people.risk, "KYC_AML").id, {own: "pass"})
    assert own in refused.value.errors
    approval = _held_session(people.risk, "CREDIT_APPROVAL")
    for person in (
        people.cro,
        people.officer,
    ):  # the CRO sits on the committee: a pass would let them approve
        key = f"result_{person.id}"
        with pytest.raises(InvalidInput) as refused:
            attendance.record_results(people.risk, approval.id, {key: "pass"})
        assert key in refused.value.errors
    assert not db.session.scalar(
        select(func.count()).where(TrainingCompletion.session_id == approval.id)
    )  # nothing half-written
    assert attendance.record_results(people.admin, approval.id, {f"result_{people.officer.id}": "pass"}) == 1
    session = _held_session(people.admin, "KYC_AML")
    assert attendance.record_results(people.admin, session.id, {own: "pass"}) == 1  # another keeper may
    # the form posts back what is recorded: the risk manager saving it again is refused nothing
    assert attendance.record_results(people.risk, session.id, {own: "pass"}) == 0
