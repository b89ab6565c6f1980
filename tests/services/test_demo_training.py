"""The demo's training (培训管理): the four courses, sessions with results, 郑凯's AML training expiring within 30
days (he still opens applications), one reading assigned; loaded again, nothing added."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.models import ReadingAssignment, TrainingSession, User
from app.services.admin import demo, demo_customer_file, demo_training
from app.services.cases import cases
from app.services.people.training import records, required


def test_the_demo_has_courses_sessions_an_expiring_officer_and_a_reading(app, monkeypatch):
    monkeypatch.setattr(demo_customer_file, "load", lambda: iter(()))
    lines = list(demo.load(count=len(demo.STAGES)))
    assert any(line.startswith("training:") for line in lines)
    officer3 = db.session.scalar(select(User).where(User.username == "officer3"))
    aml = {s.code: s for s in required.standing(officer3)}["KYC_AML"]
    assert aml.state == "expiring" and aml.valid_until <= local_today() + timedelta(days=30)
    assert cases.start_case(officer3, "credit_application").id  # expiring is still valid
    for username in ("officer", "officer2", "approver", "cco", "risk", "compliance"):
        user = db.session.scalar(select(User).where(User.username == username))
        assert {s.state for s in required.standing(user)} <= {"valid"}, username
    risk = db.session.scalar(select(User).where(User.username == "risk"))
    figure = records.by_branch(risk)
    assert {r["branch"] for r in figure.rows} >= {"shanghai", "beijing", "head_office"}
    assert figure.total["lapsed"] >= 1 and figure.total["expiring"] >= 1  # 郑凯 failed post-loan management
    assert db.session.scalar(select(func.count()).select_from(ReadingAssignment)) == 1
    sessions = db.session.scalar(select(func.count()).select_from(TrainingSession))
    assert (
        list(demo_training.load()) == []
        and db.session.scalar(select(func.count()).select_from(TrainingSession)) == sessions
    )
