"""A case nobody may act on waits in a clear state, the administrators are told, and it goes on by itself
once someone may: a committee with no member who may vote (it once looped until "the path ran more than 900
steps"), a sign-off no qualified approver of its level may do, a task whose assignee may no longer do it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from app.extensions import db
from app.localtime import local_today
from app.models import (
    APPROVAL_COURSE,
    AuditEvent,
    Course,
    HumanTask,
    Notification,
    OutboxMail,
    ProcessInstance,
    StaffingGap,
    TrainingCompletion,
)
from app.services.admin import user_admin, users
from app.services.approval import qualifications, staffing
from app.services.cases import cases, delegation, tasks
from app.services.notifications import messages
from tests.factories import PASSWORD, case_routed, compliance_sign_off, damage_state, open_task

COMMITTEE = ("member1", "member2", "cro")
APPROVERS = ("approver1", "approver2", "approver3", "member1", "member2")


@pytest.fixture
def admin_mail(people):
    admin = people.admin
    user_admin.update_profile(
        admin,
        admin.id,
        {
            "display_name": admin.display_name,
            "email": "admin@bank.cn",
            "branch": admin.branch,
            "authority_level": "",
        },
    )
    return people.admin


def unqualify(*usernames: str) -> None:
    """A fresh install: nobody of these holds a qualification yet."""
    ids = [users.get_by_username(u).id for u in usernames]
    db.session.execute(
        delete(TrainingCompletion).where(
            TrainingCompletion.user_id.in_(ids),
            TrainingCompletion.course_id
            == select(Course.id).where(Course.code == APPROVAL_COURSE).scalar_subquery(),
        )
    )
    db.session.commit()


def ready(instance_id: int, spec: str) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
            )
        )
    )


def events(kind: str, instance_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == kind, AuditEvent.instance_id == instance_id)
        )
    )


def told(kind: str, instance_id: int) -> list[str]:
    return sorted(
        n.user.username
        for n in db.session.scalars(
            select(Notification).where(Notification.kind == kind, Notification.instance_id == instance_id)
        )
    )


def test_a_committee_nobody_may_vote_on_waits_tells_the_administrators_and_votes_once_someone_qualifies(
    deployed, people, admin_mail
):
    unqualify(*COMMITTEE)
    case = case_routed("committee", people.officer)  # once: ProcessFailed, "more than 900 steps ... a loop?"
    db.session.refresh(case)
    assert case.status == "running" and ready(case.id, "committee_vote") == []
    assert case.current_step == "A committee member who may vote / 可表决的贷审会委员"
    [waiting] = staffing.of_case(case.id)
    assert (waiting.gap.element, waiting.gap.lane, waiting.gap.reason) == (
        "wait_for_members",
        "committee",
        "nobody",
    )
    with force_locale("en"):
        assert (
            "the administrator must add a member to the committee group or record a qualification"
            in staffing.explain(waiting.gap)
        )
    assert told("unstaffed", case.id) == ["admin"] and len(events("staffing.short", case.id)) == 1
    note = db.session.scalar(select(Notification).where(Notification.kind == "unstaffed"))
    assert "no qualified committee member" in messages.message(note, "en").lower()
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "admin@bank.cn"))
    assert mail is not None and "贷审会" in mail.body and f"/cases/{case.id}" in mail.body
    assert [w.gap.id for w in tasks.my_tasks(people.admin).waiting] == [waiting.gap.id]
    assert [w.gap.id for w in tasks.my_tasks(people.officer).waiting] == [waiting.gap.id]  # their case
    assert tasks.my_tasks(people.officer2).waiting == []

    assert staffing.recheck().resumed == []  # still nobody: it keeps waiting, nobody is told twice
    assert told("unstaffed", case.id) == ["admin"]

    qualifications.record(people.admin, "member1", "CQ-2026-0001", "2099-12-31")  # resumes by itself
    db.session.refresh(case)
    [vote] = ready(case.id, "committee_vote")
    assert vote.assignee_id == people.member1.id and vote.id in [
        t.id for t in tasks.sign_off_inbox(people.member1).rows
    ]
    assert "member1" in told("new", case.id)
    assert staffing.of_case(case.id) == [] and len(events("staffing.restored", case.id)) == 1
    assert db.session.get(StaffingGap, waiting.gap.id).closed_at is not None
    tasks.complete(people.member1, vote.id, {"decision": "approve", "comment": "同意"})
    db.session.refresh(case)
    assert case.summary["committee_result"] == "approved" and case.summary["committee"]["members"] == 1
    compliance_sign_off(case, people.compliance)
    assert (case.status, case.outcome) == ("completed", "approved")


def unstaffed_notes() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.kind == "unstaffed")
    )


def test_cases_waiting_for_the_same_missing_committee_tell_the_administrators_once_and_name_their_cause(
    deployed, people, client, login
):
    unqualify(*COMMITTEE)  # members, none of them qualified
    user_admin.set_role_and_groups(people.admin, people.officer.id, "officer", ["officer", "committee"])
    qualifications.record(
        people.admin, "officer", "CQ-2026-0009", "2099-12-31"
    )  # qualified, but the applicant
    first = case_routed("committee", people.officer, 1)
    second = case_routed("committee", people.officer, 2)
    assert [len(staffing.of_case(c.id)) for c in (first, second)] == [1, 1]
    assert (
        len(events("staffing.short", first.id)) == len(events("staffing.short", second.id)) == 1
    )  # each case audited
    assert unstaffed_notes() == 1 and told("unstaffed", first.id) == ["admin"]  # one need: told once
    assert staffing.recheck().resumed == [] and unstaffed_notes() == 1  # still unmet: not told again

    [waiting] = staffing.of_case(second.id)
    with force_locale("en"):
        why = staffing.explain(waiting.gap)
    assert why.startswith("No active member of the credit committee may vote on this case (")
    assert f"{people.officer.display_name} opened or worked this case, so may not decide it" in why
    assert all(getattr(people, m).display_name in why.split("opened or worked")[1] for m in COMMITTEE)
    assert "hold no valid approval qualification" in why
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = login("admin").get(f"/cases/{second.id}").get_data(as_text=True)
    assert "No active member of the credit committee may vote on this case" in page
    assert "opened or worked this case, so may not decide it" in page

    # a sign-off nobody of its level may do is another need: told once more, with its own cause
    unqualify(*APPROVERS)
    signoff_case = case_routed("single", people.officer, 3)
    assert unstaffed_notes() == 2 and told("unstaffed", signoff_case.id) == ["admin"]
    [signoff_gap] = staffing.of_case(signoff_case.id)
    with force_locale("en"):
        assert staffing.explain(signoff_gap.gap).startswith(
            "No approver with authority level 1 or above may sign this off ("
        )

    for member in COMMITTEE:  # the need is met: both cases vote
        qualifications.record(people.admin, member, f"CQ-2026-{member}", "2099-12-31")
    assert all(ready(c.id, "committee_vote") for c in (first, second))
    assert staffing.of_case(first.id) == staffing.of_case(second.id) == []


def test_a_member_added_to_the_committee_resumes_the_waiting_case(deployed, people):
    unqualify(*COMMITTEE)
    case = case_routed("committee", people.officer)
    qualifications.record(
        people.admin, "approver3", "CQ-2026-0003", "2099-12-31"
    )  # not a member: still waiting
    assert ready(case.id, "committee_vote") == [] and len(staffing.of_case(case.id)) == 1
    users.create_user(
        "zhao", "approver", PASSWORD, authority_level=3, groups=("committee",), actor=people.admin
    )
    assert ready(case.id, "committee_vote") == []  # a member, but not qualified yet
    qualifications.record(people.admin, "zhao", "CQ-2026-0004", "2099-12-31")
    assert [t.assignee.username for t in ready(case.id, "committee_vote")] == ["zhao"]


def test_a_sign_off_no_qualified_approver_may_do_shows_why_and_reaches_the_first_who_qualifies(
    deployed, people, admin_mail
):
    unqualify(*APPROVERS)
    case = case_routed("single", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    assert all(
        signoff.id not in [t.id for t in tasks.my_tasks(users.get_by_username(u)).rows] for u in APPROVERS
    )
    [waiting] = staffing.of_case(case.id)
    assert (waiting.gap.task_id, waiting.gap.lane, waiting.gap.required_level) == (signoff.id, "approver", 1)
    with force_locale("en"):
        assert "No approver with authority level 1 or above may sign this off" in staffing.explain(
            waiting.gap
        )
        assert "hold no valid approval qualification" in staffing.explain(waiting.gap)
    assert told("unstaffed", case.id) == ["admin"] and told("new", case.id) == []

    qualifications.record(people.admin, "approver2", "CQ-2026-0002", "2099-12-31")
    assert told("new", case.id) == ["approver2"]  # told it waits for them now
    assert [t.id for t in tasks.sign_off_inbox(people.approver2).rows] == [signoff.id]
    assert staffing.of_case(case.id) == []
    tasks.complete(people.approver2, signoff.id, {"decision": "approve"})


def test_a_lapsed_qualification_is_found_by_the_beat_recheck_and_told_once(deployed, people):
    case = case_routed("single", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    assert staffing.of_case(case.id) == []
    for username in APPROVERS:
        db.session.execute(
            TrainingCompletion.__table__.update()
            .where(
                TrainingCompletion.user_id == users.get_by_username(username).id,
                TrainingCompletion.certificate.is_not(None),  # the approval qualification's passes
            )
            .values(valid_until=local_today())
        )
    db.session.commit()
    with time_machine.travel(local_today() + timedelta(days=2)):
        done = staffing.recheck()
        assert done.opened == [signoff.id] and told("unstaffed", case.id) == ["admin"]
        assert staffing.recheck().opened == [] and told("unstaffed", case.id) == ["admin"]


def test_a_task_whose_assignee_may_no_longer_do_it_is_shown_and_closes_when_reassigned(deployed, people):
    case = case_routed("committee", people.officer)
    vote = db.session.scalar(
        select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.assignee_id == people.member2.id)
    )
    unqualify("member2")  # their certificate withdrawn mid-vote: the committee would wait for ever
    done = staffing.recheck()
    assert done.opened == [vote.id]
    [waiting] = staffing.of_case(case.id)
    assert waiting.gap.reason == "assignee" and waiting.gap.assignee_id == people.member2.id
    users.create_user(
        "member3", "approver", PASSWORD, authority_level=2, groups=("committee",), actor=people.admin
    )
    qualifications.record(people.admin, "member3", "CQ-TEST-member3", "2099-12-31")
    delegation.reassign(people.admin, vote.id, "member3")
    assert staffing.of_case(case.id) == []


def test_the_recheck_job_runs_from_beat(deployed, people, app, jobs_here):
    from app.jobs.staffing import recheck

    unqualify(*APPROVERS)
    case = case_routed("single", people.officer)
    db.session.add(
        TrainingCompletion(
            user_id=people.approver1.id,
            course_id=db.session.scalar(select(Course.id).where(Course.code == APPROVAL_COURSE)),
            completed_on=local_today(),
            result="pass",
            certificate="CQ-1",
            valid_until=local_today(),
        )
    )
    db.session.commit()  # recorded behind the service's back: only the beat job notices
    assert recheck.delay().get() >= 1
    assert staffing.of_case(case.id) == [] and told("new", case.id) == ["approver1"]


def test_nothing_waits_when_someone_may_act(deployed, people):
    case = cases.start_case(people.officer, "credit_application")
    assert db.session.scalar(select(func.count()).select_from(StaffingGap)) == 0
    assert db.session.get(ProcessInstance, case.id).current_step


def test_one_unreadable_case_waiting_for_people_fails_alone_and_the_others_resume(deployed, people):
    """Each case on its own: one whose stored state cannot be read is recorded (``engine.error``) and keeps
    waiting; the others go on, and the administrator's change that set off the re-check is saved."""
    unqualify(*COMMITTEE)
    broken = case_routed("committee", people.officer, 1)
    other = case_routed("committee", people.officer, 2)
    damage_state(broken.id)
    for member in COMMITTEE:
        qualifications.record(people.admin, member, f"CQ-2026-{member}", "2099-12-31")
    staffing.recheck()
    assert ready(other.id, "committee_vote") and staffing.of_case(other.id) == []
    assert ready(broken.id, "committee_vote") == [] and len(staffing.of_case(broken.id)) == 1
    assert "stored state cannot be read" in events("engine.error", broken.id)[0].payload["reason"]
