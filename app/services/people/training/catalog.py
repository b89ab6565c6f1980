"""The course catalogue (课程): code, titles in both languages, topic, hours and how many months a pass stays
valid. The four courses the bank's policy names (``STANDARD``) are created when first needed — the approval
qualification is recorded before anyone opened the catalogue — and kept like any other after that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.models import APPROVAL_COURSE, KYC_COURSE, Course, User
from app.services.audit import audit
from app.services.people.training import fields
from app.services.people.training.rights import check_keeper
from app.services.shared.unit_of_work import unit_of_work

TOPICS = {
    "compliance": _l("Compliance"),
    "credit": _l("Credit approval"),
    "risk": _l("Risk classification"),
    "post_loan": _l("Post-loan management"),
    "other": _l("Other"),
}
MAX_HOURS, MAX_MONTHS = 999, 120
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,39}")
# code: (title zh, title en, topic, hours, months valid)
STANDARD: dict[str, tuple[str, str, str, str, int]] = {
    KYC_COURSE: ("反洗钱与客户身份识别", "AML and know-your-customer", "compliance", "8", 12),
    APPROVAL_COURSE: ("授信审批资格", "Credit approval qualification", "credit", "24", 24),
    "FIVE_CATEGORY": ("五级分类", "Five-category loan classification", "risk", "6", 24),
    "POST_LOAN": ("贷后管理", "Post-loan management", "post_loan", "6", 24),
}


def ensure(code: str) -> Course:
    """The course ``code``, created from ``STANDARD`` when missing (flushed, in the caller's transaction)."""
    course = by_code(code)
    if course is not None:
        return course
    if code not in STANDARD:
        raise NotFound(_("No course %(code)s.", code=code))
    zh, en, topic, hours, months = STANDARD[code]
    course = Course(
        code=code, title_zh=zh, title_en=en, topic=topic, hours=Decimal(hours), validity_months=months
    )
    db.session.add(course)
    db.session.flush()
    return course


def by_code(code: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.code == code))


def get(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("No such course."))
    return course


def listing(active_only: bool = False) -> list[Course]:
    query = select(Course).order_by(Course.active.desc(), Course.code)
    if active_only:
        query = query.where(Course.active.is_(True))
    return list(db.session.scalars(query))


def _values(data: Mapping[str, Any], existing: Course | None) -> dict[str, Any]:
    """The course's fields from a form; the code only for a new course (``existing`` None)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title_zh": fields.text(data, "title_zh", errors, limit=120),
        "title_en": fields.text(data, "title_en", errors, limit=120),
        "topic": fields.choice(data, "topic", errors, tuple(TOPICS)),
        "hours": fields.number(data, "hours", errors, top=MAX_HOURS),
        "validity_months": fields.whole(
            data, "validity_months", errors, low=1, top=MAX_MONTHS, required=False
        ),
        "active": str(data.get("active") or "") in ("1", "on", "true", "y"),
    }
    if existing is None:
        code = str(data.get("code") or "").strip().upper()
        if not _CODE.fullmatch(code):
            errors["code"] = _("2 to 40 capital letters, digits or _, starting with a letter")
        elif by_code(code) is not None:
            errors["code"] = _("the code %(code)s is taken", code=code)
        values["code"] = code
    code = existing.code if existing else values["code"]
    if code == APPROVAL_COURSE and values["validity_months"] is None and "validity_months" not in errors:
        errors["validity_months"] = _("the approval qualification always expires: give its months")
    if errors:
        raise InvalidInput(_("The course was not saved."), errors)
    return values


def create(user: User, data: Mapping[str, Any]) -> Course:
    """A new course (administrators and risk managers), audited."""
    check_keeper(user)
    with unit_of_work():
        course = Course(**_values(data, None))
        db.session.add(course)
        db.session.flush()
        audit.record("training.course_saved", user, course=course.code, created=True)
    return course


def update(user: User, course_id: int, data: Mapping[str, Any]) -> Course:
    """Change a course's titles, topic, hours, validity or whether it is offered (its code stays)."""
    check_keeper(user)
    with unit_of_work():
        course = get(course_id)
        for key, value in _values(data, course).items():
            setattr(course, key, value)
        audit.record("training.course_saved", user, course=course.code, created=False)
    return course
