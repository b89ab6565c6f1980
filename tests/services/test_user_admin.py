"""The administrator manages users: each change audited with before and after, every bad value named, what
would leave a required group (or the administrators) without an active member refused, other roles refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotAuthorized
from app.extensions import db
from app.models import AuditEvent, User
from app.services.admin import membership, user_admin, users
from app.services.approval import qualifications
from tests.factories import PASSWORD


def last(event_type: str) -> AuditEvent:
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.id.desc())
    ).first()
    assert row is not None, f"no {event_type} event"
    return row


def form(**values) -> dict[str, str]:
    base = {
        "username": "chen.jing",
        "display_name": "陈静",
        "role": "officer",
        "branch": "shanghai",
        "email": "chen@bank.cn",
        "authority_level": "",
    }
    return {**base, **values}


def test_the_administrator_creates_a_user_who_must_choose_a_password(deployed, people):
    user, shown = user_admin.create(people.admin, form(role="approver", authority_level="2"), ["committee"])
    assert shown and len(shown) >= 10 and user.must_change_password
    assert (user.display_name, user.branch, user.email, user.authority_level, user.group_codes) == (
        "陈静",
        "shanghai",
        "chen@bank.cn",
        2,
        {"approver", "committee"},
    )
    created = last("user.created")
    assert created.actor_name == "admin" and created.payload["before"] is None
    assert created.payload["after"]["groups"] == ["approver", "committee"] and shown not in str(
        created.payload
    )
    assert users.authenticate("chen.jing", shown).username == "chen.jing"
    typed, none_shown = user_admin.create(
        people.admin, form(username="he.ping", password="Typed-pass-2026"), []
    )
    assert none_shown is None and typed.must_change_password


def test_a_user_changes_the_password_the_administrator_set(deployed, people):
    user, shown = user_admin.create(people.admin, form(password="Temporary-2026"), [])
    assert user.must_change_password
    for current, new, repeated, field in [
        ("wrong-password", "My-own-pass-77", "My-own-pass-77", "current"),
        ("Temporary-2026", "short", "short", "new"),
        ("Temporary-2026", "My-own-pass-77", "My-own-pass-78", "repeated"),
        ("Temporary-2026", "Temporary-2026", "Temporary-2026", "new"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            users.change_own_password(user, current, new, repeated)
        assert field in caught.value.errors
    users.change_own_password(user, "Temporary-2026", "My-own-pass-77", "My-own-pass-77")
    assert not user.must_change_password and users.authenticate("chen.jing", "My-own-pass-77")
    changed = last("user.password_changed")
    assert changed.actor_name == "chen.jing" and changed.payload["before"] == {"must_change_password": True}
    assert changed.payload["after"] == {"must_change_password": False} and "My-own" not in str(
        changed.payload
    )


def test_a_profile_change_is_audited_with_only_what_changed(deployed, people):
    user_admin.update_profile(
        people.admin,
        people.approver2.id,
        {"display_name": "刘二", "email": "liu@bank.cn", "branch": "head_office", "authority_level": "3"},
    )
    changed = last("user.updated")
    assert changed.payload == {
        "target": "approver2",
        "before": {"display_name": "approver2", "email": None, "authority_level": 2},
        "after": {"display_name": "刘二", "email": "liu@bank.cn", "authority_level": 3},
    }
    assert people.approver2.authority_level == 3


def test_an_officers_team_is_set_changed_and_cleared_audited(deployed, people):
    user, _shown = user_admin.create(people.admin, form(team=" 对公一部 "), [])
    assert user.team == "对公一部" and last("user.created").payload["after"]["team"] == "对公一部"
    good = {"display_name": "陈静", "email": "chen@bank.cn", "branch": "shanghai", "authority_level": ""}
    user_admin.update_profile(people.admin, user.id, {**good, "team": "对公二部"})
    assert last("user.updated").payload["before"] == {"team": "对公一部"}
    user_admin.update_profile(people.admin, user.id, {**good, "team": ""})
    assert user.team is None and last("user.updated").payload["after"] == {"team": None}
    assert user_admin.choices(people.admin).teams == []
    for bad in ("t" * 65, "对公\x00一部"):
        with pytest.raises(InvalidInput) as caught:
            user_admin.update_profile(people.admin, user.id, {**good, "team": bad})
        assert "team" in caught.value.errors


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "a\x00b"}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"email": "not an address"}, "email"),
        ({"email": "a@b\x00.cn"}, "email"),
        ({"branch": "上海"}, "branch"),
        ({"branch": "b" * 65}, "branch"),
        ({"authority_level": "x"}, "authority_level"),
        ({"authority_level": "0"}, "authority_level"),
        ({"authority_level": "99999999999999999999"}, "authority_level"),
        ({"authority_level": ""}, "authority_level"),  # an approver needs one
    ],
)
def test_a_bad_profile_value_is_refused_naming_its_field_and_nothing_changes(deployed, people, values, field):
    good = {"display_name": "approver2", "email": "", "branch": "head_office", "authority_level": "2"}
    with pytest.raises(InvalidInput) as caught:
        user_admin.update_profile(people.admin, people.approver2.id, {**good, **values})
    assert field in caught.value.errors
    db.session.expire_all()
    assert (people.approver2.display_name, people.approver2.authority_level) == ("approver2", 2)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"username": "bad name"}, "username"),
        ({"username": "x\x00"}, "username"),
        ({"username": "u" * 65}, "username"),
        ({"username": "officer"}, "username"),  # taken
        ({"role": "king"}, "role"),
        ({"role": "approver"}, "authority_level"),
        ({"password": "short"}, "password"),
        ({"password": "chen.jing-2026"}, "password"),  # the user name
        ({"password": "password123"}, "password"),  # common
        ({"password": "aaaaaaaaaaaa"}, "password"),
    ],
)
def test_a_bad_new_user_is_refused_naming_its_field(deployed, people, values, field):
    with pytest.raises(InvalidInput) as caught:
        user_admin.create(people.admin, form(**values), [])
    assert field in caught.value.errors
    assert db.session.scalar(select(User.id).where(User.username == "chen.jing")) is None


def test_role_and_groups_change_is_audited_and_an_unknown_group_refused(deployed, people):
    user_admin.set_role_and_groups(people.admin, people.officer2.id, "risk_manager", ["committee"])
    changed = last("user.membership_changed")
    assert changed.payload["before"] == {"role": "officer", "groups": ["officer"]}
    assert changed.payload["after"] == {"role": "risk_manager", "groups": ["committee", "risk_manager"]}
    with pytest.raises(InvalidInput) as caught:
        user_admin.set_role_and_groups(people.admin, people.officer2.id, "officer", ["board"])
    assert "board" in caught.value.errors["groups"]
    with pytest.raises(InvalidInput) as caught:
        user_admin.set_role_and_groups(people.admin, people.officer2.id, "approver", [])
    assert set(caught.value.errors) == {"role"}
    db.session.expire_all()
    assert people.officer2.group_codes == {"committee", "risk_manager"}


def test_deactivation_and_reactivation_are_audited_and_a_deactivated_user_cannot_log_in(deployed, people):
    token, session_id = users.issue_token("officer2"), people.officer2.get_id()
    assert users.signed_in_user(session_id) == people.officer2
    user_admin.set_active(people.admin, people.officer2.id, False)
    assert last("user.deactivated").payload == {
        "target": "officer2",
        "before": {"active": True},
        "after": {"active": False},
    }
    with pytest.raises(NotAuthorized):
        users.authenticate("officer2", PASSWORD)
    assert users.user_for_token(token) is None and users.signed_in_user(session_id) is None
    assert db.session.get(User, people.officer2.id) is not None  # never deleted
    user_admin.set_active(people.admin, people.officer2.id, True)
    assert last("user.reactivated").payload["after"] == {"active": True}
    assert users.authenticate("officer2", PASSWORD).username == "officer2"
    assert users.signed_in_user(session_id) is None  # reactivation does not revive the sessions it ended


def test_a_password_reset_is_temporary_and_audited_without_the_password(deployed, people):
    shown = user_admin.reset_password(people.admin, people.officer2.id, None)
    assert shown and users.authenticate("officer2", shown) and people.officer2.must_change_password
    with pytest.raises(NotAuthorized):
        users.authenticate("officer2", PASSWORD)
    reset = last("user.password_reset")
    assert reset.payload == {
        "target": "officer2",
        "generated": True,
        "before": {"must_change_password": False},
        "after": {"must_change_password": True},
    }
    assert user_admin.reset_password(people.admin, people.officer2.id, "Chosen-by-admin-1") is None
    for bad in ("short", "officer2-2026!", "qwertyuiop", "x\x00" * 6):
        with pytest.raises(InvalidInput) as caught:
            user_admin.reset_password(people.admin, people.officer2.id, bad)
        assert "password" in caught.value.errors
    assert users.authenticate("officer2", "Chosen-by-admin-1")


def test_a_qualification_is_audited_with_the_expiry_before_and_after(deployed, people):
    user_admin.record_qualification(people.admin, people.approver3.id, "CQ-2031", "2031-12-31")
    recorded = last("qualification.recorded")
    assert recorded.payload["before"] == {"valid_until": "2099-12-31"}
    assert recorded.payload["after"] == {"valid_until": "2099-12-31"}  # the later certificate still counts
    assert recorded.payload["certificate"] == "CQ-2031"
    for certificate, until, field in [
        ("", "2031-01-01", "certificate"),
        ("C\x00", "2031-01-01", "certificate"),
        ("C" * 101, "2031-01-01", "certificate"),
        ("CQ", "31/12/2031", "valid_until"),
        ("CQ", "9999-12-31", "valid_until"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            user_admin.record_qualification(people.admin, people.approver3.id, certificate, until)
        assert field in caught.value.errors


def test_the_last_active_member_of_a_required_group_stays(deployed, people):
    """compliance is a lane of compliance_signoff and audit_sampling; cro holds the committee's veto
    (rules/committee_rules.dmn); committee is a lane of credit_application; admin runs the system."""
    with pytest.raises(Conflict) as caught:
        user_admin.set_active(people.admin, people.compliance.id, False)
    assert "compliance" in caught.value.message and "audit_sampling" in caught.value.message
    with pytest.raises(Conflict) as caught:
        user_admin.set_role_and_groups(people.admin, people.cro.id, "risk_manager", ["committee"])
    assert "cro" in caught.value.message and "committee_rules" in caught.value.message
    user_admin.set_active(people.admin, people.member1.id, False)
    user_admin.set_active(people.admin, people.member2.id, False)
    with pytest.raises(Conflict) as caught:
        user_admin.set_role_and_groups(people.admin, people.cro.id, "risk_manager", ["cro"])
    assert "committee" in caught.value.message
    with pytest.raises(Conflict) as caught:
        user_admin.set_role_and_groups(people.admin, people.admin.id, "officer", [])
    assert caught.value.details == {"field": "role"} and "admin" in caught.value.message
    db.session.expire_all()
    assert people.compliance.active and people.cro.group_codes == {"risk_manager", "committee", "cro"}
    assert people.admin.role == "admin"
    # a group no deployed process needs can empty; and an already empty one blocks nothing else
    user_admin.set_active(people.admin, people.designer.id, False)
    user_admin.set_role_and_groups(people.admin, people.officer2.id, "officer", ["committee"])


def test_the_last_active_administrator_cannot_be_deactivated(deployed, people):
    second, _ = users.create_user("admin2", "admin", "Second-admin-2026")
    with pytest.raises(InvalidInput):  # not themselves
        user_admin.set_active(people.admin, people.admin.id, False)
    user_admin.set_active(second, people.admin.id, False)
    with pytest.raises(Conflict) as caught:
        user_admin.set_role_and_groups(second, second.id, "officer", [])
    assert caught.value.details == {"field": "role"} and "admin" in caught.value.message


@pytest.mark.parametrize("username", ["officer", "approver3", "risk", "compliance", "designer"])
def test_every_other_role_is_refused_by_every_change(deployed, people, username):
    actor = getattr(people, username)
    target = people.officer2.id
    calls = [
        lambda: user_admin.list_users(actor, user_admin.UserFilter()),
        lambda: user_admin.user_page(actor, target),
        lambda: user_admin.choices(actor),
        lambda: user_admin.create(actor, form(), []),
        lambda: user_admin.update_profile(actor, target, {"display_name": "x", "branch": "head_office"}),
        lambda: user_admin.set_role_and_groups(actor, target, "admin", []),
        lambda: user_admin.set_active(actor, target, False),
        lambda: user_admin.reset_password(actor, target, None),
        lambda: user_admin.record_qualification(actor, target, "CQ-1", "2030-01-01"),
        lambda: qualifications.record(actor, "officer2", "CQ-1", "2030-01-01"),
        lambda: users.create_user("intruder", "admin", "Intruder-2026!", actor=actor),
    ]
    for call in calls:
        with pytest.raises(NotAuthorized):
            call()
    db.session.expire_all()
    assert people.officer2.active and people.officer2.role == "officer"
    assert db.session.scalar(select(User.id).where(User.username.in_(["intruder", "chen.jing"]))) is None


def test_the_users_list_filters_by_role_group_branch_status_and_name(deployed, people):
    user_admin.set_active(people.admin, people.officer2.id, False)

    def names(**args) -> list[str]:
        return sorted(
            u.username
            for u in user_admin.list_users(people.admin, user_admin.UserFilter.from_args(args)).rows
        )

    assert "officer2" not in names() and names(status="deactivated") == ["officer2"]
    assert "officer2" in names(status="all")
    assert names(role="approver") == ["approver1", "approver2", "approver3", "member1", "member2"]
    assert names(group="committee") == ["cro", "member1", "member2"]
    assert names(q="APPROVER2") == ["approver2"] and names(q="%") == [] and names(branch="shanghai") == []
    for bad in ({"role": "king"}, {"status": "gone"}, {"q": "a\x00"}, {"q": "x" * 101}):
        with pytest.raises(InvalidInput) as caught:
            user_admin.UserFilter.from_args(bad)
        assert set(caught.value.errors) == set(bad)


def test_every_change_of_who_may_act_goes_through_one_commit_point(deployed, people, monkeypatch):
    """So that whatever must follow such a change (cases waiting for a qualified member) has one place."""
    seen = []
    real = membership.commit_change
    monkeypatch.setattr(membership, "commit_change", lambda *a, **k: (seen.append(a[2]), real(*a, **k))[1])
    user, _ = user_admin.create(people.admin, form(), [])
    user_admin.set_role_and_groups(people.admin, user.id, "officer", ["committee"])
    user_admin.set_active(people.admin, user.id, False)
    user_admin.set_active(people.admin, user.id, True)
    qualifications.record(people.admin, user.username, "CQ-1", "2030-01-01")
    assert seen == [
        "user.created",
        "user.membership_changed",
        "user.deactivated",
        "user.reactivated",
        "qualification.recorded",
    ]
