"""Who may read, attach and delete documents (资料): one place for the rule.

- **Read** (list, open, download): whoever may read the customer or the case the document is about — officers,
  approvers, risk managers and compliance. Administrators and designers read no documents: identity papers
  and statements are not theirs to see, though administrators open customer and case pages.
- **Attach**: to a customer, its own officer (客户经理); to a case or one of its warnings, the officers who work
  it (opened it, did or hold one of its steps, or are its customer's officer); anywhere, risk managers and
  compliance (compliance attaches evidence for its checklist).
- **Delete** (soft, with a reason): whoever attached it, or a risk manager.
- **Deleted documents** stay listed, marked, for compliance and risk managers (who deleted, when, why); for
  everyone else they are gone (404).

Refusals are ``NotAuthorized`` (403), for the pages and the API alike.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from app.errors import Conflict, NotAuthorized, NotFound
from app.extensions import db
from app.models import Attachment, Customer, HumanTask, ProcessInstance, User
from app.services.cases import cases
from app.services.customers.master import customers

READERS = frozenset({"officer", "approver", "risk_manager", "compliance"})
ATTACH_ANYWHERE = frozenset({"risk_manager", "compliance"})
DELETE_ANY = frozenset({"risk_manager"})
SEE_DELETED = frozenset({"risk_manager", "compliance"})


def may_read(user: User) -> bool:
    return user.role in READERS


def check_read(user: User) -> None:
    if not may_read(user):
        raise NotAuthorized(_("Your role may not read attached documents."))


def may_see_deleted(user: User) -> bool:
    return user.role in SEE_DELETED


def may_attach_to_customer(user: User, customer: Customer) -> bool:
    return user.role in ATTACH_ANYWHERE or (user.role == "officer" and customer.officer_id == user.id)


def may_attach_to_case(user: User, instance: ProcessInstance) -> bool:
    if user.role in ATTACH_ANYWHERE:
        return True
    return user.role == "officer" and _works_on(user, instance)


def _works_on(user: User, instance: ProcessInstance) -> bool:
    """Opened the case, is its customer's officer, did or holds one of its steps, or may take its open one."""
    if instance.started_by_id == user.id:
        return True
    if (
        instance.customer_id is not None
        and db.session.scalar(select(Customer.officer_id).where(Customer.id == instance.customer_id))
        == user.id
    ):
        return True
    mine = or_(
        HumanTask.completed_by_id == user.id,
        HumanTask.assignee_id == user.id,
        (HumanTask.state == "ready")
        & HumanTask.assignee_id.is_(None)
        & HumanTask.lane.in_(sorted(user.group_codes) or [""]),
    )
    return bool(db.session.scalar(select(exists().where(HumanTask.instance_id == instance.id, mine))))


def may_delete(user: User, attachment: Attachment) -> bool:
    return attachment.deleted_at is None and (attachment.uploaded_by_id == user.id or user.role in DELETE_ANY)


def readable_customer(user: User, customer_id: int) -> Customer:
    """The customer whose documents ``user`` asks for (403 for a role that may not read them, 404 for none)."""
    check_read(user)
    return customers.get_customer(user, customer_id)


def readable_case(user: User, case_id: int) -> ProcessInstance:
    check_read(user)
    return cases.get_case(user, case_id)


def customer_to_attach(user: User, customer_id: int) -> Customer:
    customer = readable_customer(user, customer_id)
    if not may_attach_to_customer(user, customer):
        raise NotAuthorized(
            _(
                "Only the customer's officer, a risk manager or compliance may attach documents "
                "to this customer."
            )
        )
    return customer


def case_to_attach(user: User, case_id: int) -> ProcessInstance:
    instance = readable_case(user, case_id)
    if not may_attach_to_case(user, instance):
        raise NotAuthorized(
            _(
                "Only the officers who work this case, a risk manager or compliance may attach "
                "documents to it."
            )
        )
    return instance


def readable(user: User, attachment_id: int) -> Attachment:
    """The document, when ``user`` may read it; a deleted one only for those who see deleted documents."""
    check_read(user)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or (attachment.deleted_at is not None and not may_see_deleted(user)):
        raise NotFound(_("No document %(id)s.", id=attachment_id))
    return attachment


def deletable(user: User, attachment_id: int) -> Attachment:
    attachment = readable(user, attachment_id)
    if attachment.deleted_at is not None:
        raise Conflict(_("Document %(id)s was deleted already.", id=attachment_id))
    if not may_delete(user, attachment):
        raise NotAuthorized(_("Only whoever attached a document, or a risk manager, may delete it."))
    return attachment
