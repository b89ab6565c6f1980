"""Demo training (培训管理), loaded right after the demo's people and before its cases (the officers open their
applications only with valid AML training):

- the four courses of the bank's policy (反洗钱与客户身份识别, 授信审批资格, 五级分类, 贷后管理) in the catalogue;
- an AML and know-your-customer session two months ago that everyone it is required of passed, but 郑凯
  (officer3), whose pass comes from a session eleven months ago and **expires within 30 days** (he may still
  submit applications; the reminder and the "expiring" state show it);
- a post-loan management session a month ago for the officers (郑凯 failed it: his course is missing) and a
  five-category classification session for risk, the CRO and the level-3 approver;
- (with the case library's demo, once its default is approved: ``assign_reading``) that entry assigned to 王晓明
  (officer) as reading, not yet acknowledged.

The approvers' qualification is recorded as ``demo.load`` records it (a pass of the approval course). Sessions and
results go through the services as the administrator records them (the risk managers attend some).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.models import TrainingSession, User
from app.services.people.training import attendance, catalog, readings, required

KEEPER = "admin"  # 吴强: risk and the CRO sit the five-category session, and no one records their own pass
EXPIRING_OFFICER = "officer3"
EXPIRES_IN_DAYS = 20
SCORES = {
    "officer": "92",
    "officer2": "85",
    "officer3": "55",
    "approver": "88",
    "approver2": "90",
    "cco": "95",
}
READER = "officer"  # assigned the approved default of the case library's demo as reading


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    assert user is not None, f"demo user {username} missing"
    return user


def _session(keeper: User, code: str, held_on: date, trainer: str, results: dict[str, str]) -> None:
    course = catalog.ensure(code)
    session = attendance.create_session(
        keeper,
        {
            "course_id": str(course.id),
            "held_on": held_on.isoformat(),
            "trainer": trainer,
            "place": "总行培训中心",
        },
    )
    form: dict[str, str] = {}
    for username, result in results.items():
        person = _user(username)
        form[f"result_{person.id}"] = result
        form[f"score_{person.id}"] = SCORES.get(username, "80")
    attendance.record_results(keeper, session.id, form)


def load() -> Iterator[str]:
    if db.session.scalar(select(func.count()).select_from(TrainingSession)):
        return
    today = local_today()
    keeper = _user(KEEPER)
    for code in catalog.STANDARD:
        catalog.ensure(code)
    staff = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)))
    needs = {u.username: {r.code for r in required.of(u)} for u in staff}
    aml = [u for u, codes in needs.items() if "KYC_AML" in codes and u != EXPIRING_OFFICER]
    # 郑凯's pass: a year's renewal from a session held so that it lapses EXPIRES_IN_DAYS from today
    early = required.add_months(today + timedelta(days=EXPIRES_IN_DAYS), -12)
    _session(keeper, "KYC_AML", early, "合规部 孙丽", {EXPIRING_OFFICER: "pass"})
    _session(keeper, "KYC_AML", today - timedelta(days=60), "合规部 孙丽", {u: "pass" for u in aml})
    _session(
        keeper,
        "POST_LOAN",
        today - timedelta(days=30),
        "风险管理部 赵磊",
        {"officer": "pass", "officer2": "pass", "officer3": "fail"},
    )
    five = [u for u, codes in needs.items() if "FIVE_CATEGORY" in codes]
    _session(
        keeper, "FIVE_CATEGORY", today - timedelta(days=45), "风险管理部 黄涛", {u: "pass" for u in five}
    )
    yield (
        f"training: {len(catalog.STANDARD)} courses, 4 sessions; {EXPIRING_OFFICER}'s AML training expires in "
        f"{EXPIRES_IN_DAYS} days"
    )


def assign_reading(entry_id: int, title: str) -> str:
    """The case library's approved entry ``entry_id`` assigned to 王晓明 (officer) as reading, by the keeper
    (the case library's demo, once the entry exists)."""
    reader = _user(READER)
    readings.assign(_user(KEEPER), {"user_id": str(reader.id), "entry_ref": str(entry_id), "title": title})
    return f"training: case-library entry {entry_id} assigned to {READER} as reading"
