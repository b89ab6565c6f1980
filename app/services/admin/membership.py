"""Who may do what: the groups there are, the groups the deployed processes need, and the one place a
change of a user's groups, role, activation or qualification is committed.

Every such change — a user created, deactivated or reactivated, a role or groups changed, a
qualification recorded, from the Settings pages or the command line — ends in ``commit_change``: it
refuses what would leave a required group (or the administrators) without an active member, writes the
audit row with before and after, and commits. Whatever must follow a change of who may act belongs there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import engine
from app.errors import Conflict
from app.extensions import db
from app.models import ProcessDefinition, ProcessInstance, User, UserGroup
from app.services.approval import eligibility, staffing
from app.services.audit import audit
from app.services.design.deployment import deployment
from app.services.shared.unit_of_work import unit_of_work

ADMIN_ROLE = "admin"
VETO_OUTPUT = "veto_group"  # the committee rules' output naming the group that holds the veto
_MEMBERS_OF = re.compile(r"""members_of\(\s*(?:"|'|&quot;|&apos;)([\w.-]+)""")
_STRING = re.compile(r'^\s*"([\w.-]+)"\s*$')
_CHECK_LOCK = 7301002  # beside the audit chain's 7301001


def known_groups() -> list[str]:
    """The groups an administrator can give: the roles' and the committee's, and every group a deployed
    process needs (deployment refuses a lane that is none of these), and any group someone is in."""
    return sorted(deployment.known_groups() | set(required_groups()))


def _definitions_in_use() -> list[ProcessDefinition]:
    """The latest version of each process and every version a running case is on."""
    latest = select(func.max(ProcessDefinition.id)).group_by(ProcessDefinition.process_id)
    running = select(ProcessInstance.definition_id).where(ProcessInstance.status == "running").distinct()
    return list(
        db.session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.id.in_(latest) | ProcessDefinition.id.in_(running))
            .order_by(ProcessDefinition.id)
        )
    )


def required_groups() -> dict[str, str]:
    """Each group a deployed process needs someone in, with the reason (the first found): a lane of one of
    its user tasks, a group its scripts call on (``members_of("committee")``), or the group the committee
    rules give the veto."""
    needs: dict[str, str] = {}
    for definition in _definitions_in_use():
        bundle = deployment.bundle_for(definition)
        for meta in bundle.user_tasks.values():
            if meta.lane:
                needs.setdefault(
                    meta.lane, _("a lane of the process %(process)s", process=definition.process_id)
                )
        for xml in [definition.bpmn_xml, *(definition.called_files or {}).values()]:
            for group in _MEMBERS_OF.findall(xml):
                needs.setdefault(
                    group, _("the process %(process)s calls on its members", process=definition.process_id)
                )
        for table, group in _veto_grants(bundle):
            needs.setdefault(group, _("the committee rules (%(table)s) give it the veto", table=table))
    return needs


def _veto_grants(bundle: engine.Bundle) -> list[tuple[str, str]]:
    """(table, group) for each group a deployed table's rule gives the veto (its ``veto_group`` output)."""
    grants = []
    for _filename, decision in bundle.decisions.values():
        for column, output in enumerate(decision.outputs):
            if output.name != VETO_OUTPUT:
                continue
            for rule in decision.rules:
                named = _STRING.match(rule.output_entries[column].text)
                if named:
                    grants.append((decision.id, named.group(1)))
    return grants


def veto_groups() -> set[str]:
    """The groups the committee rules in use give the veto: the source the vote form offers it from (its
    ``"=veto_group"`` option reads the case's output of those rules), so no group holds it by code."""
    return {
        group
        for definition in _definitions_in_use()
        for _table, group in _veto_grants(deployment.bundle_for(definition))
    }


def powers_of(user: User) -> eligibility.Powers:
    """What ``user`` may decide, the veto as the committee rules in use give it."""
    return eligibility.powers_of(user, veto_groups())


@dataclass(frozen=True)
class Standing:
    """What a user may do, as the checks compare it before and after a change."""

    active: bool
    role: str
    groups: frozenset[str]

    @classmethod
    def of(cls, user: User) -> Standing:
        return cls(bool(user.active), user.role, frozenset(user.group_codes))

    @property
    def acting_groups(self) -> frozenset[str]:
        return self.groups if self.active else frozenset()

    @property
    def acting_admin(self) -> bool:
        return self.active and self.role == ADMIN_ROLE


def _others_active_in(group: str, user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(UserGroup)
            .join(User, User.id == UserGroup.user_id)
            .where(UserGroup.group_code == group, User.active.is_(True), User.id != user.id)
        )
        or 0
    )


def _other_active_admins(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == ADMIN_ROLE, User.active.is_(True), User.id != user.id)
        )
        or 0
    )


def check_staffed(user: User, was: Standing) -> None:
    """Refuse (409, naming the group and why it is needed) a change after which a required group that had
    an active member has none, or no active administrator is left."""
    now = Standing.of(user)
    if was.acting_admin and not now.acting_admin and _other_active_admins(user) == 0:
        raise Conflict(
            _(
                "%(user)s is the last active administrator: make someone else an administrator first.",
                user=user.username,
            ),
            field="role",
        )
    lost = was.acting_groups - now.acting_groups
    if not lost:
        return
    required = required_groups()
    for group in sorted(lost & set(required)):
        if _others_active_in(group, user) == 0:
            raise Conflict(
                _(
                    "%(user)s is the last active member of the group %(group)s, which is required "
                    "(%(reason)s): add someone to %(group)s first.",
                    user=user.username,
                    group=group,
                    reason=required[group],
                ),
                field="groups",
            )


def _serialize_checks() -> None:
    """Two administrators removing the last two members of a group at once must not both pass the check.
    On PostgreSQL a transaction-scoped lock makes the second wait and then count what the first committed;
    SQLite's flush has already taken the database's write lock, which does the same."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_CHECK_LOCK)))


def commit_change(
    actor: User | None,
    user: User,
    event_type: str,
    *,
    was: Standing | None,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    **payload: Any,
) -> None:
    """Commit a change of ``user``'s groups, role, activation or qualification (already applied to the
    session): checked against the required groups (``was`` is the standing before; None for a new user),
    audited as ``event_type`` with ``before`` and ``after``. Rolls back on a refusal."""
    with unit_of_work():
        db.session.flush()
        if was is not None:
            _serialize_checks()
            check_staffed(user, was)
        audit.record(event_type, actor, target=user.username, before=before, after=after, **payload)
    staffing.recheck(
        actor
    )  # a case waiting for someone who may act goes on; a task nobody may do is reported
