"""Two saves of the same draft made on the same revision, interleaved as two workers would: the second is refused
(409), never a lost update; two first saves of a new file give a 409, not a 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.errors import Conflict
from app.extensions import db
from app.models import DesignDraft
from app.services.admin import users
from app.services.design.workspace import drafts
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

DMN = "review_frequency.dmn"


def test_a_save_racing_another_on_the_same_revision_is_refused_not_a_lost_update(
    people, workspace_copy, monkeypatch
):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    base = drafts.file_text("rules", DMN)
    drafts.save(people.designer, "rules", DMN, base + "\n<!-- r1 -->", revision=0)
    real_utcnow = drafts.utcnow

    def other_worker_commits_first():
        # designer2's save on revision 1 commits between this save's revision check and its write
        db.session.execute(
            text("UPDATE design_draft SET content = :c, revision = 2"), {"c": base + "<!-- theirs -->"}
        )
        db.session.commit()  # theirs is committed: the refusal of ours rolls back only ours
        monkeypatch.setattr(drafts, "utcnow", real_utcnow)
        return real_utcnow()

    monkeypatch.setattr(drafts, "utcnow", other_worker_commits_first)
    with pytest.raises(Conflict):
        drafts.save(people.designer, "rules", DMN, base + "<!-- mine -->", revision=1)
    db.session.expire_all()  # the other worker's save is what stays
    assert db.session.scalar(select(DesignDraft.content)) == base + "<!-- theirs -->"


def test_two_first_saves_of_a_file_give_a_409_not_a_500(as_user, people, workspace_copy, monkeypatch):
    designer = as_user("designer")
    designer.application.config["PROPAGATE_EXCEPTIONS"] = False
    real_utcnow = drafts.utcnow

    def other_worker_creates_it_first():
        db.session.execute(
            text(
                "INSERT INTO design_draft (kind, name, content, base_hash, revision, created_by_id, created_at, "
                "updated_by_id, updated_at) VALUES ('rules', :n, 'theirs', '', 1, :u, :t, :u, :t)"
            ),
            {"n": DMN, "u": people.designer.id, "t": real_utcnow()},
        )
        monkeypatch.setattr(drafts, "utcnow", real_utcnow)
        return real_utcnow()

    monkeypatch.setattr(drafts, "utcnow", other_worker_creates_it_first)
    try:
        response = designer.post(
            f"/designer/edit/rules/{DMN}",
            content_type="application/json",
            data=json.dumps({"content": drafts.file_text("rules", DMN), "revision": 0}),
        )
    finally:
        designer.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 409, response.status_code
