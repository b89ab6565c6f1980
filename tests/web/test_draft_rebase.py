"""A stale draft (its file changed after it was begun) is rebased when saved again from an editor that showed
the current file, and then no longer blocks a deployment request."""

from __future__ import annotations

from app.services.design.deployment import deployment_requests
from app.services.design.workspace import drafts

DMN = "review_frequency.dmn"


def test_saving_a_stale_draft_again_rebases_it(people, workspace_copy, deployed):
    text = drafts.file_text("rules", DMN)
    drafts.save(people.designer, "rules", DMN, text + "\n<!-- my change -->\n", 0)
    path = workspace_copy / "rules" / DMN
    path.write_text(text + "\n<!-- deployed meanwhile -->\n", encoding="utf-8")  # the file changed under it
    assert drafts.is_stale(drafts.draft_of("rules", DMN))
    # the designer checks it against the current file and saves it again, as told
    merged = text + "\n<!-- deployed meanwhile -->\n<!-- my change -->\n"
    drafts.save(people.designer, "rules", DMN, merged, 1, base=drafts.digest(drafts.file_text("rules", DMN)))
    assert not drafts.is_stale(drafts.draft_of("rules", DMN)), "still stale after saving on the current file"
    deployment_requests.request(people.designer, "review more often")  # refused (Conflict) while it is stale
