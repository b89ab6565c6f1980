"""Migration 0044 moves the approvers' qualifications into training: each certificate a pass of the approval
course (授信审批资格) with its number, expiry and recorder, and the eligibility reads it the same."""

from __future__ import annotations

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app.extensions import db
from app.models import APPROVAL_COURSE, TrainingCompletion, User
from app.services.approval import qualifications
from tests.migrated import migrated_app


def test_the_qualifications_become_passes_of_the_approval_course(tmp_path):
    with migrated_app(tmp_path / "old.sqlite", "0039_guarantee_circles"):
        with db.engine.begin() as connection:
            for user_id, name, role in ((1, "admin", "admin"), (2, "zhang", "approver")):
                connection.execute(
                    text(
                        "INSERT INTO app_user (id, username, display_name, password_hash, role, authority_level, "
                        "branch, active, must_change_password, created_at, session_epoch) VALUES (:id, :name, :name, "
                        "'x', :role, 2, 'head_office', 1, 0, '2026-01-01', 0)"
                    ),
                    {"id": user_id, "name": name, "role": role},
                )
            connection.execute(
                text(
                    "INSERT INTO qualification (user_id, certificate, valid_until, recorded_by_id, recorded_at) "
                    "VALUES (2, 'CQ-2024-0007', '2027-03-31', 1, '2026-02-01 09:30:00')"
                )
            )
        upgrade()
        assert "qualification" not in {
            r[0] for r in db.session.execute(text("SELECT name FROM sqlite_master"))
        }
        row = db.session.scalar(select(TrainingCompletion))
        assert (row.course.code, row.result, row.certificate) == (APPROVAL_COURSE, "pass", "CQ-2024-0007")
        assert (row.valid_until, row.completed_on, row.recorded_by_id) == (
            date(2027, 3, 31),
            date(2026, 2, 1),
            1,
        )
        zhang = db.session.get(User, 2)
        assert qualifications.valid_until(zhang) == date(2027, 3, 31)
        assert qualifications.refusal(zhang, date(2026, 6, 1)) is None
        db.session.remove()
        downgrade(revision="0039_guarantee_circles")
        back = db.session.execute(text("SELECT user_id, certificate, valid_until FROM qualification")).all()
        assert [tuple(r) for r in back] == [(2, "CQ-2024-0007", "2027-03-31")]
